# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The safety-stock parameters of a snapshot's warehouses in SQL.

statistics_query() selects, per warehouse and product, the statistics
from the tables the run keeps up to date: the usage totals over the window
(window.py), the lead times (lead.py), the stock balance (balance.py), the
products' settings and ABC classes, and the cost prices. formulas() and
whole_units() then compute on the stored rows with formula_sql.py: in
steps, because PostgreSQL would evaluate an expression again for each
reference of a nested stage to it."""
from collections import defaultdict

from sql import Cast, Literal, Null, Select, Union, With
from sql.aggregate import Max, Sum
from sql.conditionals import Case, Coalesce, Greatest, NullIf

from trytond.pool import Pool

from . import formula, formula_sql
from .bulk import in_

# the columns of statistics_query(), in order: the parameter's names, then
# the settings the formulas read
STATISTICS = ['warehouse', 'product', 'method', 'critical', 'service_level',
    'quantity', 'total_demand', 'avg_daily', 'max_daily', 'std_daily',
    'last_out_date', 'lead_time_samples', 'avg_lead_time', 'max_lead_time',
    'std_lead_time']
SETTINGS = ['fixed_min', 'fixed_max', 'rounding', 'bought', 'cost']
# what formulas() and whole_units() add (orderable: the order point may be
# raised)
RESULTS = ['days_of_cover', 'safety_stock', 'reorder_point', 'max_quantity',
    'orderable']


def flag(column):
    "MAX() of a boolean, which PostgreSQL has no aggregate for"
    return Max(Case((column == True, 1), else_=0))  # noqa: E712


def settings_query():
    """Per active product: method and critical flag of its template and
    categories, fixed min/max, UoM rounding, and whether it is bought"""
    pool = Pool()
    Product = pool.get('product.product')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Rel = pool.get('product.template-product.category')
    Category = pool.get('product.category')
    product, template, uom = (Product.__table__(), Template.__table__(),
        Uom.__table__())
    rel, category = Rel.__table__(), Category.__table__()
    return (product
        .join(template, condition=product.template == template.id)
        .join(uom, condition=template.default_uom == uom.id)
        .join(rel, 'LEFT', condition=rel.template == template.id)
        .join(category, 'LEFT', condition=rel.category == category.id)
        .select(product.id.as_('product'),
            Max(template.safety_method).as_('method'),
            Max(category.safety_method).as_('category_method'),
            (flag(template.safety_critical)
                + flag(category.safety_critical)).as_('critical'),
            Max(template.safety_min_quantity).as_('fixed_min'),
            Max(template.safety_max_quantity).as_('fixed_max'),
            Max(uom.rounding).as_('rounding'),
            Max(Case(((template.type == 'goods')
                        & (Coalesce(template.consumable, False)
                            == False)  # noqa: E712
                        & (template.purchasable == True), 1),  # noqa: E712
                    else_=0)).as_('bought'),
            where=(product.active == True)  # noqa: E712
            & (template.active == True),  # noqa: E712
            group_by=[product.id]))


def stock_query(snapshot):
    """On hand per warehouse and product (stock.figures), as the
    snapshot's on_hand: a location's lot that sums to zero is no stock"""
    Figures = Pool().get('stock.figures')
    by_wh = defaultdict(list)
    for location, wh in snapshot.loc_wh.items():
        by_wh[wh].append(location)
    figures = Figures.on_hand_query(snapshot.company, snapshot.today,
        grouping=('product', 'lot'), locations=list(snapshot.loc_wh))
    if figures is None:
        return Select([Cast(Null, 'INTEGER').as_('warehouse'),
                Cast(Null, 'INTEGER').as_('product'),
                Cast(Null, 'FLOAT').as_('quantity')], where=Literal(False))
    lots = figures.select(figures.location, figures.product,
        figures.quantity, where=figures.quantity != 0)
    whens = [(in_(lots.location, locations), wh)
        for wh, locations in by_wh.items()]
    # a subquery, not GROUP BY <CASE>: its bound parameters would differ
    placed = lots.select(
        (Case(*whens, else_=Null) if whens
            else Cast(Null, 'INTEGER')).as_('warehouse'),
        lots.product, lots.quantity)
    return placed.select(placed.warehouse, placed.product,
        Sum(placed.quantity).as_('quantity'),
        group_by=[placed.warehouse, placed.product])


def lead_query(snapshot):
    "Lead-time sums per warehouse and product, the suppliers pooled"
    Lead = Pool().get('stock.safety.lead')
    lead = Lead.__table__()
    return lead.select(lead.warehouse, lead.product,
        Sum(lead.samples).as_('samples'), Sum(lead.total).as_('total'),
        Sum(lead.total_sq).as_('total_sq'),
        Max(lead.max_days).as_('max_days'),
        where=(lead.company == snapshot.company)
        & (lead.pending == Literal(False))
        & in_(lead.warehouse, snapshot.warehouses),
        group_by=[lead.warehouse, lead.product])


def statistics_query(snapshot, config):
    """One row per warehouse and product that has usage, stock, lead times
    or a method: its statistics and settings (STATISTICS + SETTINGS)"""
    pool = Pool()
    Window = pool.get('stock.safety.usage.window')
    ProductABC = pool.get('stock.product.abc')
    CostPrice = pool.get('product.cost_price')
    window = Window.__table__()
    abc = ProductABC.__table__()
    cost = CostPrice.__table__()
    # each is read twice (keys and values): computed once
    settings = With(query=settings_query())
    stock = With(query=stock_query(snapshot))
    lead = With(query=lead_query(snapshot))
    whs = snapshot.warehouses
    in_window = ((window.company == snapshot.company)
        & in_(window.warehouse, whs))
    managed = settings.select(settings.product,
        where=(NullIf(settings.method, '') != Null)
        | (NullIf(settings.category_method, '') != Null))
    if config.default_method:
        managed = settings.select(settings.product)
    key = Union(window.select(window.warehouse, window.product,
            where=in_window),
        stock.select(stock.warehouse, stock.product),
        lead.select(lead.warehouse, lead.product),
        *(managed.select(Literal(wh).as_('warehouse'), managed.product)
            for wh in whs))
    total = Coalesce(window.total, 0.0)
    avg_daily, std_daily = formula_sql.moments(
        total, Coalesce(window.total_sq, 0.0), config.window_days)
    lead_avg, lead_std = formula_sql.moments(lead.total, lead.total_sq,
        NullIf(lead.samples, 0))
    default_lt = float(config.default_lead_time or 0)
    measured = lead.product != Null
    critical = settings.critical > 0
    if config.critical_abc_a:
        critical |= Coalesce(abc.abc_class, '') == 'A'
    return (key
        .join(settings, condition=settings.product == key.product)
        .join(window, 'LEFT', condition=in_window
            & (window.warehouse == key.warehouse)
            & (window.product == key.product))
        .join(stock, 'LEFT', condition=(stock.warehouse == key.warehouse)
            & (stock.product == key.product))
        .join(lead, 'LEFT', condition=(lead.warehouse == key.warehouse)
            & (lead.product == key.product))
        .join(abc, 'LEFT', condition=(abc.warehouse == key.warehouse)
            & (abc.product == key.product))
        .join(cost, 'LEFT', condition=(cost.company == snapshot.company)
            & (cost.product == key.product))
        .select(key.warehouse, key.product,
            Coalesce(NullIf(settings.method, ''),
                NullIf(settings.category_method, ''),
                config.default_method or Null).as_('method'),
            critical.as_('critical'),
            Case((critical, config.critical_service_level),
                else_=config.service_level).as_('service_level'),
            Coalesce(stock.quantity, 0.0).as_('quantity'),
            total.as_('total_demand'),
            Greatest(avg_daily, 0.0).as_('avg_daily'),
            Greatest(Coalesce(window.max_daily, 0.0), 0.0).as_(
                'max_daily'),
            std_daily.as_('std_daily'),
            window.last_out.as_('last_out_date'),
            Coalesce(lead.samples, 0).as_('lead_time_samples'),
            Case((measured, Greatest(Coalesce(lead_avg, 0.0), 0.0)),
                else_=default_lt).as_('avg_lead_time'),
            Case((measured, Greatest(Coalesce(lead.max_days, 0.0), 0.0)),
                else_=default_lt).as_('max_lead_time'),
            Case((measured, Coalesce(lead_std, 0.0)),
                else_=0.0).as_('std_lead_time'),
            settings.fixed_min, settings.fixed_max, settings.rounding,
            settings.bought,
            Cast(Coalesce(cost.cost_price, 0), 'FLOAT').as_('cost'),
            with_=[settings, stock, lead]))


def formulas(row, config):
    """[(column, expression)]: days of cover, and safety stock, reorder
    point and maximum by the row's method, of a table holding
    statistics_query()'s columns"""
    z = Case((row.critical, formula.z_score(config.critical_service_level)),
        else_=formula.z_score(config.service_level))
    eoq = formula_sql.economic_order_quantity(row.avg_daily * 365,
        float(config.order_cost or 0), row.cost, config.holding_rate)
    safety, rop, maximum = formula_sql.compute(row.method,
        {n: getattr(row, n) for n in ['avg_daily', 'max_daily',
                'std_daily', 'avg_lead_time', 'max_lead_time',
                'std_lead_time']},
        z, config.cover_days, eoq, row.fixed_min, row.fixed_max)
    return [
        ('days_of_cover', Case((row.avg_daily > 0,
                    row.quantity / row.avg_daily), else_=Null)),
        ('safety_stock', safety), ('reorder_point', rop),
        ('max_quantity', maximum)]


def whole_units(row, raw):
    """[(column, expression)] that round formulas()'s results (raw:
    {column: expression}) up to whole units of the UoM and tell whether
    the order point may be raised"""
    managed = row.method != Null

    def whole(column):
        return Case((managed, formula_sql.round_up(raw[column],
                        row.rounding)),
            else_=Null)
    return [
        ('days_of_cover', raw['days_of_cover']),
        ('safety_stock', whole('safety_stock')),
        ('reorder_point', whole('reorder_point')),
        ('max_quantity', Case((managed, Greatest(
                        whole('max_quantity'), whole('reorder_point'))),
                else_=Null)),
        ('orderable', managed & (row.bought > 0)
            & ((row.method == 'fixed') | (row.total_demand > 0)
                | (row.quantity != 0)))]
