# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"Statistics and safety stock computed in SQL from a hand-countable history."
from decimal import Decimal

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from .tools import Fixture


class SafetyStatisticsTestCase(DBTestCase):
    "Demand and lead-time statistics, safety stock and order points"
    module = 'stock_safety_alert'

    def history(self):
        fx = Fixture.build()
        # P: 4 out on day -9, 6 out and 2 back on day -7 (a return): two
        # days of net 4 in a 10-day window -> mean 0.8, sigma 1.6, max 4
        fx.p = fx.product("P", method='seed')
        fx.purchase(fx.p, 50, ordered_ago=30, received_ago=25)
        fx.purchase(fx.p, 50, ordered_ago=9, received_ago=4)    # 5 days
        fx.purchase(fx.p, 50, ordered_ago=8, received_ago=1)    # 7 days
        fx.issue(fx.p, 4, 9)
        fx.issue(fx.p, 6, 7)
        fx.move(fx.p, fx.customer, fx.storage, 2, 7)
        fx.issue(fx.p, 40, 20)  # before the window: not in the moments
        # Q: one move only
        fx.q = fx.product("Q", method='service')
        fx.receive(fx.q, 5, 2)
        fx.issue(fx.q, 5, 1)
        # R: no history at all
        fx.r = fx.product("R", method='service_lt')
        # Z: ordered and received the same day (zero lead time)
        fx.z = fx.product("Z", method='service')
        fx.purchase(fx.z, 10, ordered_ago=3, received_ago=3)
        fx.issue(fx.z, 3, 2)
        # N: no method: statistics only, never an order point (opt-in)
        fx.n = fx.product("N")
        fx.receive(fx.n, 10, 5)
        fx.issue(fx.n, 1, 1)
        return fx

    def params(self):
        Parameter = Pool().get('stock.safety.parameter')
        return {p.product.name: p for p in Parameter.search([])}

    @with_transaction()
    def test_demand_statistics(self):
        "Window moments with zero days, returns, one move, no history"
        Alert = Pool().get('stock.alert')
        self.history()
        Pool().get('stock.safety.nightly').run()
        params = self.params()
        p = params['P']
        self.assertAlmostEqual(p.total_demand, 8)
        self.assertAlmostEqual(p.avg_daily, 0.8)
        self.assertAlmostEqual(p.std_daily, 1.6)
        self.assertAlmostEqual(p.max_daily, 4)
        self.assertEqual(p.quantity, 150 - 4 - 6 + 2 - 40)
        q = params['Q']
        self.assertAlmostEqual(q.avg_daily, 0.5)
        self.assertAlmostEqual(q.std_daily, 1.5)
        self.assertAlmostEqual(q.max_daily, 5)
        self.assertEqual(q.quantity, 0)
        r = params['R']
        self.assertEqual((r.avg_daily, r.std_daily, r.quantity), (0, 0, 0))
        self.assertEqual((r.safety_stock, r.reorder_point), (0, 0))
        self.assertIsNone(r.order_point)

    @with_transaction()
    def test_lead_time_statistics(self):
        "Order date to receipt date, only receipts inside the window"
        Alert = Pool().get('stock.alert')
        fx = self.history()
        Pool().get('stock.safety.nightly').run()
        params = self.params()
        p = params['P']
        self.assertEqual(p.lead_time_samples, 2)
        self.assertAlmostEqual(p.avg_lead_time, 6)
        self.assertAlmostEqual(p.std_lead_time, 1)
        self.assertAlmostEqual(p.max_lead_time, 7)
        z = params['Z']
        self.assertEqual((z.lead_time_samples, z.avg_lead_time), (1, 0))
        # zero lead time: no safety stock, no reorder point
        self.assertEqual((z.safety_stock, z.reorder_point), (0, 0))
        self.assertEqual(params['Q'].lead_time_samples, 0)
        # the same receipts per supplier, as the planners see them
        Supplier = Pool().get('stock.safety.lead.supplier')
        by_product = {r.product.name: r for r in Supplier.search([])}
        self.assertEqual(sorted(by_product), ['P', 'Z'])
        p = by_product['P']
        self.assertEqual((p.receipts, p.warehouse, p.supplier.name),
            (2, fx.wh, "Supplier"))
        self.assertAlmostEqual(p.average, 6)
        self.assertAlmostEqual(p.std_dev, 1)
        self.assertAlmostEqual(p.maximum, 7)

    @with_transaction()
    def test_safety_stock_written_to_order_points(self):
        "Seed formula on P goes to a core purchase order point"
        pool = Pool()
        Alert = pool.get('stock.alert')
        OrderPoint = pool.get('stock.order_point')
        fx = self.history()
        Pool().get('stock.safety.nightly').run()
        p = self.params()['P']
        # 4 x 7 - 0.8 x 6 = 23.2 -> 24 units; ROP 0.8 x 6 + 23.2 = 28;
        # maximum 28 + 0.8 x 30 days of cover = 52
        self.assertEqual((p.safety_stock, p.reorder_point, p.max_quantity),
            (24, 28, 52))
        op, = OrderPoint.search([('product', '=', fx.p.id)])
        self.assertEqual(p.order_point, op)
        self.assertEqual((op.type, op.location, op.min_quantity,
                op.target_quantity), ('purchase', fx.wh, 28, 52))
        self.assertEqual(OrderPoint.search([('product', '=', fx.n.id)]), [])

        # a second run with more usage updates the same order point
        fx.issue(fx.p, 10, 0)
        Pool().get('stock.safety.nightly').run()
        op2, = OrderPoint.search([('product', '=', fx.p.id)])
        self.assertEqual(op2.id, op.id)
        self.assertGreater(op2.min_quantity, 28)
        self.assertGreater(op2.target_quantity, 52)
        self.assertEqual(op2.write_uid.id, Transaction().user)

    @with_transaction()
    def test_order_point_tolerance(self):
        """With a tolerance, an order point follows its parameter only when
        a number moves by more than that share of the stored one"""
        pool = Pool()
        Config = pool.get('stock.safety.configuration')
        OrderPoint = pool.get('stock.order_point')
        Nightly = pool.get('stock.safety.nightly')
        fx = self.history()
        config = Config(1)
        config.order_point_tolerance = 0.5
        config.save()
        Nightly.run()
        op, = OrderPoint.search([('product', '=', fx.p.id)])
        self.assertEqual((op.min_quantity, op.target_quantity), (28, 52))
        # a little more usage: the parameter moves, within half of 28/52
        fx.issue(fx.p, 2, 0)
        Nightly.run()
        p = self.params()['P']
        self.assertNotEqual((p.reorder_point, p.max_quantity), (28, 52))
        self.assertLessEqual(abs(p.reorder_point - 28), 14)
        self.assertLessEqual(abs(p.max_quantity - 52), 26)
        op = OrderPoint(op.id)
        self.assertEqual((op.min_quantity, op.target_quantity), (28, 52))
        # much more: both numbers follow the parameter
        fx.issue(fx.p, 40, 0)
        Nightly.run()
        p = self.params()['P']
        self.assertGreater(p.reorder_point, 28 * 1.5)
        op = OrderPoint(op.id)
        self.assertEqual((op.min_quantity, op.target_quantity),
            (p.reorder_point, p.max_quantity))

    @with_transaction()
    def test_parameter_of_a_product_gone_is_deleted(self):
        """A product that leaves the run (no usage, stock, lead time nor
        method any more) loses its parameter; the others keep theirs"""
        fx = self.history()
        Nightly = Pool().get('stock.safety.nightly')
        Nightly.run()
        kept = self.params()['P'].id
        self.assertIn('R', self.params())  # a method only
        fx.r.template.safety_method = None
        fx.r.template.save()
        Nightly.run()
        params = self.params()
        self.assertNotIn('R', params)
        self.assertEqual(params['P'].id, kept)

    @with_transaction()
    def test_method_from_category_fixed_and_critical(self):
        pool = Pool()
        Alert = pool.get('stock.alert')
        Category = pool.get('product.category')
        Template = pool.get('product.template')
        fx = self.history()
        category = Category(name="Critical", safety_method='service',
            safety_critical=True)
        category.save()
        Template.write([fx.n.template], {'categories': [('add', [category])]})
        fixed = fx.product("F", method='fixed', safety_min_quantity=5,
            safety_max_quantity=20)
        Pool().get('stock.safety.nightly').run()
        params = self.params()
        self.assertEqual(params['N'].method, 'service')
        self.assertTrue(params['N'].critical)
        self.assertEqual(params['N'].service_level, 0.99)
        self.assertEqual(params['Q'].service_level, 0.95)
        f = params['F']
        self.assertEqual((f.reorder_point, f.max_quantity), (5, 20))
        self.assertEqual(f.order_point.min_quantity, 5)
        self.assertEqual(fixed.template.safety_method, 'fixed')

    @with_transaction()
    def test_economic_order_quantity_default_method_and_class_a(self):
        "Costs make an EOQ maximum; the default method; class A is critical"
        pool = Pool()
        Alert = pool.get('stock.alert')
        Config = pool.get('stock.safety.configuration')
        ProductABC = pool.get('stock.product.abc')
        fx = self.history()
        Config.write([Config(1)], {'order_cost': Decimal(50),
                'holding_rate': 0.2, 'default_method': 'seed'})
        ProductABC.create([{'product': fx.n.id, 'warehouse': fx.wh.id,
                    'abc_class': 'A'}])
        Pool().get('stock.safety.nightly').run()
        params = self.params()
        # P: 0.8 a day is 292 a year, holding 0.2 x cost 2 = 0.4:
        # EOQ sqrt(2 x 292 x 50 / 0.4) = 270.19 on top of the ROP 28
        self.assertEqual(params['P'].max_quantity, 299)
        # N has no method of its own: the default, and critical as class A
        n = params['N']
        self.assertEqual((n.method, n.critical, n.service_level),
            ('seed', True, 0.99))
        self.assertEqual(params['Q'].critical, False)
        self.assertIsNotNone(n.order_point)


del DBTestCase
