"""收发存: opening, in, out and closing per product over a period (summary)
and the detail ledger (明细账) with a running balance.

Both are table queries over the done moves, driven by the context the
wizard sets; a move counts only when it crosses the border of the stock
(of the warehouse, or of every warehouse of the company), so a transfer
between two bins of the warehouse is neither in nor out.
"""
import datetime as dt

from sql import Literal, Null, Union, Window
from sql.aggregate import Sum
from sql.conditionals import Case
from sql.functions import Round

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.factory_stock_ext.figures_value import (
    VALUE_DIGITS, move_value, moves_up_to, settle, signed)
from trytond.pool import Pool
from trytond.pyson import Eval, PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .exceptions import LedgerReportError
from .report_common import (
    company_date, inside, strings, workbook)

CONTEXT_KEYS = ['company', 'ledger_from_date', 'ledger_to_date',
    'ledger_warehouse', 'ledger_product']


def ledger_context():
    "(company, from date, to date, warehouse, product) of the context"
    pool = Pool()
    Location = pool.get('stock.location')
    context = Transaction().context
    warehouse = context.get('ledger_warehouse')
    return (context.get('company') or -1,
        context.get('ledger_from_date') or dt.date.min,
        context.get('ledger_to_date') or dt.date.max,
        Location(warehouse) if warehouse else None,
        context.get('ledger_product'))


def border_moves():
    """Query of the moves up to the end of the period crossing the border,
    with incoming (1/0), quantity (default unit) and value; the issue that
    empties the stock of a product takes what is left of its value
    (figures_value.settle)"""
    return settle(_raw_border_moves(), ['id', 'product', 'date', 'lot',
            'from_location', 'to_location', 'incoming', 'quantity', 'value'],
        ['product'])


def _raw_border_moves():
    "border_moves() valued move by move"
    pool = Pool()
    Move = pool.get('stock.move')
    Location = pool.get('stock.location')
    move = Move.__table__()
    from_location = Location.__table__()
    to_location = Location.__table__()
    company, _, to_date, warehouse, product = ledger_context()

    from_inside = inside(from_location, warehouse)
    to_inside = inside(to_location, warehouse)
    where = (moves_up_to(move, company, to_date)
        & ((from_inside & ~to_inside) | (to_inside & ~from_inside)))
    if product:
        where &= move.product == product
    return (move
        .join(from_location, condition=move.from_location == from_location.id)
        .join(to_location, condition=move.to_location == to_location.id)
        .select(move.id, move.product, move.effective_date.as_('date'),
            move.lot, move.from_location, move.to_location,
            Case((to_inside, 1), else_=0).as_('incoming'),
            move.internal_quantity.as_('quantity'),
            move_value(move).as_('value'),
            where=where))


def summary_query():
    "Query of opening, in, out and closing per product"
    _, from_date, _, _, _ = ledger_context()
    moves = border_moves()
    before = moves.date < from_date
    incoming = moves.incoming == 1

    def total(column, condition):
        return Sum(Case((condition, column), else_=0))

    def money(expression):
        return Round(expression, VALUE_DIGITS)

    opening_quantity = total(signed(incoming, moves.quantity), before)
    opening_value = total(signed(incoming, moves.value), before)
    in_quantity = total(moves.quantity, ~before & incoming)
    in_value = total(moves.value, ~before & incoming)
    out_quantity = total(moves.quantity, ~before & ~incoming)
    out_value = total(moves.value, ~before & ~incoming)
    active = Sum(Case((before, 0), else_=1))
    return moves.select(
        moves.product.as_('product'),
        opening_quantity.as_('opening_quantity'),
        money(opening_value).as_('opening_value'),
        in_quantity.as_('in_quantity'),
        money(in_value).as_('in_value'),
        out_quantity.as_('out_quantity'),
        money(out_value).as_('out_value'),
        (opening_quantity + in_quantity - out_quantity).as_(
            'closing_quantity'),
        money(opening_value + in_value - out_value).as_('closing_value'),
        group_by=[moves.product],
        # Products without stock nor movement have no line
        having=(active > 0) | (opening_quantity != 0) | (opening_value != 0))


def nulls(*names):
    "Empty columns of a union branch"
    return [Literal(None).as_(n) for n in names]


class _LedgerMixin:
    __slots__ = ()
    company = fields.Many2One('company.company', "Company")
    product = fields.Many2One('product.product', "Product",
        context={'company': Eval('company', -1)}, depends=['company'])
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'get_unit')
    in_quantity = fields.Float("In Quantity")
    in_value = fields.Numeric("In Value", digits=(16, VALUE_DIGITS))
    out_quantity = fields.Float("Out Quantity")
    out_value = fields.Numeric("Out Value", digits=(16, VALUE_DIGITS))

    def get_unit(self, name):
        return self.product.default_uom.id


class Movement(_LedgerMixin, ModelSQL, ModelView):
    __name__ = 'stock.ledger.movement'
    __string__ = "Stock Movements Summary"
    opening_quantity = fields.Float("Opening Quantity")
    opening_value = fields.Numeric(
        "Opening Value", digits=(16, VALUE_DIGITS))
    closing_quantity = fields.Float("Closing Quantity")
    closing_value = fields.Numeric(
        "Closing Value", digits=(16, VALUE_DIGITS))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('product', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        company, *_ = ledger_context()
        summary = summary_query()
        # A product has one line: its id is the line id
        return summary.select(summary.product.as_('id'),
            Literal(company).as_('company'), summary.product,
            summary.opening_quantity, summary.opening_value,
            summary.in_quantity, summary.in_value,
            summary.out_quantity, summary.out_value,
            summary.closing_quantity, summary.closing_value)


class MovementLine(_LedgerMixin, ModelSQL, ModelView):
    __name__ = 'stock.ledger.movement.line'
    __string__ = "Stock Movements Ledger Line"
    date = fields.Date("Date")
    sequence = fields.Integer("Sequence")
    kind = fields.Selection([
            ('opening', "Opening Balance"),
            ('move', "Move"),
            ('closing', "Closing Balance"),
            ], "Kind")
    move = fields.Many2One('stock.move', "Move")
    lot = fields.Many2One('stock.lot', "Lot")
    from_location = fields.Many2One('stock.location', "From Location")
    to_location = fields.Many2One('stock.location', "To Location")
    quantity = fields.Float("Balance Quantity")
    value = fields.Numeric("Balance Value", digits=(16, VALUE_DIGITS))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('product', 'ASC'), ('date', 'ASC'),
            ('sequence', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        company, from_date, to_date, _, _ = ledger_context()
        moves = border_moves()
        incoming = moves.incoming == 1
        # Running balance over every move up to the end, opening included;
        # moves are ordered by date then id, as the ledger lists them
        window = Window([moves.product],
            order_by=[moves.date.asc, moves.id.asc])
        running = moves.select(moves.id, moves.product, moves.date,
            moves.lot, moves.from_location, moves.to_location,
            moves.incoming, moves.quantity, moves.value,
            Sum(signed(incoming, moves.quantity), window=window).as_(
                'balance_quantity'),
            Sum(signed(incoming, moves.value), window=window).as_(
                'balance_value'))
        summary = summary_query()

        def when(condition, column):
            return Case((condition, column), else_=Null)

        # Ids are unique: 3 × move id for moves, 3 × product id + 1 or + 2
        # for the opening and closing lines of a product
        lines = running.select(
            (running.id * 3).as_('id'), running.product, running.date,
            Literal(1).as_('sequence'), Literal('move').as_('kind'),
            running.id.as_('move'), running.lot, running.from_location,
            running.to_location,
            when(running.incoming == 1, running.quantity).as_('in_quantity'),
            when(running.incoming == 1, running.value).as_('in_value'),
            when(running.incoming == 0, running.quantity).as_(
                'out_quantity'),
            when(running.incoming == 0, running.value).as_('out_value'),
            running.balance_quantity.as_('quantity'),
            Round(running.balance_value, VALUE_DIGITS).as_('value'),
            where=running.date >= from_date)
        openings = summary.select(
            (summary.product * 3 + 1).as_('id'), summary.product,
            Literal(from_date).as_('date'),
            Literal(0).as_('sequence'), Literal('opening').as_('kind'),
            *nulls('move', 'lot', 'from_location', 'to_location',
                'in_quantity', 'in_value', 'out_quantity', 'out_value'),
            summary.opening_quantity.as_('quantity'),
            summary.opening_value.as_('value'))
        closings = summary.select(
            (summary.product * 3 + 2).as_('id'), summary.product,
            Literal(to_date).as_('date'),
            Literal(2).as_('sequence'), Literal('closing').as_('kind'),
            *nulls('move', 'lot', 'from_location', 'to_location'),
            summary.in_quantity, summary.in_value,
            summary.out_quantity, summary.out_value,
            summary.closing_quantity.as_('quantity'),
            summary.closing_value.as_('value'))
        union = Union(lines, openings, closings, all_=True)
        return union.select(union.id, Literal(company).as_('company'),
            union.product, union.date, union.sequence, union.kind,
            union.move, union.lot, union.from_location, union.to_location,
            union.in_quantity, union.in_value,
            union.out_quantity, union.out_value,
            union.quantity, union.value)


class MovementStart(ModelView):
    __name__ = 'stock.ledger.movement.start'
    __string__ = "Stock Movements Ledger"
    company = fields.Many2One('company.company', "Company", required=True)
    from_date = fields.Date("From Date", required=True)
    to_date = fields.Date("To Date", required=True)
    warehouse = fields.Many2One('stock.location', "Warehouse",
        domain=[('type', '=', 'warehouse')],
        help="Leave empty for all the warehouses of the company; "
        "transfers between them then are neither in nor out.")
    product = fields.Many2One('product.product', "Product",
        domain=[('type', '=', 'goods')],
        context={'company': Eval('company', -1)}, depends=['company'],
        help="Leave empty for every product.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_from_date(cls):
        return cls.default_to_date().replace(month=1, day=1)

    @classmethod
    def default_to_date(cls):
        return company_date(Transaction().context.get('company'))

    def context(self):
        "The context of the report models"
        if self.from_date > self.to_date:
            raise LedgerReportError(gettext(
                    'stock_ledger.msg_report_date_order',
                    from_date=self.from_date, to_date=self.to_date))
        return {
            'company': self.company.id,
            'ledger_from_date': self.from_date,
            'ledger_to_date': self.to_date,
            'ledger_warehouse': (
                self.warehouse.id if self.warehouse else None),
            'ledger_product': self.product.id if self.product else None,
            }


class MovementReport(Wizard):
    "Open or export the 收发存 summary and detail ledger"
    __name__ = 'stock.ledger.movement.report'
    start = StateView('stock.ledger.movement.start',
        'stock_ledger.movement_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'export', 'tryton-save'),
            Button("Detail", 'detail', 'tryton-list'),
            Button("Summary", 'summary', 'tryton-ok', default=True),
            ])
    summary = StateAction('stock_ledger.act_movement')
    detail = StateAction('stock_ledger.act_movement_line')
    export = StateView('stock.ledger.report.export',
        'stock_ledger.report_export_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def _action(self, action):
        action['pyson_context'] = PYSONEncoder().encode(self.start.context())
        action['name'] += ' %s – %s' % (
            self.start.from_date, self.start.to_date)
        return action, {}

    def do_summary(self, action):
        return self._action(action)

    def do_detail(self, action):
        return self._action(action)

    def default_export(self, fields):
        pool = Pool()
        Movement = pool.get('stock.ledger.movement')
        Line = pool.get('stock.ledger.movement.line')
        summary_names = ['product', 'unit',
            'opening_quantity', 'opening_value', 'in_quantity', 'in_value',
            'out_quantity', 'out_value', 'closing_quantity', 'closing_value']
        line_names = ['product', 'unit', 'date', 'kind', 'move', 'lot',
            'from_location', 'to_location', 'in_quantity', 'in_value',
            'out_quantity', 'out_value', 'quantity', 'value']
        with Transaction().set_context(self.start.context()):
            summaries = Movement.search([])
            lines = Line.search([])
            kinds = dict(Line.fields_get(['kind'])['kind']['selection'])
            sheets = [
                (Movement.__names__()['model'],
                    strings(Movement.__name__, summary_names),
                    [[getattr(s, n) for n in summary_names]
                        for s in summaries]),
                (Line.__names__()['model'],
                    strings(Line.__name__, line_names),
                    [[kinds[l.kind] if n == 'kind' else getattr(l, n)
                            for n in line_names] for l in lines]),
                ]
        return {
            'file': workbook(sheets),
            'filename': 'stock-ledger-%s-%s.xlsx' % (
                self.start.from_date, self.start.to_date),
            }
