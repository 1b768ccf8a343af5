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

from sql import Cast, Column, Literal, Null, Union
from sql.aggregate import Max, Min, Sum
from sql.conditionals import Coalesce

from trytond import backend
from trytond.model import Index, ModelSQL, fields
from trytond.modules.factory_stock_ext.figures import as_date
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from .bulk import bulk_insert, leave_room_for_updates
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
    def is_built(cls):
        """Whether the rows hold every done move: built by a run (which
        stores the layout it built with) and kept since by the moves"""
        Config = Pool().get('stock.safety.configuration')
        config = Config.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*config.select(config.id,
                where=config.usage_layout != Null, limit=1))
        return cursor.fetchone() is not None

    @classmethod
    def forget(cls, locations):
        """The locations changed type: when moves were done on them, their
        rows no longer follow the one rule of what counts, and the next
        run builds the balance again (stock.figures reads core till then)"""
        pool = Pool()
        Config = pool.get('stock.safety.configuration')
        Usage = pool.get('stock.safety.usage')
        if locations and Usage._have_done_moves(locations):
            with without_check_access():
                Config.write([Config(1)], {'usage_layout': None})

    @classmethod
    def on_hand_query(cls, company, locations, today, products=None,
            grouping=('product',), lots=None):
        """stock.figures' on hand query at today (columns location,
        *grouping, quantity) from the rows, pending ones included (moves
        done since the merge count), less the moves done at a later date
        (core lets them be done after a warning)"""
        Move = Pool().get('stock.move')
        table, move = cls.__table__(), Move.__table__()
        rows = cls._figures_query(table, company, locations, products,
            grouping, table.quantity.as_('quantity'), grouped=False,
            lots=lots)
        # core's date expression: its index on (company, date, state)
        date = Coalesce(move.effective_date, move.planned_date)
        mine = (move.company == int(company)) & (move.state == 'done')
        later = mine & (date > today)
        # The usual case (none) asked apart, as the latest date: read from
        # the end of that index, where the planner would scan every move to
        # find no later one
        cursor = Transaction().connection.cursor()
        cursor.execute(*move.select(Max(date), where=mine))
        last = as_date(cursor.fetchone()[0])
        if last is None or last <= today:
            return cls._figures_query(table, company, locations, products,
                grouping, Sum(table.quantity).as_('quantity'), lots=lots)
        later = cls._asked(later, move, products, lots)
        keys = [getattr(move, g).as_(g) for g in grouping]
        for location, quantity in [
                (move.to_location, -move.internal_quantity),
                (move.from_location, move.internal_quantity)]:
            rows = Union(rows, move.select(location.as_('location'), *keys,
                    quantity.as_('quantity'),
                    where=later & fields.SQL_OPERATORS['in'](
                        location, list(locations))), all_=True)
        keys = [Column(rows, g) for g in grouping]
        return rows.select(rows.location.as_('location'),
            *(k.as_(g) for k, g in zip(keys, grouping)),
            Sum(rows.quantity).as_('quantity'),
            group_by=[rows.location, *keys])

    @classmethod
    def first_receipts_query(cls, company, locations, products=None,
            grouping=('product',)):
        "stock.figures' first receipts: columns location, *grouping, date"
        table = cls.__table__()
        first = Min(table.first_in)
        return cls._figures_query(table, company, locations, products,
            grouping, first.as_('date'), having=first != Null)

    @staticmethod
    def _asked(where, table, products, lots):
        "where, of the products and lots asked (None: any) of rows or moves"
        for column, ids in [(table.product, products), (table.lot, lots)]:
            if ids is not None:
                where &= fields.SQL_OPERATORS['in'](column, list(ids))
        return where

    @staticmethod
    def _figures_query(table, company, locations, products, grouping,
            figure, having=None, grouped=True, lots=None):
        where = Balance._asked((table.company == int(company))
            & fields.SQL_OPERATORS['in'](table.location, list(locations)),
            table, products, lots)
        keys = [getattr(table, g) for g in grouping]
        return table.select(table.location.as_('location'),
            *(k.as_(g) for k, g in zip(keys, grouping)), figure,
            where=where, having=having,
            group_by=[table.location, *keys] if grouped else None)
