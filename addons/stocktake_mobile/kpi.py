from sql import Literal
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case
from sql.functions import Abs, ToChar

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

from .program import ABC


class Accuracy(ModelSQL, ModelView):
    "Count accuracy per month, zone, counter and ABC class (posted tasks)"
    __name__ = 'stocktake.accuracy'
    month = fields.Char("Month", help="YYYY-MM of the posting.")
    warehouse = fields.Many2One('stock.location', "Warehouse")
    zone = fields.Many2One('stock.location.zone', "Zone")
    counter = fields.Many2One('res.user', "Counter")
    abc_class = fields.Selection(ABC + [(None, "")], "ABC Class")
    lines = fields.Integer("Lines")
    lines_within = fields.Integer("Lines within Tolerance")
    accuracy = fields.Float("Accuracy", digits=(1, 4),
        help="Share of counted lines within tolerance.")
    variance_value = fields.Numeric("Variance Value", digits=(16, 2),
        help="Sum of absolute variance values.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        task = pool.get('stocktake.task').__table__()
        line = pool.get('stocktake.task.line').__table__()
        # Group on a subquery column: PostgreSQL cannot match a
        # parametrised to_char() between SELECT and GROUP BY
        rows = line.join(task, condition=line.task == task.id).select(
            line.id.as_('id'),
            ToChar(task.posted_date, 'YYYY-MM').as_('month'),
            task.warehouse.as_('warehouse'),
            task.zone.as_('zone'),
            line.first_counted_by.as_('counter'),
            line.abc_class.as_('abc_class'),
            line.within_tolerance.as_('within_tolerance'),
            line.variance_value.as_('variance_value'),
            where=(task.state == 'done'))
        within = Sum(Case((rows.within_tolerance == Literal(True), 1),
                else_=0))
        return rows.select(
            Min(rows.id).as_('id'),
            rows.month.as_('month'),
            rows.warehouse.as_('warehouse'),
            rows.zone.as_('zone'),
            rows.counter.as_('counter'),
            rows.abc_class.as_('abc_class'),
            Count(rows.id).as_('lines'),
            within.as_('lines_within'),
            (within * 1.0 / Count(rows.id)).as_('accuracy'),
            Sum(Abs(rows.variance_value)).as_('variance_value'),
            group_by=[rows.month, rows.warehouse, rows.zone, rows.counter,
                rows.abc_class])
