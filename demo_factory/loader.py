"""Bulk writer for the simulated history: buffered multi-row INSERTs.

Why SQL and not the ORM: the benchmark size (20k products, millions of moves)
would take hours through `Move.do()`. The rows written are the columns the ORM
itself stores for done moves and done documents, so Tryton reads them back as
its own (stock quantities, shipment lists, purchase history).
"""
import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sql import Table
from sql.aggregate import Max

from trytond.transaction import Transaction

FLUSH_ROWS = 20000

# Dict order is write order: stock_move last, after what it references
COLUMNS = {
    'stock_lot': ['id', 'number', 'product', 'active',
        'shelf_life_expiration_date'],
    'purchase_purchase': ['id', 'company', 'number', 'reference', 'party',
        'invoice_address', 'currency', 'warehouse', 'purchase_date',
        'state', 'invoice_method', 'invoice_state', 'shipment_state'],
    'purchase_line': ['id', 'purchase', 'sequence', 'type', 'product',
        'quantity', 'unit', 'unit_price', 'description'],
    'stock_shipment_in': ['id', 'company', 'number', 'supplier',
        'warehouse', 'warehouse_input', 'warehouse_storage', 'state',
        'planned_date', 'effective_date'],
    'stock_shipment_out': ['id', 'company', 'number', 'customer',
        'delivery_address', 'warehouse', 'warehouse_output',
        'warehouse_storage', 'state', 'planned_date', 'effective_date'],
    'stock_shipment_internal': ['id', 'company', 'number', 'from_location',
        'to_location', 'internal_transit_location', 'state',
        'planned_start_date', 'effective_start_date', 'planned_date',
        'effective_date'],
    'production': ['id', 'company', 'number', 'warehouse', 'location',
        'product', 'unit', 'quantity', 'state', 'planned_date',
        'planned_start_date', 'effective_date', 'effective_start_date',
        'type'],
    'stock_move': ['id', 'company', 'product', 'unit', 'quantity',
        'internal_quantity', 'from_location', 'to_location',
        'effective_date', 'planned_date', 'state', 'currency', 'unit_price',
        'cost_price', 'lot', 'shipment', 'origin', 'production_input',
        'production_output'],
    # what account_stock_continental books when a move is done
    'account_move': ['id', 'company', 'number', 'journal', 'period', 'date',
        'post_date', 'origin', 'state', 'description'],
    'account_move_line': ['id', 'move', 'account', 'debit', 'credit',
        'state'],
    }


@dataclass
class StockAccounts:
    "Where the history's stock account moves go"
    stock: int
    stock_in: int
    stock_out: int
    journal: int
    periods: list      # [(start date, end date, period id)] sorted

    def __post_init__(self):
        self.starts = [p[0] for p in self.periods]

    def period(self, date):
        index = bisect.bisect_right(self.starts, date) - 1
        start, end, id_ = self.periods[index]
        assert start <= date <= end, date
        return id_


class BulkWriter:
    """Allocates ids and buffers rows per table; writes them in big INSERTs
    in the order of `columns` (referenced tables first)"""

    def __init__(self, columns):
        self.columns = columns
        self.rows = defaultdict(list)
        self.next_id = {}
        self.counts = defaultdict(int)
        # Rows are stamped with the simulated day that made them, not the
        # build's clock: the count snapshot compares move stamps with the
        # time of the count, and a build is deterministic only without it
        self.stamp = dt.datetime(2000, 1, 1)
        self.resync()

    def resync(self):
        "Continue after the ids the ORM used since the last flush"
        cursor = Transaction().connection.cursor()
        for name in self.columns:
            table = Table(name)
            cursor.execute(*table.select(Max(table.id)))
            self.next_id[name] = max(self.next_id.get(name, 1),
                (cursor.fetchone()[0] or 0) + 1)

    def _add(self, table, values):
        id_ = self.next_id[table]
        self.next_id[table] += 1
        self.rows[table].append([id_] + values + [0, self.stamp])
        if len(self.rows[table]) >= FLUSH_ROWS:
            self.write_all()
        return id_

    def _write(self, name):
        rows = self.rows.pop(name, [])
        if not rows:
            return
        table = Table(name)
        columns = self.columns[name]
        cursor = Transaction().connection.cursor()
        # PostgreSQL caps a statement at 65535 parameters
        step = max(1, 60000 // (len(columns) + 2))
        for start in range(0, len(rows), step):
            chunk = rows[start:start + step]
            cursor.execute(*table.insert(
                    [getattr(table, c) for c in columns]
                    + [table.create_uid, table.create_date], chunk))
        self.counts[name] += len(rows)

    def write_all(self):
        for name in self.columns:
            self._write(name)

    def flush(self):
        "Write everything and move the id sequences past what was used"
        self.write_all()
        transaction = Transaction()
        for name in self.columns:
            transaction.database.setnextid(transaction.connection, name,
                self.next_id[name] + 1)


class Sink(BulkWriter):
    """The simulated history: done documents and their done moves, with the
    stock account moves account_stock_continental would have posted"""

    def __init__(self, company, currency, locations, addresses,
            accounting=None):
        # (from type, to type) -> continental move type, as the
        # reconciliation reads it (imported here: after the configuration)
        from trytond.modules.stock_ledger.reconcile_compute import MOVE_TYPES
        super().__init__(COLUMNS)
        self.move_types = MOVE_TYPES
        self.accounting = accounting
        cursor = Transaction().connection.cursor()
        location = Table('stock_location')
        cursor.execute(*location.select(location.id, location.type))
        self.types = dict(cursor.fetchall())
        self.company, self.currency = company, currency
        self.supplier = locations['supplier']
        self.customer = locations['customer']
        self.lost_found = locations['lost_found']
        self.transit = locations['transit']
        self.addresses = addresses

    def move(self, item, qty, from_loc, to_loc, date, shipment, origin=None,
            unit_price=None, lot=None, production_input=None,
            production_output=None):
        # core: a currency only with a unit price (moves from suppliers and
        # to customers), else its domain refuses the move on any write
        id_ = self._add('stock_move', [self.company, item.id, item.unit,
                float(qty), float(qty), from_loc, to_loc, date, date, 'done',
                self.currency if unit_price is not None else None,
                unit_price, item.cost, lot, shipment, origin,
                production_input, production_output])
        if self.accounting:
            self.account_move(id_, item, qty, from_loc, to_loc, date)
        return id_

    def account_move(self, move, item, qty, from_loc, to_loc, date):
        """The stock account move of a done move, as continental books it
        for a fixed cost price: quantity x cost against the stock account"""
        type_ = self.move_types.get((self.types[from_loc],
                self.types[to_loc]))
        if not type_:
            return
        amount = (Decimal(str(qty)) * item.cost).quantize(Decimal('0.01'))
        if not amount:
            return
        a = self.accounting
        period = a.period(date)
        id_ = self.next_id['account_move']
        self._add('account_move', [self.company, f'HST{id_:07d}', a.journal,
                period, date, date, f'stock.move,{move}', 'posted', None])
        if type_.startswith('in_'):
            lines = [(a.stock_in, 0, amount), (a.stock, amount, 0)]
        else:
            lines = [(a.stock_out, amount, 0), (a.stock, 0, amount)]
        for account, debit, credit in lines:
            self._add('account_move_line', [id_, account, debit, credit,
                    'valid'])

    def lot(self, item, number, expiry):
        id_ = self.next_id['stock_lot']
        return self._add('stock_lot', [f'{number}-{id_}', item.id, True,
                expiry])

    def purchase(self, supplier, site, date, lines, items):
        id_ = self.next_id['purchase_purchase']
        self._add('purchase_purchase', [self.company, f'HPO{id_:06d}',
                None, supplier, self.addresses[supplier], self.currency,
                site.warehouse, date, 'done', 'manual', 'none',
                'received'])
        stored = []
        for sequence, (index, qty) in enumerate(lines, 1):
            item = items[index]
            line = self._add('purchase_line', [id_, sequence, 'line',
                    item.id, float(qty), item.unit, item.cost, item.code])
            stored.append((index, qty, line))
        return {'id': id_, 'supplier': supplier, 'lines': stored}

    def shipment_in(self, purchase, site, date):
        id_ = self.next_id['stock_shipment_in']
        self._add('stock_shipment_in', [self.company, f'HIN{id_:06d}',
                purchase['supplier'], site.warehouse, site.input,
                site.storage, 'done', date, date])
        return f'stock.shipment.in,{id_}'

    def shipment_out(self, customer, site, date):
        id_ = self.next_id['stock_shipment_out']
        self._add('stock_shipment_out', [self.company, f'HOUT{id_:06d}',
                customer, self.addresses[customer], site.warehouse,
                site.output, site.storage, 'done', date, date])
        return f'stock.shipment.out,{id_}'

    def shipment_internal(self, from_site, to_site, start, end):
        id_ = self.next_id['stock_shipment_internal']
        self._add('stock_shipment_internal', [self.company, f'HINT{id_:06d}',
                from_site.storage, to_site.storage, self.transit, 'done',
                start, start, end, end])
        return f'stock.shipment.internal,{id_}'

    def production(self, item, qty, site, date):
        id_ = self.next_id['production']
        return self._add('production', [self.company, f'HMO{id_:06d}',
                site.warehouse, site.production, item.id, item.unit,
                float(qty), 'done', date, date, date, date, 'production'])
