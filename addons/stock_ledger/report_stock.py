"""Stock at a date: on-hand quantity and value by warehouse, zone, bin and
lot.

The zone of a bin is inherited from its ancestors; only
stock.location.zone.zones_for_locations knows that rule, so the lines are
computed into a table (one SQL aggregate, one zone update per zone, one
regrouping) instead of a table query, and shown by wizard session.
"""
import datetime as dt

from sql import Literal, Union
from sql.aggregate import Sum
from sql.functions import CurrentTimestamp, Round

from trytond import backend
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.factory_stock_ext.figures_value import (
    VALUE_DIGITS, is_zero, move_value, moves_up_to, settle, signed)
from trytond.pool import Pool
from trytond.pyson import Eval, PYSONEncoder
from trytond.tools import grouped_slice
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .report_common import (
    company_date, inside, strings, workbook)

# Keys kept by each grouping, from the coarsest to the finest
GROUPINGS = {
    'product': [],
    'warehouse': ['warehouse'],
    'zone': ['warehouse', 'zone'],
    'location': ['warehouse', 'zone', 'location'],
    'lot': ['warehouse', 'zone', 'location', 'lot'],
    }
# The holding a line is the stock of, within the product: where its value
# is settled to 0 when its quantity is (zone lines add up their bins)
HOLDINGS = {
    'product': [],
    'warehouse': ['warehouse'],
    'zone': ['location'],
    'location': ['location'],
    'lot': ['location', 'lot'],
    }
# Lines of abandoned sessions are dropped on the next run after a day
KEEP = dt.timedelta(days=1)


def not_empty(quantity, value):
    "SQL condition: a line of some quantity or value"
    return ~is_zero(quantity) | (value != 0)


class StockDateStart(ModelView):
    __name__ = 'stock.ledger.stock_date.start'
    __string__ = "Stock at Date"
    company = fields.Many2One('company.company', "Company", required=True)
    warehouse = fields.Many2One('stock.location', "Warehouse",
        domain=[('type', '=', 'warehouse')],
        help="Leave empty for all the warehouses of the company.")
    date = fields.Date("Date", required=True,
        help="The stock at the end of this day.")
    grouping = fields.Selection([
            ('product', "Product"),
            ('warehouse', "Warehouse"),
            ('zone', "Zone"),
            ('location', "Bin"),
            ('lot', "Bin and Lot"),
            ], "Grouping", required=True,
        help="The finest level of the lines, always per product.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return company_date(Transaction().context.get('company'))

    @classmethod
    def default_grouping(cls):
        return 'location'


class StockDate(ModelSQL, ModelView):
    __name__ = 'stock.ledger.stock_date'
    __string__ = "Stock at Date Line"
    session = fields.Integer("Session", readonly=True)
    company = fields.Many2One('company.company', "Company", readonly=True)
    date = fields.Date("Date", readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True,
        context={'company': Eval('company', -1)}, depends=['company'])
    warehouse = fields.Many2One('stock.location', "Warehouse", readonly=True)
    zone = fields.Many2One('stock.location.zone', "Zone", readonly=True)
    location = fields.Many2One('stock.location', "Bin", readonly=True)
    lot = fields.Many2One('stock.lot', "Lot", readonly=True)
    quantity = fields.Float("Quantity", readonly=True)
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'get_unit')
    value = fields.Numeric("Value", digits=(16, VALUE_DIGITS), readonly=True,
        help="On-hand quantity at the cost of the moves.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('product', 'ASC'), ('warehouse', 'ASC'), ('zone', 'ASC'),
            ('location', 'ASC'), ('lot', 'ASC'), ('id', 'ASC')]

    def get_unit(self, name):
        return self.product.default_uom.id

    @classmethod
    def fill(cls, session, company, date, grouping, warehouse=None):
        "Compute the lines of the session (replacing former ones)"
        pool = Pool()
        Zone = pool.get('stock.location.zone')
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        staging = -session
        cursor.execute(*table.delete(
                where=table.session.in_([session, staging])
                | (table.create_date < dt.datetime.now() - KEEP)))
        cursor.execute(*cls._bin_lines(staging, company, date, grouping,
                warehouse))

        cursor.execute(*table.select(table.location,
                where=table.session == staging, group_by=[table.location]))
        zones = {}
        for location, zone in Zone.zones_for_locations(
                [l for l, in cursor]).items():
            if zone:
                zones.setdefault(zone, []).append(location)
        for zone, location_ids in zones.items():
            for sub_ids in grouped_slice(
                    location_ids, backend.MAX_QUERY_PARAMS):
                cursor.execute(*table.update([table.zone], [zone],
                        where=(table.session == staging)
                        & table.location.in_(list(sub_ids))))

        if grouping == 'lot':
            cursor.execute(*table.update([table.session], [session],
                    where=table.session == staging))
        else:
            cursor.execute(*cls._regroup(staging, session, grouping))
            cursor.execute(*table.delete(where=table.session == staging))

    @classmethod
    def _bin_lines(cls, session, company, date, grouping, warehouse):
        """INSERT of the lines per product, bin and lot of the session,
        the flow that empties a holding of the grouping taking what is left
        of its value (figures_value.settle)"""
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        table = cls.__table__()
        move = Move.__table__()

        value = move_value(move)
        ends = []
        for end, incoming in [(move.to_location, 1), (move.from_location, 0)]:
            location = Location.__table__()
            parent = Location.__table__()
            ends.append(move
                .join(location, condition=end == location.id)
                .join(parent, type_='LEFT',
                    condition=(parent.type == 'warehouse')
                    & (parent.left <= location.left)
                    & (parent.right >= location.right))
                .select(move.id, move.effective_date.as_('date'),
                    move.product, parent.id.as_('warehouse'),
                    end.as_('location'), move.lot,
                    Literal(incoming).as_('incoming'),
                    move.internal_quantity.as_('quantity'),
                    value.as_('value'),
                    where=moves_up_to(move, company, date)
                    & inside(location, warehouse)))
        columns = ['id', 'date', 'product', 'warehouse', 'location', 'lot',
            'incoming', 'quantity', 'value']
        ends = settle(Union(*ends, all_=True), columns,
            ['product', *HOLDINGS[grouping]])
        incoming = ends.incoming == 1
        quantity = Sum(signed(incoming, ends.quantity))
        value = Round(Sum(signed(incoming, ends.value)), VALUE_DIGITS)
        query = ends.select(Literal(session), Literal(company), Literal(date),
            ends.product, ends.warehouse, ends.location, ends.lot,
            quantity, value,
            Literal(Transaction().user), CurrentTimestamp(),
            group_by=[ends.product, ends.warehouse, ends.location, ends.lot],
            having=not_empty(quantity, value))
        return table.insert([table.session, table.company, table.date,
                table.product, table.warehouse, table.location, table.lot,
                table.quantity, table.value, table.create_uid,
                table.create_date], query)

    @classmethod
    def _regroup(cls, staging, session, grouping):
        "INSERT of the staging lines summed up to the keys of the grouping"
        table = cls.__table__()
        source = cls.__table__()
        keys = GROUPINGS[grouping]
        columns = [getattr(source, k) if k in keys else Literal(None)
            for k in ['warehouse', 'zone', 'location', 'lot']]
        quantity = Sum(source.quantity)
        value = Round(Sum(source.value), VALUE_DIGITS)
        return table.insert([table.session, table.company, table.date,
                table.product, table.warehouse, table.zone, table.location,
                table.lot, table.quantity, table.value, table.create_uid,
                table.create_date],
            source.select(Literal(session), source.company, source.date,
                source.product, *columns, quantity, value,
                Literal(Transaction().user), CurrentTimestamp(),
                where=source.session == staging,
                group_by=[source.company, source.date, source.product,
                    *(getattr(source, k) for k in keys)],
                having=not_empty(quantity, value)))

    @classmethod
    def export_rows(cls, session, grouping):
        "(headers, rows) of the session for the workbook"
        names = ['product', 'unit', *GROUPINGS[grouping], 'quantity',
            'value']
        lines = cls.search([('session', '=', session)])
        return (strings(cls.__name__, names),
            [[getattr(l, n) for n in names] for l in lines])


class StockDateReport(Wizard):
    "Stock at Date"
    __name__ = 'stock.ledger.stock_date.report'
    start = StateView('stock.ledger.stock_date.start',
        'stock_ledger.stock_date_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'export', 'tryton-save'),
            Button("Open", 'open_', 'tryton-ok', default=True),
            ])
    open_ = StateAction('stock_ledger.act_stock_date')
    export = StateView('stock.ledger.report.export',
        'stock_ledger.report_export_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def _fill(self):
        pool = Pool()
        Line = pool.get('stock.ledger.stock_date')
        Line.fill(self._session_id, self.start.company.id, self.start.date,
            self.start.grouping, warehouse=self.start.warehouse)
        return self._session_id

    def do_open_(self, action):
        session = self._fill()
        action['pyson_domain'] = PYSONEncoder().encode(
            [('session', '=', session)])
        action['pyson_context'] = PYSONEncoder().encode({
                'company': self.start.company.id,
                })
        action['name'] += ' @ %s' % self.start.date
        return action, {}

    def default_export(self, fields):
        pool = Pool()
        Line = pool.get('stock.ledger.stock_date')
        session = self._fill()
        headers, rows = Line.export_rows(session, self.start.grouping)
        title = '%s %s' % (self.start.__names__()['model'], self.start.date)
        return {
            'file': workbook([(title, headers, rows)]),
            'filename': f'stock-{self.start.date}.xlsx',
            }
