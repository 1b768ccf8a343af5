# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The formulas of formula.py as SQL expressions (python-sql), so that the
run computes the parameters of every product in one statement instead of a
Python loop. formula.py stays the reference the formulas are unit-tested
on; tests/test_formula_sql.py checks that both give the same numbers.

The statistics given here are never NULL (the query coalesces them) and
already clamped at zero where formula.compute() clamps them. An SQL
expression comes first in each product: python-sql has no reflected
operators."""
from sql import Literal, Null
from sql.conditionals import Case, Greatest
from sql.functions import Ceil, Round, Sqrt

ZERO = Literal(0.0)


def moments(total, total_sq, count):
    """Mean and population standard deviation from sums; count must not
    be zero (a window's days, or the samples of a row that has some)"""
    mean = total / count
    return mean, Sqrt(Greatest(total_sq / count - mean * mean, ZERO))


def seed_safety_stock(max_daily, max_lead_time, avg_daily, avg_lead_time):
    return Greatest(
        max_daily * max_lead_time - avg_daily * avg_lead_time, ZERO)


def service_safety_stock(z, std_daily, avg_lead_time):
    # sqrt(max(LT, 0)) is the 0 formula.py returns for LT <= 0
    return std_daily * z * Sqrt(Greatest(avg_lead_time, ZERO))


def service_lt_safety_stock(
        z, avg_daily, std_daily, avg_lead_time, std_lead_time):
    return Sqrt(Greatest(avg_lead_time, ZERO) * std_daily * std_daily
        + avg_daily * avg_daily * std_lead_time * std_lead_time) * z


def economic_order_quantity(annual_demand, order_cost, unit_cost,
        holding_rate):
    "order_cost and holding_rate are the configuration's (numbers)"
    if not order_cost or not holding_rate:
        return ZERO
    holding = unit_cost * holding_rate
    return Case(((annual_demand > 0) & (holding > 0),
            Sqrt(annual_demand * 2 * order_cost / holding)),
        else_=ZERO)


def compute(method, stats, z, cover_days, eoq, fixed_min, fixed_max):
    """(safety_stock, reorder_point, maximum) of formula.compute() for the
    method column; NULL when the method is"""
    avg_d, avg_lt = stats['avg_daily'], stats['avg_lead_time']
    safety = Case(
        (method == 'seed', seed_safety_stock(stats['max_daily'],
                Greatest(stats['max_lead_time'], avg_lt), avg_d, avg_lt)),
        (method == 'service', service_safety_stock(
                z, stats['std_daily'], avg_lt)),
        (method == 'service_lt', service_lt_safety_stock(
                z, avg_d, stats['std_daily'], avg_lt,
                stats['std_lead_time'])),
        else_=Null)
    reorder_point = avg_d * avg_lt + safety
    extra = Case((eoq > 0, eoq), else_=avg_d * (cover_days or 0))
    fixed = method == 'fixed'
    minimum = Case((fixed_min != Null, fixed_min), else_=ZERO)
    return (
        Case((fixed, ZERO), else_=safety),
        Case((fixed, minimum), else_=reorder_point),
        Case((fixed, Greatest(Case((fixed_max != Null, fixed_max),
                        else_=ZERO), minimum)),
            else_=reorder_point + extra))


def round_up(value, rounding):
    "formula.round_up(): whole units of the UoM, never below need"
    whole = Ceil(value / rounding - 5e-7) * rounding
    return Case(((rounding > 0) & (value > 0), Round(whole * 1e6) / 1e6),
        else_=Greatest(value, ZERO))
