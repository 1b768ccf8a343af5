# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Coalesce

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
        # products without a class are C; the subquery names the coalesced
        # class so that PostgreSQL can group by it
        rows = (param
            .join(abc, 'LEFT', condition=(abc.product == param.product)
                & (abc.warehouse == param.warehouse))
            .join(cost, 'LEFT', condition=(cost.product == param.product)
                & (cost.company == param.company))
            .select(
                param.id, param.warehouse,
                Coalesce(abc.abc_class, 'C').as_('abc_class'),
                (param.quantity * Coalesce(cost.cost_price, 0)).as_('value'),
                where=(param.company == company) & (param.quantity > 0)))
        return rows.select(
            Min(rows.id).as_('id'),
            rows.warehouse.as_('warehouse'),
            rows.abc_class.as_('abc_class'),
            Count(rows.id).as_('products'),
            Sum(rows.value).as_('value'),
            group_by=[rows.warehouse, rows.abc_class])
