# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"Each formula against values computed by hand (see the comments)."
from trytond.modules.stock_safety_alert import formula
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)


class SafetyFormulaTestCase(DBTestCase):
    "Safety stock formulas"
    module = 'stock_safety_alert'

    def test_moments_count_missing_days_as_zero(self):
        # 10-day window, usage 4 on two days: mean 0.8,
        # variance 32/10 - 0.64 = 2.56, sigma 1.6
        mean, std = formula.moments(8, 32, 10)
        self.assertAlmostEqual(mean, 0.8)
        self.assertAlmostEqual(std, 1.6)

    def test_moments_one_move(self):
        # one issue of 5 in 10 days: mean 0.5, sqrt(25/10 - 0.25) = 1.5
        self.assertEqual(
            tuple(round(x, 9) for x in formula.moments(5, 25, 10)),
            (0.5, 1.5))

    def test_moments_no_history(self):
        self.assertEqual(formula.moments(0, 0, 365), (0.0, 0.0))
        self.assertEqual(formula.moments(0, 0, 0), (0.0, 0.0))

    def test_seed_formula_example(self):
        # The seed's shape: max daily usage 100 x longest lead time 10 days
        # - average daily usage 80 x average lead time 7 days = 440
        self.assertEqual(formula.seed_safety_stock(100, 10, 80, 7), 440)
        safety, rop, maximum = formula.compute('seed', {
                'avg_daily': 80, 'max_daily': 100,
                'avg_lead_time': 7, 'max_lead_time': 10}, cover_days=5)
        self.assertEqual(safety, 440)
        # ROP = 80 x 7 + 440 = 1000 = worst day x worst lead time
        self.assertEqual(rop, 1000)
        self.assertEqual(maximum, 1000 + 80 * 5)

    def test_seed_never_negative(self):
        # a maximum below the average can only come from returns
        self.assertEqual(formula.seed_safety_stock(1, 2, 5, 3), 0)

    def test_z_score(self):
        self.assertAlmostEqual(formula.z_score(0.95), 1.644854, places=6)
        self.assertAlmostEqual(formula.z_score(0.99), 2.326348, places=6)
        self.assertEqual(formula.z_score(0), 0)

    def test_service_level(self):
        # 1.644854 x sigma 2 x sqrt(9) = 9.869122
        self.assertAlmostEqual(
            formula.service_safety_stock(0.95, 2, 9), 9.869122, places=5)

    def test_service_level_with_lead_time_variance(self):
        # z x sqrt(9 x 2^2 + 10^2 x 3^2) = 1.644854 x sqrt(936) = 50.3231
        self.assertAlmostEqual(
            formula.service_lt_safety_stock(0.95, 10, 2, 9, 3),
            50.3231, places=3)
        # without lead-time spread it is the plain service formula
        self.assertAlmostEqual(
            formula.service_lt_safety_stock(0.95, 10, 2, 9, 0),
            formula.service_safety_stock(0.95, 2, 9))

    def test_zero_lead_time(self):
        stats = {'avg_daily': 10, 'max_daily': 20, 'std_daily': 4,
            'avg_lead_time': 0, 'max_lead_time': 0, 'std_lead_time': 0}
        for method in ['seed', 'service', 'service_lt']:
            safety, rop, maximum = formula.compute(
                method, stats, cover_days=3)
            self.assertEqual((safety, rop, maximum), (0, 0, 30), method)

    def test_no_history(self):
        for method in ['seed', 'service', 'service_lt']:
            self.assertEqual(formula.compute(method, {}), (0, 0, 0), method)

    def test_fixed(self):
        self.assertEqual(formula.compute('fixed', {},
                fixed_min=5, fixed_max=20), (0, 5, 20))
        # a maximum below the minimum is lifted to it
        self.assertEqual(formula.compute('fixed', {},
                fixed_min=5, fixed_max=2), (0, 5, 5))

    def test_reorder_point_and_eoq(self):
        # EOQ sqrt(2 x 1200 x 50 / (4 x 0.25)) = sqrt(120000) = 346.41
        eoq = formula.economic_order_quantity(1200, 50, 4, 0.25)
        self.assertAlmostEqual(eoq, 346.410, places=3)
        stats = {'avg_daily': 10, 'std_daily': 2, 'avg_lead_time': 9}
        safety, rop, maximum = formula.compute(
            'service', stats, service_level=0.95, eoq=eoq)
        self.assertAlmostEqual(rop, 90 + safety)
        self.assertAlmostEqual(maximum, rop + eoq)
        self.assertEqual(formula.economic_order_quantity(0, 50, 4, .25), 0)

    def test_critical_service_level_is_higher(self):
        stats = {'avg_daily': 10, 'std_daily': 2, 'avg_lead_time': 9}
        normal = formula.compute('service', stats, service_level=0.95)
        critical = formula.compute('service', stats, service_level=0.99)
        # 2.326348 x 2 x 3 = 13.958
        self.assertAlmostEqual(critical[0], 13.958, places=3)
        self.assertGreater(critical[1], normal[1])

    def test_unknown_method(self):
        with self.assertRaises(ValueError):
            formula.compute('magic', {})


del DBTestCase
