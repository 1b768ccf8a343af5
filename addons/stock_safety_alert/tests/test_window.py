# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The running totals of the usage window equal a fold of the usage rows,
night after night: days leaving and entering, a maximum taken away, the
last outgoing day cancelled, a window grown backwards, a long gap."""
import datetime as dt
from collections import defaultdict

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from .. import usage
from ..usage import to_date
from .tools import Fixture


def folded(start):
    """{key: (total, total_sq, max, days at max, last out)} folded in
    Python from the merged usage rows"""
    Usage = Pool().get('stock.safety.usage')
    table = Usage.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(table.company, table.warehouse,
            table.product, table.date, table.quantity,
            where=table.pending == False))  # noqa: E712
    days = defaultdict(list)
    for c, w, p, d, q in cursor:
        days[c, w, p].append((to_date(d), q))
    result = {}
    for key, rows in days.items():
        window = [q for d, q in rows if d >= start]
        top = max(window) if window else None
        issued = [d for d, q in rows if q > 0]
        result[key] = (round(sum(window), 6),
            round(sum(q * q for q in window), 6), top,
            window.count(top) if window else 0,
            max(issued) if issued else None)
    return result


def totals():
    Window = Pool().get('stock.safety.usage.window')
    return {key: (round(row[1], 6), round(row[2], 6), row[3], row[4],
            row[5]) for key, row in Window._load().items()}


class SafetyWindowTestCase(DBTestCase):
    "Running totals of the usage window"
    module = 'stock_safety_alert'

    def night(self, start):
        "What the run does with the usage, then the totals are checked"
        Usage = Pool().get('stock.safety.usage')
        Usage.bring_up_to_date(start)
        self.assertEqual(totals(), folded(start))

    @with_transaction()
    def test_totals_follow_the_usage(self):
        "Each pending day's merged row looked up key by key"
        self.follow_the_usage()

    @with_transaction()
    def test_totals_follow_the_usage_days_read_whole(self):
        "Each pending day's merged rows read whole, as for a busy site"
        whole_day = usage.WHOLE_DAY
        usage.WHOLE_DAY = 1
        try:
            self.follow_the_usage()
        finally:
            usage.WHOLE_DAY = whole_day

    def follow_the_usage(self):
        pool = Pool()
        Move = pool.get('stock.move')
        Config = pool.get('stock.safety.configuration')
        fx = Fixture.build()
        p = fx.product("P", method='service')
        q = fx.product("Q", method='service')
        fx.receive(p, 100, 20)
        fx.receive(q, 100, 20)
        for days_ago, qty in [(10, 4), (9, 6), (8, 6), (5, 3)]:
            fx.issue(p, qty, days_ago)
        fx.issue(q, 7, 9)
        key = (fx.company.id, fx.wh.id, p.id)

        self.night(fx.day(9))                     # first: built by a fold
        self.assertEqual(totals()[key][2:], (6, 2, fx.day(5)))
        self.assertEqual(Config(1).usage_window_start, fx.day(9))

        self.night(fx.day(8))                     # a day at the max leaves
        self.assertEqual(totals()[key][2:4], (6, 1))

        fx.issue(p, 2, 8)                         # the max day grows
        fx.move(p, fx.customer, fx.storage, 3, 5)  # the last day returns
        late = fx.issue(p, 9, 2)
        with Transaction().set_context(_skip_warnings=True):
            Move.cancel([late])                   # and is taken back
        fx.issue(p, 1, 30)                        # before the window
        self.night(fx.day(8))
        self.assertEqual(totals()[key][2:], (8, 1, fx.day(8)))

        self.night(fx.day(7))                     # the only max leaves
        self.assertEqual(totals()[key][2:4], (0, 2))
        # q's only day left the window: no maximum, last day kept
        self.assertEqual(totals()[fx.company.id, fx.wh.id, q.id][2:],
            (None, 0, fx.day(9)))

        self.night(fx.day(12))                    # the window grows back
        self.assertEqual(totals()[key][:4], (18, 116, 8, 1))

        fx.issue(p, 10, 3)              # merged without a start: kept in
        Pool().get('stock.safety.usage').bring_up_to_date()
        self.assertEqual(totals(), folded(fx.day(12)))
        self.assertEqual(totals()[key][2:], (10, 1, fx.day(3)))

        far = fx.today + dt.timedelta(days=40)    # a long gap: a fold
        self.night(far)
        self.assertEqual(totals()[key], (0, 0, None, 0, fx.day(3)))


del DBTestCase
