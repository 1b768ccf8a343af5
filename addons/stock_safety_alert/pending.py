# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Merge of the pending rows that moves append to a derived table.

Moves only insert (two clerks issuing the same component never contend on
a row); the run, under its lock, folds the pending rows into one merged row
per key in three statements on one snapshot: rows appended by transactions
still running are not seen, so not deleted, and wait for the next run.
(The daily usage reads its pending days first for the window totals and
merges from what it read: Usage.pending_days and Usage.merge.)
"""
import datetime as dt

from sql import Literal, Null
from sql.aggregate import Min, Sum
from sql.conditionals import Case, Coalesce
from sql.operators import And, Exists

from trytond.model import Index, fields
from trytond.transaction import Transaction


class PendingMixin:
    "Rows that moves append as pending and the run merges"
    __slots__ = ()
    pending = fields.Boolean("Pending",
        help="Appended by a move; merged by the next run.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # the merge reads only the pending rows: a partial index
        cls._sql_indexes.add(
            Index(t, (t.pending, Index.Equality(cardinality='low')),
                where=t.pending == Literal(True)))

    @classmethod
    def default_pending(cls):
        return True


def merge_pending(Model, keys, sums, mins=(), nullable=()):
    """Fold Model's pending rows into its merged rows: columns `sums` add
    up, columns `mins` keep the earliest; `nullable` keys match NULL to
    NULL"""
    table, base, other = (Model.__table__() for _ in range(3))
    cursor = Transaction().connection.cursor()
    pending = table.select(*(getattr(table, k) for k in keys),
        *(Sum(getattr(table, c)).as_(c) for c in sums),
        *(Min(getattr(table, c)).as_(c) for c in mins),
        where=table.pending == Literal(True),
        group_by=[getattr(table, k) for k in keys])

    def column(row, key):
        value = getattr(row, key)
        return Coalesce(value, -1) if key in nullable else value

    def same_key(row):
        return And([column(row, k) == column(pending, k) for k in keys]
            + [row.pending == Literal(False)])

    def earliest(name):
        old, new = getattr(base, name), getattr(pending, name)
        return Case((old == Null, new), (new == Null, old), (new < old, new),
            else_=old)
    cursor.execute(*base.update(
            [getattr(base, c) for c in list(sums) + list(mins)],
            [getattr(base, c) + getattr(pending, c) for c in sums]
            + [earliest(c) for c in mins],
            from_=[pending], where=same_key(base)))
    names = list(keys) + list(sums) + list(mins)
    cursor.execute(*base.insert(
            [getattr(base, n) for n in names] + [base.pending,
                base.create_uid, base.create_date],
            pending.select(*(getattr(pending, n) for n in names),
                Literal(False), Literal(Transaction().user),
                Literal(dt.datetime.now()),
                where=~Exists(other.select(other.id,
                        where=same_key(other))))))
    cursor.execute(*table.delete(where=table.pending == Literal(True)))
