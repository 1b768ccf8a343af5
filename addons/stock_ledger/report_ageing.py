"""Stock ageing: the on-hand quantity of a warehouse at a date spread over
receipt-date buckets.

First in, first out: what remains is what came in last, so the on-hand
quantity is attributed to the most recent incoming moves into the
warehouse, newest first (one window query, no loop per product).
"""
import datetime as dt

from sql import Literal, Window
from sql.aggregate import Max, Min, Sum
from sql.conditionals import Case, Greatest, Least, NullIf
from sql.functions import Round

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.factory_stock_ext.figures_value import (
    VALUE_DIGITS, ZERO_QUANTITY, move_value, moves_up_to, numeric, signed)
from trytond.pool import Pool
from trytond.pyson import Eval, PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .exceptions import LedgerReportError
from .report_common import (
    company_date, inside, strings, workbook)

LIMITS = [30, 90, 180, 365]
BUCKETS = len(LIMITS) + 1


def bucket_labels(limits):
    "'0–30', '31–90', ..., '>365' for the workbook headers"
    labels, low = [], 0
    for limit in limits:
        labels.append(f'{low}–{limit}')
        low = limit + 1
    return labels + [f'>{limits[-1]}']


class Ageing(ModelSQL, ModelView):
    __name__ = 'stock.ledger.ageing'
    __string__ = "Stock Ageing"
    company = fields.Many2One('company.company', "Company")
    product = fields.Many2One('product.product', "Product",
        context={'company': Eval('company', -1)}, depends=['company'])
    warehouse = fields.Many2One('stock.location', "Warehouse")
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'get_unit')
    quantity = fields.Float("Quantity")
    value = fields.Numeric("Value", digits=(16, VALUE_DIGITS))
    quantity_1 = fields.Float("Quantity Bucket 1")
    value_1 = fields.Numeric("Value Bucket 1", digits=(16, VALUE_DIGITS))
    quantity_2 = fields.Float("Quantity Bucket 2")
    value_2 = fields.Numeric("Value Bucket 2", digits=(16, VALUE_DIGITS))
    quantity_3 = fields.Float("Quantity Bucket 3")
    value_3 = fields.Numeric("Value Bucket 3", digits=(16, VALUE_DIGITS))
    quantity_4 = fields.Float("Quantity Bucket 4")
    value_4 = fields.Numeric("Value Bucket 4", digits=(16, VALUE_DIGITS))
    quantity_5 = fields.Float("Quantity Bucket 5")
    value_5 = fields.Numeric("Value Bucket 5", digits=(16, VALUE_DIGITS))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('product', 'ASC'), ('warehouse', 'ASC'),
            ('id', 'ASC')]

    def get_unit(self, name):
        return self.product.default_uom.id

    @classmethod
    def table_query(cls):
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        move = Move.__table__()
        warehouse = Location.__table__()
        from_location = Location.__table__()
        to_location = Location.__table__()
        context = Transaction().context
        company = context.get('company') or -1
        date = context.get('ageing_date') or dt.date.max
        limits = context.get('ageing_limits') or LIMITS

        from_inside = inside(from_location, warehouse)
        to_inside = inside(to_location, warehouse)
        where = (moves_up_to(move, company, date)
            & ((from_inside & ~to_inside) | (to_inside & ~from_inside)))
        if context.get('ageing_warehouse'):
            where &= warehouse.id == context['ageing_warehouse']
        # A transfer between warehouses is an out of one and an in of the
        # other: one row per warehouse it crosses
        moves = (move
            .join(from_location,
                condition=move.from_location == from_location.id)
            .join(to_location, condition=move.to_location == to_location.id)
            .join(warehouse, condition=warehouse.type == 'warehouse')
            .select(move.id, move.product, warehouse.id.as_('warehouse'),
                move.effective_date.as_('date'),
                Case((to_inside, 1), else_=0).as_('incoming'),
                move.internal_quantity.as_('quantity'),
                move_value(move).as_('value'),
                where=where))

        incoming = moves.incoming == 1
        partition = [moves.product, moves.warehouse]
        layers = moves.select(moves.id, moves.product, moves.warehouse,
            moves.date, moves.incoming, moves.quantity, moves.value,
            Sum(signed(incoming, moves.quantity),
                window=Window(partition)).as_('on_hand'),
            # Incoming quantity of this move and the newer ones
            Sum(Case((incoming, moves.quantity), else_=0),
                window=Window(partition,
                    order_by=[moves.date.desc, moves.id.desc])).as_('newer'))

        # What is left of a receipt once the newer ones are counted
        kept = Greatest(0, Least(layers.quantity,
                layers.on_hand - layers.newer + layers.quantity))
        kept_value = Round(numeric(kept) * layers.value
            / numeric(NullIf(layers.quantity, 0)), VALUE_DIGITS)
        # Bucket k holds receipts from (date - limit k) on, after the
        # younger buckets
        starts = [date - dt.timedelta(days=l) for l in limits]
        columns = []
        for index in range(BUCKETS):
            condition = layers.date >= starts[index] if index < len(
                starts) else Literal(True)
            if index:
                condition &= layers.date < starts[index - 1]
            columns.append(Sum(Case((condition, kept), else_=0)).as_(
                    f'quantity_{index + 1}'))
            columns.append(Round(Sum(Case((condition, kept_value),
                            else_=0)), VALUE_DIGITS).as_(
                    f'value_{index + 1}'))
        # A float residue of an emptied stock (5.6e-17 kg) is no stock
        return layers.select(
            Min(layers.id).as_('id'), Literal(company).as_('company'),
            layers.product, layers.warehouse,
            Max(layers.on_hand).as_('quantity'),
            Round(Sum(kept_value), VALUE_DIGITS).as_('value'),
            *columns,
            where=(layers.incoming == 1)
            & (layers.on_hand >= ZERO_QUANTITY),
            group_by=[layers.product, layers.warehouse])


class AgeingStart(ModelView):
    __name__ = 'stock.ledger.ageing.start'
    __string__ = "Stock Ageing"
    company = fields.Many2One('company.company', "Company", required=True)
    warehouse = fields.Many2One('stock.location', "Warehouse",
        domain=[('type', '=', 'warehouse')],
        help="Leave empty for every warehouse of the company.")
    date = fields.Date("Date", required=True)
    limit_1 = fields.Integer("Bucket 1 Up To", required=True,
        help="In days since the receipt.")
    limit_2 = fields.Integer("Bucket 2 Up To", required=True,
        help="In days since the receipt.")
    limit_3 = fields.Integer("Bucket 3 Up To", required=True,
        help="In days since the receipt.")
    limit_4 = fields.Integer("Bucket 4 Up To", required=True,
        help="In days since the receipt; older receipts are in bucket 5.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return company_date(Transaction().context.get('company'))

    @classmethod
    def default_limit_1(cls):
        return LIMITS[0]

    @classmethod
    def default_limit_2(cls):
        return LIMITS[1]

    @classmethod
    def default_limit_3(cls):
        return LIMITS[2]

    @classmethod
    def default_limit_4(cls):
        return LIMITS[3]

    @property
    def limits(self):
        limits = [self.limit_1, self.limit_2, self.limit_3, self.limit_4]
        if limits[0] < 0 or any(a >= b for a, b in zip(limits, limits[1:])):
            raise LedgerReportError(gettext(
                    'stock_ledger.msg_report_ageing_limits',
                    limits=', '.join(map(str, limits))))
        return limits

    def context(self):
        return {
            'company': self.company.id,
            'ageing_date': self.date,
            'ageing_warehouse': (
                self.warehouse.id if self.warehouse else None),
            'ageing_limits': self.limits,
            }


class AgeingReport(Wizard):
    "Open or export the stock ageing"
    __name__ = 'stock.ledger.ageing.report'
    start = StateView('stock.ledger.ageing.start',
        'stock_ledger.ageing_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'export', 'tryton-save'),
            Button("Open", 'open_', 'tryton-ok', default=True),
            ])
    open_ = StateAction('stock_ledger.act_ageing')
    export = StateView('stock.ledger.report.export',
        'stock_ledger.report_export_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def do_open_(self, action):
        action['pyson_context'] = PYSONEncoder().encode(self.start.context())
        # sao shows the part of a tab name after its last ' / ' (the menu
        # path separator) in the tab: the buckets are joined by commas,
        # or the tab read ">365)"
        action['name'] = gettext('stock_ledger.msg_report_ageing_title',
            name=action['name'], date=self.start.date,
            buckets=', '.join(bucket_labels(self.start.limits)))
        return action, {}

    def default_export(self, fields):
        pool = Pool()
        Ageing = pool.get('stock.ledger.ageing')
        names = ['product', 'unit', 'warehouse', 'quantity', 'value']
        buckets = [f'{kind}_{i}' for i in range(1, BUCKETS + 1)
            for kind in ['quantity', 'value']]
        quantity, value = strings(Ageing.__name__, ['quantity', 'value'])
        # Bucket headers say their days, in the user's language
        headers = strings(Ageing.__name__, names) + [
            f'{label} {string}'
            for label in bucket_labels(self.start.limits)
            for string in [quantity, value]]
        with Transaction().set_context(self.start.context()):
            rows = [[getattr(a, n) for n in names + buckets]
                for a in Ageing.search([])]
        title = '%s %s' % (Ageing.__names__()['model'], self.start.date)
        return {
            'file': workbook([(title, headers, rows)]),
            'filename': f'stock-ageing-{self.start.date}.xlsx',
            }
