# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"The stock balance kept by moves equals core's quantities and a rebuild."
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from ..bulk import invalidate_cache
from .tools import Fixture


def balance_rows(pending=False):
    "(location, product, lot, quantity, first receipt) of the rows"
    Balance = Pool().get('stock.safety.balance')
    table = Balance.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(table.location, table.product, table.lot,
            table.quantity, table.first_in, where=table.pending == pending))
    return sorted(((l, p, lot or 0, round(q, 6), str(f or '')[:10])
            for l, p, lot, q, f in cursor), key=str)


def core_quantities(fx, locations):
    "{(location, product, lot): quantity} as core computes it today"
    Product = Pool().get('product.product')
    with Transaction().set_context(stock_date_end=fx.today,
            company=fx.company.id):
        pbl = Product.products_by_location(locations, with_childs=False,
            grouping=('product', 'lot'))
    return {k: q for k, q in pbl.items() if q}


class SafetyBalanceTestCase(DBTestCase):
    "Stock balance: appended by moves, merged by the run, rebuilt"
    module = 'stock_safety_alert'

    @with_transaction()
    def test_moves_append_and_run_merges(self):
        "Receipts, lots, a transfer, issues and a cancel match core"
        pool = Pool()
        Figures = pool.get('stock.figures')
        Alert = pool.get('stock.alert')
        Balance = pool.get('stock.safety.balance')
        Location = pool.get('stock.location')
        Lot = pool.get('stock.lot')
        Move = pool.get('stock.move')
        fx = Fixture.build()
        p, q = fx.product("P"), fx.product("Q")
        bin_ = Location(name="Bin", type='storage', parent=fx.storage)
        bin_.save()
        lot, = Lot.create([{'number': 'L1', 'product': q.id}])
        fx.receive(p, 100, 9)
        Pool().get('stock.safety.nightly').run()  # first run: built from the moves
        self.assertEqual(balance_rows(pending=True), [])
        self.assertEqual(balance_rows(),
            [(fx.storage.id, p.id, 0, 100.0, str(fx.day(9)))])

        # after the first run, moves append pending rows
        fx.receive(p, 20, 3)
        fx.receive(q, 8, 5, lot=lot)
        transfer = Move(product=q, unit=fx.unit, quantity=3, lot=lot,
            from_location=fx.storage, to_location=bin_,
            effective_date=fx.day(4), company=fx.company)
        transfer.save()
        Move.do([transfer])
        fx.issue(p, 30, 2)
        fx.move(p, fx.customer, fx.storage, 5, 1)          # a return
        wrong = fx.issue(p, 7, 1)
        with Transaction().set_context(_skip_warnings=True):
            Move.cancel([wrong])                           # a done move
        self.assertTrue(balance_rows(pending=True))
        # the run reads pending rows too: moves done since the merge count
        locations = [fx.storage.id, bin_.id]
        expected = core_quantities(fx, locations)
        self.assertTrue(Balance.is_built())
        self.assertEqual(Figures.on_hand(fx.company, locations=locations,
                grouping=('product', 'lot'), per_location=True), expected)

        Pool().get('stock.safety.nightly').run()
        merged = balance_rows()
        self.assertEqual(balance_rows(pending=True), [])
        self.assertEqual({(l, pr, lt or None): q_
                for l, pr, lt, q_, _ in merged if q_}, expected)
        self.assertEqual(expected, {(fx.storage.id, p.id, None): 95,
                (fx.storage.id, q.id, lot.id): 5, (bin_.id, q.id, lot.id): 3})
        firsts = {(l, pr): f for l, pr, _, _, f in merged}
        self.assertEqual(firsts[fx.storage.id, p.id], str(fx.day(9)))
        self.assertEqual(firsts[bin_.id, q.id], str(fx.day(4)))

        Balance.rebuild()
        self.assertEqual(balance_rows(), merged)

    @with_transaction()
    def test_added_to_a_built_database(self):
        "An update that adds the balance makes the next run build it"
        pool = Pool()
        Alert = pool.get('stock.alert')
        Balance = pool.get('stock.safety.balance')
        Config = pool.get('stock.safety.configuration')
        fx = Fixture.build()
        p = fx.product("P")
        fx.receive(p, 40, 9)
        Pool().get('stock.safety.nightly').run()
        self.assertTrue(Config(1).usage_layout)
        # as before the update: usage built, no balance table
        Transaction().connection.cursor().execute(
            'DROP TABLE "%s"' % Balance._table)
        Balance.__register__('stock_safety_alert')
        config = Config.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*config.select(config.usage_layout))
        self.assertEqual(cursor.fetchall(), [(None,)])
        invalidate_cache(Config.__name__)  # an update ends its transaction
        self.assertEqual(balance_rows(), [])
        Pool().get('stock.safety.nightly').run()
        self.assertEqual(balance_rows(),
            [(fx.storage.id, p.id, 0, 40.0, str(fx.day(9)))])


del DBTestCase
