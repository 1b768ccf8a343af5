# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Daily net usage per company, warehouse and product, kept up to date as
moves are done, so that statistics start from one narrow row per product
and day instead of grouping every move of the year by day again (and the
run keeps their totals over the window: window.py).

Done and cancelled moves append *pending* rows (no row is ever updated by
them, so two clerks issuing the same component never contend on a row);
the run, under its lock, merges the pending rows into one row per key.
A change of the location tree (a bin moved to another warehouse) or a
first run rebuilds the whole table from the moves.
"""
import datetime as dt
import json
from collections import Counter, defaultdict

from sql import Literal, Null
from sql.aggregate import Sum
from sql.conditionals import Case

from trytond.model import Index, ModelSQL, fields
from trytond.modules.factory_stock_ext.figures import as_date as to_date
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import (
    Transaction, inactive_records, without_check_access)

from .bulk import bulk_insert, bulk_update, chunks, execute_binary, in_
from .pending import PendingMixin

CONSUMER_TYPES = ['customer', 'production']
KEYS = ['company', 'warehouse', 'product']
# a day with this many pending keys has its merged rows read whole (one
# range of the date index) instead of looked up key by key
WHOLE_DAY = 1000


def warehouse_map():
    """({storage location: its nearest warehouse}, [consumer locations]),
    inactive locations included: their history is still usage"""
    Location = Pool().get('stock.location')
    loc_wh = {}
    with inactive_records():
        # deepest warehouses first: a nested one owns its own bins
        for wh in Location.search([('type', '=', 'warehouse')],
                order=[('left', 'DESC')]):
            for location in Location.search([
                        ('parent', 'child_of', [wh.id]),
                        ('type', '=', 'storage'),
                        ]):
                loc_wh.setdefault(location.id, wh.id)
        consumers = [l.id for l in Location.search(
                [('type', 'in', CONSUMER_TYPES)])]
    return loc_wh, consumers


def dump_layout(loc_wh, consumers):
    "The mapping the rows are made with, as stored on the configuration"
    return json.dumps({'warehouses': sorted(loc_wh.items()),
            'consumers': sorted(consumers)}, separators=(',', ':'))


def changed_locations(layout, loc_wh, consumers):
    """Locations whose stored role changed or went; None when there is no
    stored layout. (A location that joins a warehouse from outside any
    with usage history of its own needs Usage.rebuild().)"""
    if not layout:
        return None
    old = json.loads(layout)
    old_wh = dict(map(tuple, old['warehouses']))
    changed = {l for l, wh in old_wh.items() if loc_wh.get(l) != wh}
    return changed | (set(old['consumers']) - set(consumers))


class Usage(PendingMixin, ModelSQL):
    "Daily Net Usage"
    __name__ = 'stock.safety.usage'

    # Integers, not Many2One: the foreign-key checks made the rebuild of a
    # year of usage five times slower, and these rows are derived from
    # moves (whose own keys hold), never edited
    company = fields.Integer("Company", required=True)
    warehouse = fields.Integer("Warehouse", required=True)
    product = fields.Integer("Product", required=True)
    date = fields.Date("Date", required=True)
    quantity = fields.Float("Net Quantity Out", required=True,
        help="Issued to production and customers minus their returns.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # Only merged rows are looked up by these: the merge probes them
        # once per pending row (mostly today's, which has no merged row
        # yet: a miss in a small index instead of fetching the pending
        # rows themselves), and moves append pending rows without them
        merged = t.pending == Literal(False)
        cls._sql_indexes.update({
                # the merge of pending rows looks up their days
                Index(t, (t.product, Index.Range()), (t.date, Index.Range()),
                    where=merged),
                # the days that leave or enter the window (window.py)
                Index(t, (t.date, Index.Range()), where=merged),
                })

    @classmethod
    def record(cls, moves, sign=1):
        """Append the usage of moves just done (sign 1) or of done moves
        just cancelled (sign -1)"""
        sums = defaultdict(float)
        warehouses = {}

        def warehouse(location):
            if location.id not in warehouses:
                warehouses[location.id] = (location.warehouse.id
                    if location.type == 'storage' and location.warehouse
                    else None)
            return warehouses[location.id]
        for move in moves:
            if not move.effective_date:
                continue
            from_, to = move.from_location, move.to_location
            if to.type in CONSUMER_TYPES and warehouse(from_):
                wh, qty = warehouse(from_), move.internal_quantity
            elif from_.type in CONSUMER_TYPES and warehouse(to):
                wh, qty = warehouse(to), -move.internal_quantity
            else:
                continue
            sums[move.company.id, wh, move.product.id,
                move.effective_date] += sign * qty
        if sums:
            now, user = dt.datetime.now(), Transaction().user
            bulk_insert(cls, ['company', 'warehouse', 'product', 'date',
                    'quantity', 'pending', 'create_uid', 'create_date'],
                [[*k, q, True, user, now] for k, q in sorted(sums.items())])

    @classmethod
    def bring_up_to_date(cls, start=None):
        """Merge the pending rows of the usage and of the stock balance, or
        rebuild both when the location tree changed since the usage was
        made (or they never were); then bring the totals of the window
        and the lead times to start, when given. Called by the run under
        its lock."""
        pool = Pool()
        Config = pool.get('stock.safety.configuration')
        Balance = pool.get('stock.safety.balance')
        Window = pool.get('stock.safety.usage.window')
        Lead = pool.get('stock.safety.lead')
        loc_wh, consumers = warehouse_map()
        layout = dump_layout(loc_wh, consumers)
        config = Config(1)
        window_start = config.usage_window_start
        changes = []
        if config.usage_layout == layout:
            rebuild = False
        else:
            changed = changed_locations(
                config.usage_layout, loc_wh, consumers)
            # a location new to the layout has had its moves appended with
            # the warehouse it has; only one whose role changed carries
            # history made under another warehouse
            rebuild = changed is None or cls._have_done_moves(changed)
        if rebuild:
            cls.rebuild(loc_wh, consumers)
            # per location, so no layout change can stale it; rebuilt with
            # the usage so that one stored layout says both are built
            Balance.rebuild()
            window_start = None
        else:
            days = cls.pending_days()
            cls.merge(days)
            Balance.compact()
            if window_start is not None:
                changes = days
        # without a start the totals stay where they are, pending days in
        target = start if start is not None else window_start
        if target is not None:
            Window.update(target, window_start, changes)
            Lead.update(target, window_start)
        window_start = target
        if (config.usage_layout, config.usage_window_start) != (
                layout, window_start):
            with without_check_access():
                Config.write([config], {
                        'usage_layout': layout,
                        'usage_window_start': window_start,
                        })

    @classmethod
    def _have_done_moves(cls, locations):
        "Whether a done move touches the locations"
        Move = Pool().get('stock.move')
        move = Move.__table__()
        cursor = Transaction().connection.cursor()
        for sub in grouped_slice(list(locations), 1000):
            sub = list(sub)
            cursor.execute(*move.select(Literal(1),
                    where=(move.state == 'done')
                    & (move.from_location.in_(sub)
                        | move.to_location.in_(sub)),
                    limit=1))
            if cursor.fetchone():
                return True
        return False

    @classmethod
    def rebuild(cls, loc_wh=None, consumers=None):
        """Replace every row by the daily sums of the done moves; the
        totals of the window are rebuilt by the next run"""
        pool = Pool()
        Move = pool.get('stock.move')
        pool.get('stock.safety.usage.window').clear()
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        if loc_wh is None:
            loc_wh, consumers = warehouse_map()
        cursor.execute(*table.delete())
        internal = list(loc_wh)
        if not consumers or not internal:
            return
        move = Move.__table__()
        out = move.to_location.in_(consumers)
        # the warehouse side of the move: where it left from or came back to
        side = Case((out, move.from_location), else_=move.to_location)
        by_wh = defaultdict(list)
        for loc, wh in loc_wh.items():
            by_wh[wh].append(loc)
        flows = move.select(
            move.company, move.product,
            Case(*((side.in_(locs), wh) for wh, locs in by_wh.items()),
                else_=Null).as_('warehouse'),
            move.effective_date.as_('date'),
            Case((out, move.internal_quantity),
                else_=-move.internal_quantity).as_('qty'),
            where=(move.state == 'done') & (move.effective_date != Null)
            & ((move.from_location.in_(internal) & out)
                | (move.from_location.in_(consumers)
                    & move.to_location.in_(internal))))
        # a subquery, not GROUP BY <CASE>: bound parameters would differ;
        # no create_uid: its foreign-key check per row would be most of it
        cursor.execute(*table.insert(
                [table.company, table.warehouse, table.product, table.date,
                    table.quantity, table.pending, table.create_date],
                flows.select(
                    flows.company, flows.warehouse, flows.product,
                    flows.date, Sum(flows.qty), Literal(False),
                    Literal(dt.datetime.now()),
                    group_by=[flows.company, flows.warehouse, flows.product,
                        flows.date])))

    @classmethod
    def pending_days(cls):
        """[(key, date, old, new, id)] of the pending usage summed per key
        and day: old is the merged quantity and id its row (None without
        one), new what the merge makes of it"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        keys = [getattr(table, k) for k in KEYS + ['date']]
        execute_binary(cursor, table.select(*keys, Sum(table.quantity),
                where=table.pending == Literal(True), group_by=keys))
        pending = [((c, w, p), to_date(d), delta)
            for c, w, p, d, delta in cursor.fetchall()]
        per_day = Counter(d for _, d, _ in pending)
        whole = {d for d, n in per_day.items() if n >= WHOLE_DAY}
        sparse = [d for d in per_day if d not in whole]
        merged = {}
        is_merged = table.pending == Literal(False)
        for sub in chunks(sorted(whole)):
            execute_binary(cursor, table.select(table.id, *keys,
                    table.quantity, where=is_merged & in_(table.date, sub)))
            merged.update(((c, w, p, to_date(d)), (i, q))
                for i, c, w, p, d, q in cursor.fetchall())
        if sparse:
            # key by key through the (product, date) index of merged rows
            days = table.select(*keys, where=(table.pending == Literal(True))
                & in_(table.date, sparse), group_by=keys)
            row = cls.__table__()
            execute_binary(cursor, days.join(row, condition=(
                        (row.company == days.company)
                        & (row.warehouse == days.warehouse)
                        & (row.product == days.product)
                        & (row.date == days.date)
                        & (row.pending == Literal(False)))).select(
                    row.id, row.company, row.warehouse, row.product,
                    row.date, row.quantity))
            merged.update(((c, w, p, to_date(d)), (i, q))
                for i, c, w, p, d, q in cursor.fetchall())
        result = []
        for key, date, delta in pending:
            row_id, old = merged.get((*key, date), (None, None))
            result.append((key, date, old,
                    (old if old is not None else 0.0) + delta, row_id))
        return result

    @classmethod
    def merge(cls, days):
        """Fold the pending rows into merged rows as pending_days() read
        them, on the same snapshot: rows appended by transactions still
        running are neither read nor deleted, and wait for the next run"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        bulk_update(cls, ['quantity'],
            sorted([i, new] for _, _, _, new, i in days if i is not None))
        # no create_uid: its foreign-key check per row would be most of it
        now = dt.datetime.now()
        # in the order of the (product, date) index: its pages are then
        # visited once each, in turn (20,000 products: a day's insert took
        # 0.19 s sorted against 0.30-0.47 s in the aggregate's order)
        bulk_insert(cls, KEYS + ['date', 'quantity', 'pending',
                'create_date'],
            sorted(([*key, date, new, False, now]
                    for key, date, _, new, i in days if i is None),
                key=lambda row: (row[2], row[3])))
        cursor.execute(*table.delete(where=table.pending == Literal(True)))
