# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The kept lead times equal a measure of every receipt of the window,
night after night: a receipt done or cancelled, receipts leaving and
entering as the window moves, a long gap."""
import datetime as dt
from collections import defaultdict

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from .tools import Fixture


def measured_in_python(start):
    """{(company, warehouse, product, supplier): (count, sum, sum of
    squares, max)} of the done purchase receipts counted from start"""
    Move = Pool().get('stock.move')
    days = defaultdict(list)
    for move in Move.search([('state', '=', 'done')]):
        line = move.origin
        if (getattr(line, '__name__', None) != 'purchase.line'
                or move.effective_date < start):
            continue
        purchase = line.purchase
        days[move.company.id, purchase.warehouse.id, move.product.id,
            purchase.party.id].append(
            (move.effective_date - purchase.purchase_date).days)
    return {k: (len(v), sum(v), sum(d * d for d in v), max(v))
        for k, v in days.items()}


def kept():
    Lead = Pool().get('stock.safety.lead')
    table = Lead.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(table.company, table.warehouse,
            table.product, table.party, table.samples, table.total,
            table.total_sq, table.max_days,
            where=table.pending == False))  # noqa: E712
    return {(c, w, p, s): (n, round(t), round(q), round(m))
        for c, w, p, s, n, t, q, m in cursor}


def markers():
    Lead = Pool().get('stock.safety.lead')
    return Lead.search([('pending', '=', True)])


class SafetyLeadTestCase(DBTestCase):
    "Lead times kept over the window"
    module = 'stock_safety_alert'

    def night(self, start):
        "What the run does with the lead times, then they are checked"
        Usage = Pool().get('stock.safety.usage')
        Usage.bring_up_to_date(start)
        self.assertEqual(kept(), measured_in_python(start))
        self.assertEqual(markers(), [])

    @with_transaction()
    def test_lead_times_follow_the_receipts(self):
        pool = Pool()
        Move = pool.get('stock.move')
        fx = Fixture.build()
        a = fx.product("A", method='service')
        b = fx.product("B", method='service')
        fx.purchase(a, 10, 8, 3)
        fx.purchase(b, 10, 50, 10)
        key_a = (fx.company.id, fx.wh.id, a.id, fx.supplier.id)
        key_b = (fx.company.id, fx.wh.id, b.id, fx.supplier.id)

        self.night(fx.day(20))                    # first: every product
        self.assertEqual(kept(), {
                key_a: (1, 5, 25, 5), key_b: (1, 40, 1600, 40)})

        today = fx.purchase(a, 10, 10, 0)         # a receipt marks A
        self.assertEqual(len(markers()), 1)
        self.night(fx.day(20))
        self.assertEqual(kept()[key_a], (2, 15, 125, 10))

        self.night(fx.day(5))                     # B's receipt leaves
        self.assertNotIn(key_b, kept())
        self.night(fx.day(20))                    # and comes back
        self.assertEqual(kept()[key_b], (1, 40, 1600, 40))

        with Transaction().set_context(_skip_warnings=True):
            Move.cancel([today])                  # taken back: A again
        self.assertEqual(len(markers()), 1)
        self.night(fx.day(20))
        self.assertEqual(kept()[key_a], (1, 5, 25, 5))

        far = fx.today + dt.timedelta(days=40)    # a long gap: all again
        self.night(far)
        self.assertEqual(kept(), {})


del DBTestCase
