# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from sql import Null, Window
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import RowNumber

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction



class AlertHistory(ModelSQL, ModelView):
    "Stock Alert History"
    __name__ = 'stock.alert.history'
    # One row per day, warehouse and type, written by the scheduled task:
    # alerts are upserted in place, so the trend needs its own record.
    date = fields.Date("Date", readonly=True)
    company = fields.Many2One('company.company', "Company", readonly=True)
    warehouse = fields.Many2One('stock.location', "Warehouse", readonly=True)
    type = fields.Selection('get_types', "Type", readonly=True)
    count = fields.Integer("Active Alerts", readonly=True)
    value = fields.Numeric("Value at Cost", digits=(16, 2), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'ASC'), ('type', 'ASC'), ('id', 'ASC')]

    @classmethod
    def get_types(cls):
        Alert = Pool().get('stock.alert')
        return Alert.fields_get(['type'])['type']['selection']


class ABCValue(ModelSQL, ModelView):
    "Stock Value by ABC Class"
    __name__ = 'stock.safety.abc_value'
    warehouse = fields.Many2One('stock.location', "Warehouse", readonly=True)
    abc_class = fields.Selection([
            ('A', "A"), ('B', "B"), ('C', "C"),
            ], "ABC Class", readonly=True)
    products = fields.Integer("Products", readonly=True)
    value = fields.Numeric("Stock Value at Cost", digits=(16, 2),
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('warehouse', 'ASC'), ('abc_class', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        "On-hand value of the last computation, grouped by ABC class"
        pool = Pool()
        Parameter = pool.get('stock.safety.parameter')
        ABC = pool.get('stock.product.abc')
        CostPrice = pool.get('product.cost_price')
        param, abc = Parameter.__table__(), ABC.__table__()
        cost = CostPrice.__table__()
        company = Transaction().context.get('company') or -1
        # the subquery names the class so that PostgreSQL can group by it
        rows = (param
            .join(abc, 'LEFT', condition=(abc.product == param.product)
                & (abc.warehouse == param.warehouse))
            .join(cost, 'LEFT', condition=(cost.product == param.product)
                & (cost.company == param.company))
            .select(
                param.id, param.warehouse,
                ABC.sql_class(abc).as_('abc_class'),
                (param.quantity * Coalesce(cost.cost_price, 0)).as_('value'),
                where=(param.company == company) & (param.quantity > 0)))
        return rows.select(
            Min(rows.id).as_('id'),
            rows.warehouse.as_('warehouse'),
            rows.abc_class.as_('abc_class'),
            Count(rows.id).as_('products'),
            Sum(rows.value).as_('value'),
            group_by=[rows.warehouse, rows.abc_class])


class AlertCount(ModelSQL, ModelView):
    "Active Alerts"
    __name__ = 'stock.safety.alert_count'
    __string__ = "Active Alerts"
    # The board's charts by type and by zone read one row per type and zone
    # instead of every alert: on a year of history (300 alerts) they made
    # ~100 reads and the board took 6-15 s to draw
    type = fields.Char("Type Key", readonly=True)
    type_name = fields.Function(fields.Char("Type"), 'get_type_name')
    zone = fields.Many2One('stock.location.zone', "Zone", readonly=True)
    counter = fields.Integer("Alerts", readonly=True)

    @classmethod
    def table_query(cls):
        "Alerts not resolved of the company, per type and zone"
        alert = Pool().get('stock.alert').__table__()
        company = Transaction().context.get('company') or -1
        return alert.select(
            Min(alert.id).as_('id'), alert.type, alert.zone,
            Count(alert.id).as_('counter'),
            where=(alert.state != 'resolved') & (alert.company == company),
            group_by=[alert.type, alert.zone])

    @classmethod
    def get_type_name(cls, rows, name):
        "The alert type's label (stock.alert names it)"
        return Pool().get('stock.alert').get_type_name(rows, name)


class OverstockValue(ModelSQL, ModelView):
    "Overstock Cash Tied Up"
    __name__ = 'stock.safety.overstock_value'
    __string__ = "Overstock Cash Tied Up"
    # The products with the most cash in open overstock alerts, one row
    # each, and the others summed in one row: a chart of hundreds of bars
    # cannot be read
    product = fields.Many2One('product.product', "Product", readonly=True)
    name = fields.Function(fields.Char("Product"), 'get_name',
        searcher='search_name')
    alerts = fields.Integer("Alerts", readonly=True)
    value = fields.Numeric("Value at Cost", digits=(16, 2), readonly=True)
    TOP = 10

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'ASC')]

    @classmethod
    def table_query(cls):
        "Open overstock value per product; the id is the product's rank"
        Alert = Pool().get('stock.alert')
        alert = Alert.__table__()
        company = Transaction().context.get('company') or -1
        per_product = alert.select(
            alert.product, Count(alert.id).as_('alerts'),
            Sum(alert.value).as_('value'),
            where=(alert.type == 'overstock') & (alert.state != 'resolved')
            & (alert.company == company),
            group_by=[alert.product])
        rank = RowNumber(window=Window([], order_by=[
                    per_product.value.desc, per_product.product.asc]))
        ranked = per_product.select(
            per_product.product, per_product.alerts, per_product.value,
            rank.as_('rank'))
        top = ranked.rank <= cls.TOP
        bucket = ranked.select(
            Case((top, ranked.rank), else_=cls.TOP + 1).as_('bucket'),
            Case((top, ranked.product), else_=Null).as_('product'),
            ranked.alerts, ranked.value)
        return bucket.select(
            bucket.bucket.as_('id'),
            Max(bucket.product).as_('product'),
            Sum(bucket.alerts).as_('alerts'),
            Sum(bucket.value).as_('value'),
            group_by=[bucket.bucket])

    @classmethod
    def search_name(cls, name, clause):
        return [('product.rec_name',) + tuple(clause[1:])]

    @classmethod
    def get_name(cls, records, name):
        others = gettext('stock_safety_alert.msg_overstock_others')
        return {r.id: r.product.rec_name if r.product else others
            for r in records}
