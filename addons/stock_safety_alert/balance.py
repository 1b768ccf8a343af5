# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Stock on hand per company, storage location, product and lot, with the
first receipt date, kept up to date as moves are done: a run reads one row
per item in stock instead of summing every move since the factory opened,
so its time does not grow with the years of history.

Moves append *pending* rows; the run merges them (pending.merge_pending).
It is rebuilt from the moves together with the daily usage.
"""
import datetime as dt
from collections import defaultdict

from sql import Cast, Literal, Null, Union
from sql.aggregate import Min, Sum

from trytond import backend
from trytond.model import Index, ModelSQL, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .bulk import bulk_insert, execute_binary, leave_room_for_updates
from .pending import PendingMixin, merge_pending

KEYS = ['company', 'location', 'product', 'lot']


class Balance(PendingMixin, ModelSQL):
    "Stock Balance"
    __name__ = 'stock.safety.balance'

    # Integers, not Many2One, as for the usage: rows derived from moves
    company = fields.Integer("Company", required=True)
    location = fields.Integer("Location", required=True)
    product = fields.Integer("Product", required=True)
    lot = fields.Integer("Lot")
    quantity = fields.Float("Quantity", required=True)
    first_in = fields.Date("First Receipt",
        help="Effective date of the first move into the location.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.location, Index.Range()),
                    (t.product, Index.Range())),
                })

    @classmethod
    def __register__(cls, module):
        pool = Pool()
        Config = pool.get('stock.safety.configuration')
        exists = backend.TableHandler.table_exist(cls._table)
        super().__register__(module)
        leave_room_for_updates(cls)
        if not exists:
            # Added to a database whose usage is already built: forget the
            # stored layout so that the next run builds both from the moves
            config = Config.__table__()
            Transaction().connection.cursor().execute(*config.update(
                    [config.usage_layout], [Null]))

    @classmethod
    def record(cls, moves, sign=1):
        """Append the stock effect of moves just done (sign 1) or of done
        moves just cancelled (sign -1) on storage locations"""
        sums, firsts = defaultdict(float), {}
        for move in moves:
            if not move.effective_date:
                continue
            lot = move.lot.id if move.lot else None
            qty = sign * move.internal_quantity
            for location, delta in [(move.to_location, qty),
                    (move.from_location, -qty)]:
                if location.type != 'storage':
                    continue
                key = (move.company.id, location.id, move.product.id, lot)
                sums[key] += delta
                if delta > 0 and sign > 0:
                    firsts[key] = min(firsts.get(key, move.effective_date),
                        move.effective_date)
        if sums:
            now, user = dt.datetime.now(), Transaction().user
            bulk_insert(cls, KEYS + ['quantity', 'first_in', 'pending',
                    'create_uid', 'create_date'],
                [[*k, q, firsts.get(k), True, user, now]
                    for k, q in sums.items()])

    @classmethod
    def compact(cls):
        merge_pending(cls, KEYS, ['quantity'], ['first_in'],
            nullable={'lot'})

    @classmethod
    def rebuild(cls):
        "Replace every row by the sums of the done moves"
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        table = cls.__table__()
        move, location = Move.__table__(), Location.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.delete())
        storage = location.select(location.id,
            where=location.type == 'storage')
        done = (move.state == 'done') & (move.effective_date != Null)
        flows = Union(
            move.select(move.company, move.to_location.as_('location'),
                move.product, move.lot, move.internal_quantity.as_('qty'),
                move.effective_date.as_('date'),
                where=done & move.to_location.in_(storage)),
            move.select(move.company, move.from_location.as_('location'),
                move.product, move.lot, (-move.internal_quantity).as_('qty'),
                Cast(Null, 'DATE').as_('date'),
                where=done & move.from_location.in_(storage)),
            all_=True)
        cursor.execute(*table.insert(
                [getattr(table, k) for k in KEYS] + [table.quantity,
                    table.first_in, table.pending, table.create_date],
                flows.select(*(getattr(flows, k) for k in KEYS),
                    Sum(flows.qty), Min(flows.date), Literal(False),
                    Literal(dt.datetime.now()),
                    group_by=[getattr(flows, k) for k in KEYS])))

    @classmethod
    def on_hand(cls, company, locations):
        """Rows (location, product, lot, quantity, first receipt) of the
        locations, pending rows included: moves done since the merge count"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        execute_binary(cursor, table.select(table.location, table.product,
                table.lot, Sum(table.quantity), Min(table.first_in),
                where=(table.company == company)
                & fields.SQL_OPERATORS['in'](table.location, list(locations)),
                group_by=[table.location, table.product, table.lot]))
        return cursor.fetchall()
