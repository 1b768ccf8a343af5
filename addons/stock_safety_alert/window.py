# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The daily usage folded over the statistics window, per company,
warehouse and product: sum, sum of squares, maximum and the number of days
at the maximum, plus the last day with a net issue ever.

The run keeps these running totals instead of folding every usage row of
the window each night: the pending days are applied as they are merged,
the day that leaves the window is taken out, the day that enters is
added. Only a key whose maximum (or last outgoing day) was taken away is
read again from its usage rows; the days at the maximum are counted for
that. A missing or far-away start rebuilds the totals with one fold.
"""
import datetime as dt

from sql import Literal, Null
from sql.aggregate import Count, Max, Sum
from sql.conditionals import Case

from trytond.model import ModelSQL, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .bulk import (
    analyze, bulk_insert, bulk_update, execute_binary,
    leave_room_for_updates)
from .demand import chunks, in_
from .usage import KEYS, to_date

VALUES = ['total', 'total_sq', 'max_daily', 'max_days', 'last_out']
# beyond this, reading the days that left and entered costs about as much
# as folding the whole window again (a run missed for a month)
MAX_SHIFT = 31


class UsageWindow(ModelSQL):
    "Usage in Window"
    __name__ = 'stock.safety.usage.window'

    company = fields.Integer("Company", required=True)
    warehouse = fields.Integer("Warehouse", required=True)
    product = fields.Integer("Product", required=True)
    total = fields.Float("Net Quantity Out", required=True)
    total_sq = fields.Float("Sum of Squares", required=True)
    max_daily = fields.Float("Maximum Daily Usage",
        help="Of the days of the window that have a usage row.")
    max_days = fields.Integer("Days at Maximum", required=True)
    last_out = fields.Date("Last Outgoing",
        help="The last day with a net issue, in or before the window.")

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        leave_room_for_updates(cls)

    @classmethod
    def update(cls, start, old_start, changes):
        """Bring the totals to the window starting at start, from old_start
        (None: never built) and the pending days, now merged, as
        Usage.pending_days() read them"""
        if (old_start is None
                or abs((start - old_start).days) > MAX_SHIFT):
            cls.rebuild(start)
            return
        state = cls._load()
        touched, stale_max, stale_last = set(), set(), set()
        for key, date, old, new, _ in changes:
            row = state.setdefault(key, cls._empty())
            touched.add(key)
            if date >= old_start:
                cls._take(row, key, old, stale_max)
                cls._add(row, key, new, stale_max)
            if new > 0 and (row[5] is None or date > row[5]):
                row[5] = date
                stale_last.discard(key)
            elif (old is not None and old > 0 and new <= 0
                    and date == row[5]):
                stale_last.add(key)
        if start != old_start:
            low, high = sorted([old_start, start])
            for key, quantity in cls._days(low, high):
                row = state.setdefault(key, cls._empty())
                touched.add(key)
                if start > old_start:
                    cls._take(row, key, quantity, stale_max)
                else:
                    cls._add(row, key, quantity, stale_max)
        cls._recount(state, stale_max, stale_last, start)
        cls._save(state, touched)

    @staticmethod
    def _empty():
        "A key new to the totals: [id, total, total_sq, max, days, last]"
        return [None, 0.0, 0.0, None, 0, None]

    @staticmethod
    def _add(row, key, quantity, stale_max):
        "A usage day enters the totals"
        row[1] += quantity
        row[2] += quantity * quantity
        if row[3] is None or quantity > row[3]:
            row[3], row[4] = quantity, 1
            stale_max.discard(key)
        elif quantity == row[3]:
            row[4] += 1

    @staticmethod
    def _take(row, key, quantity, stale_max):
        "A usage day (None: none) leaves the totals"
        if quantity is None:
            return
        row[1] -= quantity
        row[2] -= quantity * quantity
        if quantity == row[3]:
            row[4] -= 1
            if row[4] <= 0:
                # another day may hold the same maximum or a lower one
                stale_max.add(key)

    @classmethod
    def _days(cls, low, high):
        "(key, quantity) of the merged usage rows from low to before high"
        Usage = Pool().get('stock.safety.usage')
        usage = Usage.__table__()
        cursor = Transaction().connection.cursor()
        execute_binary(cursor, usage.select(
                *(getattr(usage, k) for k in KEYS), usage.quantity,
                where=(usage.date >= low) & (usage.date < high)
                & (usage.pending == Literal(False))))
        return [((c, w, p), q) for c, w, p, q in cursor.fetchall()]

    @classmethod
    def _recount(cls, state, stale_max, stale_last, start):
        """Read again the maximum and its days, or the last outgoing day,
        of the keys that lost theirs"""
        Usage = Pool().get('stock.safety.usage')
        usage = Usage.__table__()
        cursor = Transaction().connection.cursor()
        merged = usage.pending == Literal(False)
        # a key with no row left in the window has no maximum, and one
        # with no issue left has no last outgoing day
        for key in stale_max:
            state[key][3:5] = [None, 0]
        for key in stale_last:
            state[key][5] = None
        products = sorted({k[2] for k in stale_max | stale_last})
        for sub in chunks(products):
            in_sub = in_(usage.product, sub)
            if stale_max:
                execute_binary(cursor, usage.select(
                        *(getattr(usage, k) for k in KEYS), usage.quantity,
                        Count(usage.id),
                        where=in_sub & merged & (usage.date >= start),
                        group_by=[*(getattr(usage, k) for k in KEYS),
                            usage.quantity]))
                for c, w, p, quantity, days in cursor.fetchall():
                    if (c, w, p) not in stale_max:
                        continue
                    row = state[c, w, p]
                    if row[3] is None or quantity > row[3]:
                        row[3:5] = [quantity, days]
            if stale_last:
                execute_binary(cursor, usage.select(
                        *(getattr(usage, k) for k in KEYS), Max(usage.date),
                        where=in_sub & merged & (usage.quantity > 0),
                        group_by=[getattr(usage, k) for k in KEYS]))
                for c, w, p, last in cursor.fetchall():
                    if (c, w, p) in stale_last:
                        state[c, w, p][5] = to_date(last)

    @classmethod
    def _load(cls):
        "{key: [id, total, total_sq, max_daily, max_days, last_out]}"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        execute_binary(cursor, table.select(table.id,
                *(getattr(table, k) for k in KEYS),
                *(getattr(table, v) for v in VALUES)))
        return {(c, w, p): [i, t, s, m, n, to_date(l)]
            for i, c, w, p, t, s, m, n, l in cursor.fetchall()}

    @classmethod
    def _save(cls, state, keys):
        bulk_update(cls, VALUES, [[state[k][0], *state[k][1:]]
                for k in sorted(keys) if state[k][0] is not None])
        now, user = dt.datetime.now(), Transaction().user
        bulk_insert(cls, KEYS + VALUES + ['create_uid', 'create_date'],
            [[*k, *state[k][1:], user, now]
                for k in sorted(keys) if state[k][0] is None])

    @classmethod
    def rebuild(cls, start):
        "Fold every merged usage row into the totals of the window"
        Usage = Pool().get('stock.safety.usage')
        table, usage = cls.__table__(), Usage.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.delete())
        qty = usage.quantity
        in_window = usage.date >= start
        cursor.execute(*table.insert(
                [*(getattr(table, k) for k in KEYS),
                    *(getattr(table, v) for v in VALUES), table.create_date],
                usage.select(*(getattr(usage, k) for k in KEYS),
                    Sum(Case((in_window, qty), else_=0)),
                    Sum(Case((in_window, qty * qty), else_=0)),
                    Max(Case((in_window, qty), else_=Null)), Literal(0),
                    Max(Case((qty > 0, usage.date), else_=Null)),
                    Literal(dt.datetime.now()),
                    where=usage.pending == Literal(False),
                    group_by=[getattr(usage, k) for k in KEYS])))
        # planned on the rows just inserted (a first run's empty table
        # joined 11M usage rows key by key for seconds)
        analyze(cls)
        # the days at the maximum, counted against the maximum just folded
        at_max = usage.join(table, condition=(
                (usage.company == table.company)
                & (usage.warehouse == table.warehouse)
                & (usage.product == table.product)
                & (usage.quantity == table.max_daily))).select(
            *(getattr(usage, k) for k in KEYS), Count(usage.id).as_('n'),
            where=in_window & (usage.pending == Literal(False)),
            group_by=[getattr(usage, k) for k in KEYS])
        target = cls.__table__()
        cursor.execute(*target.update([target.max_days], [at_max.n],
                from_=[at_max], where=(target.company == at_max.company)
                & (target.warehouse == at_max.warehouse)
                & (target.product == at_max.product)))

    @classmethod
    def clear(cls):
        "Forget the totals: the next run rebuilds them"
        Config = Pool().get('stock.safety.configuration')
        table, config = cls.__table__(), Config.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.delete())
        cursor.execute(*config.update([config.usage_window_start], [Null]))
