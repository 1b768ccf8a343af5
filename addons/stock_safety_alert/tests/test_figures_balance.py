# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""stock.figures answered from the stock balance: the same figures as
core's computation for random histories (factory_stock_ext's property
test run again with this module), and where the balance may not answer"""
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests import test_figures
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from .tools import Fixture


def from_balance(company):
    "Whether today's on hand query reads the balance"
    Figures = Pool().get('stock.figures')
    query = Figures.on_hand_query(company, grouping=('product', 'lot'))
    return 'stock_safety_balance' in str(query)


class SafetyFiguresPropertyTestCase(test_figures.FiguresTestCase):
    "Stock figures with the stock balance"
    module = 'stock_safety_alert'

    def lock_tables(self):
        # the first run creates the configuration, a singleton it locks
        super().lock_tables()
        Pool().get('stock.safety.configuration').lock()

    def bring_up_to_date(self, merge):
        "Built by the first run; then merged or left pending at random"
        Balance = Pool().get('stock.safety.balance')
        if merge or not Balance.is_built():
            Pool().get('stock.safety.usage').bring_up_to_date()
        self.assertTrue(Balance.is_built())
        self.assertTrue(from_balance(Transaction().context['company']))


class SafetyFiguresTestCase(DBTestCase):
    "Where the stock balance answers stock.figures"
    module = 'stock_safety_alert'

    @with_transaction()
    def test_where_the_balance_answers(self):
        pool = Pool()
        Figures = pool.get('stock.figures')
        Location = pool.get('stock.location')
        Move = pool.get('stock.move')
        fx = Fixture.build()
        p = fx.product("P")
        fx.receive(p, 40, 9)
        # not built: a run builds it from the moves
        self.assertFalse(from_balance(fx.company))
        pool.get('stock.safety.nightly').run()
        self.assertTrue(from_balance(fx.company))
        # a past date, or the caller asks for the moves: core's
        self.assertNotIn('stock_safety_balance', str(Figures.on_hand_query(
                    fx.company, fx.day(1))))
        with Transaction().set_context(stock_figures_from_moves=True):
            self.assertFalse(from_balance(fx.company))

        # a move done at a later date (core warns) is not in today's
        later = fx.receive(p, 5, -3)
        self.assertEqual(later.state, 'done')
        fx.issue(p, 8, -4)
        self.assertEqual(Figures.on_hand(fx.company), {(p.id,): 40})
        with Transaction().set_context(stock_figures_from_moves=True):
            self.assertEqual(Figures.on_hand(fx.company), {(p.id,): 40})

        # a location with done moves changes type: core's until a run
        # builds the balance again
        lost = Location(name="Lost", type='lost_found')
        lost.save()
        lose = Move(product=p, unit=fx.unit, quantity=4, company=fx.company,
            from_location=fx.storage, to_location=lost,
            effective_date=fx.today)
        lose.save()
        Move.do([lose])
        self.assertEqual(Figures.on_hand(fx.company), {(p.id,): 36})
        Location.write([lost], {'type': 'storage'})
        self.assertFalse(from_balance(fx.company))
        self.assertEqual(Figures.on_hand(fx.company), {(p.id,): 40})
        pool.get('stock.safety.nightly').run()
        self.assertTrue(from_balance(fx.company))
        self.assertEqual(Figures.on_hand(fx.company, per_location=True),
            {(fx.storage.id, p.id): 36, (lost.id, p.id): 4})
        self.assertEqual(Figures.first_receipts(fx.company),
            {(fx.storage.id, p.id): fx.day(9), (lost.id, p.id): fx.day(0)})
        # a type change of a location without moves keeps it
        empty = Location(name="Empty", type='lost_found')
        empty.save()
        Location.write([empty], {'type': 'storage'})
        self.assertTrue(from_balance(fx.company))


del DBTestCase
