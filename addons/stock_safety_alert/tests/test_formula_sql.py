# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The SQL formulas the run computes with give formula.py's numbers, on the
test database's backend."""
import itertools

from sql import Cast, Literal, Select
from sql.conditionals import Greatest

from trytond.modules.stock_safety_alert import formula, formula_sql
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

# statistics as statistics_query() gives them: (avg, max, std) daily usage,
# (avg, max, std) lead time
STATS = [
    (0, 0, 0, 0, 0, 0),              # no history, no lead time
    (0.5, 5, 1.5, 7, 7, 0),          # one move
    (0.8, 4, 1.6, 0, 0, 0),          # zero lead time
    (80, 100, 12.5, 7, 10, 2.2),     # the seed's shape
    (3.3, 9, 2.1, 6, 11, 1.7),
    ]
METHODS = [None, 'seed', 'service', 'service_lt', 'fixed']
NAMES = ['avg_daily', 'max_daily', 'std_daily', 'avg_lead_time',
    'max_lead_time', 'std_lead_time']


def number(value):
    "A typed literal: PostgreSQL types no bare parameter of a NULL"
    return Cast(Literal(value), 'FLOAT')


class SafetyFormulaSQLTestCase(DBTestCase):
    "SQL formulas against the Python reference"
    module = 'stock_safety_alert'

    def evaluate(self, *expressions):
        cursor = Transaction().connection.cursor()
        cursor.execute(*Select(list(expressions)))
        return cursor.fetchone()

    @with_transaction()
    def test_moments(self):
        for total, total_sq, count in [(8, 32, 10), (5, 25, 10),
                (0, 0, 365), (-3, 9, 7), (120.5, 9000.25, 365)]:
            self.assertEqual(
                [round(float(v), 9) for v in self.evaluate(
                        *formula_sql.moments(number(total),
                            number(total_sq), count))],
                [round(v, 9) for v in formula.moments(
                        total, total_sq, count)], (total, total_sq, count))

    @with_transaction()
    def test_round_up(self):
        for value, rounding in itertools.product(
                [-2, 0, 0.3, 23.2, 28.000000000000004, 28.2, 1.0000006],
                [0, 1, 0.1, 0.01, 12]):
            result, = self.evaluate(formula_sql.round_up(
                    number(value), number(rounding)))
            self.assertEqual(float(result),
                formula.round_up(value, rounding), (value, rounding))

    @with_transaction()
    def test_compute_every_method(self):
        for stats, method, level, costs, cover_days, fixed, rounding in (
                itertools.product(STATS, METHODS, [0.95, 0.99],
                    [(None, None, 2), (50, 0.2, 2), (50, 0.2, 0)],
                    [0, 30], [(None, None), (5, 20), (8, None)],
                    [0, 1, 0.5])):
            order_cost, holding_rate, cost = costs
            named = dict(zip(NAMES, stats))
            eoq = formula.economic_order_quantity(
                named['avg_daily'] * 365, order_cost, cost, holding_rate)
            expected = [None] * 3
            if method:
                values = formula.compute(method, named, service_level=level,
                    cover_days=cover_days, eoq=eoq, fixed_min=fixed[0],
                    fixed_max=fixed[1])
                safety, rop, maximum = (
                    formula.round_up(v, rounding) for v in values)
                expected = [safety, rop, max(maximum, rop)]

            row = {n: number(v) for n, v in named.items()}
            sql_eoq = formula_sql.economic_order_quantity(
                row['avg_daily'] * 365, order_cost, number(cost),
                holding_rate)
            safety, rop, maximum = (
                formula_sql.round_up(v, number(rounding))
                for v in formula_sql.compute(
                    Cast(Literal(method), 'VARCHAR'), row,
                    formula.z_score(level), cover_days, sql_eoq,
                    number(fixed[0]), number(fixed[1])))
            result = self.evaluate(safety, rop, Greatest(maximum, rop))
            case = (stats, method, level, costs, cover_days, fixed, rounding)
            if method is None:
                # NULL in, NULL out: the query does not round them
                self.assertEqual(
                    self.evaluate(*formula_sql.compute(
                            Cast(Literal(method), 'VARCHAR'), row,
                            formula.z_score(level), cover_days, sql_eoq,
                            number(fixed[0]), number(fixed[1]))),
                    (None, None, None), case)
                continue
            for got, want in zip(result, expected):
                self.assertAlmostEqual(float(got), want, places=6, msg=case)


del DBTestCase
