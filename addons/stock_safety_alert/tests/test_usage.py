# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"The daily usage table kept by moves equals one rebuilt from the moves."
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from .tools import Fixture


def usage_rows(pending=False):
    "(warehouse, product, date, quantity) of the non-zero merged rows"
    Usage = Pool().get('stock.safety.usage')
    table = Usage.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(table.warehouse, table.product, table.date,
            table.quantity, where=table.pending == pending))
    return sorted((w, p, str(d)[:10], round(q, 6))
        for w, p, d, q in cursor if round(q, 6))


class SafetyUsageTestCase(DBTestCase):
    "Daily net usage: appended by moves, merged by the run, rebuilt"
    module = 'stock_safety_alert'

    def history(self):
        fx = Fixture.build()
        fx.p = fx.product("P", method='service')
        fx.receive(fx.p, 100, 9)
        fx.issue(fx.p, 4, 8)
        fx.issue(fx.p, 6, 8)
        return fx

    @with_transaction()
    def test_moves_append_and_run_merges(self):
        "Done, returned and cancelled moves end as a rebuild would have them"
        pool = Pool()
        Alert = pool.get('stock.alert')
        Usage = pool.get('stock.safety.usage')
        Move = pool.get('stock.move')
        Parameter = pool.get('stock.safety.parameter')
        fx = self.history()
        Pool().get('stock.safety.nightly').run()  # first run: built from the moves
        self.assertEqual(usage_rows(pending=True), [])
        day8 = str(fx.day(8))
        self.assertEqual(usage_rows(),
            [(fx.wh.id, fx.p.id, day8, 10.0)])

        # after the first run, moves append pending rows
        fx.issue(fx.p, 3, 8)                              # same day again
        fx.move(fx.p, fx.customer, fx.storage, 1, 8)      # a return
        late = fx.issue(fx.p, 5, 2)                       # a new day
        wrong = fx.issue(fx.p, 7, 1)
        fx.receive(fx.p, 50, 1)                           # not usage
        with Transaction().set_context(_skip_warnings=True):
            Move.cancel([wrong])                          # a done move
        self.assertEqual(usage_rows(pending=True), sorted([
                    (fx.wh.id, fx.p.id, day8, 3.0),
                    (fx.wh.id, fx.p.id, day8, -1.0),
                    (fx.wh.id, fx.p.id, str(fx.day(2)), 5.0),
                    (fx.wh.id, fx.p.id, str(fx.day(1)), 7.0),
                    (fx.wh.id, fx.p.id, str(fx.day(1)), -7.0),
                    ]))
        self.assertEqual(late.state, 'done')

        Pool().get('stock.safety.nightly').run()
        merged = usage_rows()
        self.assertEqual(usage_rows(pending=True), [])
        self.assertEqual(merged, [
                (fx.wh.id, fx.p.id, day8, 12.0),
                (fx.wh.id, fx.p.id, str(fx.day(2)), 5.0),
                ])
        p, = Parameter.search([('product', '=', fx.p.id)])
        self.assertAlmostEqual(p.total_demand, 17)
        self.assertAlmostEqual(p.max_daily, 12)
        self.assertEqual(p.last_out_date, fx.day(2))

        Usage.rebuild()
        self.assertEqual(usage_rows(), merged)

    @with_transaction()
    def test_layout_change_rebuilds(self):
        """A new bin is merged; a bin moved to another warehouse takes its
        history along (rebuilt)"""
        pool = Pool()
        Alert = pool.get('stock.alert')
        Location = pool.get('stock.location')
        fx = self.history()
        Pool().get('stock.safety.nightly').run()
        # a rebuild would drop this row that no move explains
        Usage = pool.get('stock.safety.usage')
        sentinel, = Usage.create([{'company': fx.company.id,
                    'warehouse': fx.wh.id, 'product': fx.p.id,
                    'date': fx.day(30), 'quantity': 1, 'pending': False}])
        bin_ = Location(name="Bin", type='storage', parent=fx.storage)
        bin_.save()
        fx.move(fx.p, fx.supplier_loc, bin_, 5, 7)
        fx.move(fx.p, bin_, fx.customer, 2, 6)
        Pool().get('stock.safety.nightly').run()  # a new bin: merged, not rebuilt
        rows = usage_rows()
        self.assertIn((fx.wh.id, fx.p.id, str(fx.day(6)), 2.0), rows)
        self.assertIn((fx.wh.id, fx.p.id, str(fx.day(30)), 1.0), rows)

        storage2 = Location(name="Storage 2", type='storage')
        storage2.save()
        wh2 = Location(name="Warehouse 2", type='warehouse',
            storage_location=storage2,
            input_location=Location(name="In 2", type='storage'),
            output_location=Location(name="Out 2", type='storage'),
            production_location=fx.wh.production_location)
        wh2.input_location.save()
        wh2.output_location.save()
        wh2.save()
        Location.write([storage2, wh2.input_location, wh2.output_location],
            {'parent': wh2.id})
        Location.write([bin_], {'parent': storage2.id})
        Pool().get('stock.safety.nightly').run()
        rows = usage_rows()
        self.assertIn((wh2.id, fx.p.id, str(fx.day(6)), 2.0), rows)
        self.assertNotIn((fx.wh.id, fx.p.id, str(fx.day(6)), 2.0), rows)
        self.assertIn((fx.wh.id, fx.p.id, str(fx.day(8)), 10.0), rows)
        self.assertNotIn((fx.wh.id, fx.p.id, str(fx.day(30)), 1.0), rows)


del DBTestCase
