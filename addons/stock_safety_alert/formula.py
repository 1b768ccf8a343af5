# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Pure safety-stock arithmetic, kept free of Tryton so that each formula is
unit-tested against hand-computed values and reused by the bench."""
import math
from statistics import NormalDist

METHODS = ['seed', 'service', 'service_lt', 'fixed']


def moments(total, total_sq, count):
    """Mean and population standard deviation from sums.

    `count` is the full number of observations (e.g. days of the window), so
    observations that were never stored (days without moves) count as zero.
    """
    if not count:
        return 0.0, 0.0
    mean = total / count
    # max(): rounding can make a zero variance slightly negative
    variance = max(total_sq / count - mean * mean, 0.0)
    return mean, math.sqrt(variance)


def z_score(service_level):
    "Standard normal quantile of the service level (0.95 -> 1.645)"
    if service_level is None or service_level <= 0:
        return 0.0
    service_level = min(service_level, 0.9999)
    return NormalDist().inv_cdf(service_level)


def seed_safety_stock(max_daily, max_lead_time, avg_daily, avg_lead_time):
    "The seed's formula: max usage x max lead time - avg usage x avg lead time"
    value = max_daily * max_lead_time - avg_daily * avg_lead_time
    return max(value, 0.0)


def service_safety_stock(service_level, std_daily, avg_lead_time):
    "z x sigma(daily usage) x sqrt(average lead time)"
    if avg_lead_time <= 0:
        return 0.0
    return z_score(service_level) * std_daily * math.sqrt(avg_lead_time)


def service_lt_safety_stock(
        service_level, avg_daily, std_daily, avg_lead_time, std_lead_time):
    "z x sqrt(LT x sigma_d^2 + d^2 x sigma_LT^2): lead time varies too"
    variance = (max(avg_lead_time, 0.0) * std_daily ** 2
        + avg_daily ** 2 * std_lead_time ** 2)
    return z_score(service_level) * math.sqrt(variance)


def economic_order_quantity(annual_demand, order_cost, unit_cost, holding_rate):
    "Wilson EOQ: sqrt(2 D S / H); 0 when a term is missing"
    holding = (unit_cost or 0) * (holding_rate or 0)
    if annual_demand <= 0 or not order_cost or holding <= 0:
        return 0.0
    return math.sqrt(2 * annual_demand * order_cost / holding)


def round_up(value, rounding):
    """Order points in whole units of the product's UoM, never below need.
    A need over a whole unit by float noise only (< 5e-7 unit) is that
    unit, and the result is rounded to 6 places (0.1 x 3 is 0.3): in
    float arithmetic that SQL does the same way (formula_sql)."""
    if not rounding or value <= 0:
        return max(value, 0.0)
    return round(math.ceil(value / rounding - 5e-7) * rounding * 1e6) / 1e6


def compute(method, stats, service_level=0.95, cover_days=30, eoq=0.0,
        fixed_min=None, fixed_max=None):
    """Return (safety_stock, reorder_point, maximum) for one product/warehouse.

    stats: dict with avg_daily, max_daily, std_daily, avg_lead_time,
    max_lead_time, std_lead_time (days).
    """
    avg_d = max(stats.get('avg_daily') or 0.0, 0.0)
    avg_lt = max(stats.get('avg_lead_time') or 0.0, 0.0)
    if method == 'fixed':
        # the hand-entered minimum is the reorder point; no safety stock
        # is implied, so only "below reorder point" can fire
        minimum = fixed_min or 0.0
        maximum = max(fixed_max or 0.0, minimum)
        return 0.0, minimum, maximum
    if method == 'seed':
        safety = seed_safety_stock(
            max(stats.get('max_daily') or 0.0, 0.0),
            max(stats.get('max_lead_time') or 0.0, avg_lt), avg_d, avg_lt)
    elif method == 'service':
        safety = service_safety_stock(
            service_level, stats.get('std_daily') or 0.0, avg_lt)
    elif method == 'service_lt':
        safety = service_lt_safety_stock(
            service_level, avg_d, stats.get('std_daily') or 0.0, avg_lt,
            stats.get('std_lead_time') or 0.0)
    else:
        raise ValueError(method)
    reorder_point = avg_d * avg_lt + safety
    # EOQ when costs are known, otherwise days of cover on top of the ROP
    extra = eoq if eoq > 0 else avg_d * (cover_days or 0)
    return safety, reorder_point, reorder_point + extra
