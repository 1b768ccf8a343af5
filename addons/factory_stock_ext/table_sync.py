# This file is part of factory_stock_ext.  A set-based run (ABC classes,
# safety parameters) computes its rows into a temporary table, then brings
# a table of its own to them: only the rows that moved are written, so a
# night with little new writes little.  One helper for every such run.
import datetime as dt
from functools import reduce
from operator import and_, or_

from sql import Literal, Null, Table
from sql.operators import Exists, IsDistinct

from trytond.transaction import Transaction

from .record_cache import invalidate


def create_new(name, columns, key):
    """(Re)create the temporary table `name` with `columns` ({name: SQL
    type}), indexed on the `key` columns: the statements of sync() look
    the rows up by key (SQLite has no hash join)"""
    cursor = Transaction().connection.cursor()
    cursor.execute('DROP TABLE IF EXISTS "%s"' % name)
    cursor.execute('CREATE TEMPORARY TABLE "%s" (%s)' % (name,
            ', '.join('"%s" %s' % i for i in columns.items())))
    cursor.execute('CREATE INDEX "%s_key" ON "%s" (%s)' % (name, name,
            ', '.join('"%s"' % c for c in key)))
    return Table(name)


def drop_new(new):
    Transaction().connection.cursor().execute('DROP TABLE "%s"' % new._name)


def mark(new, flag, condition):
    """Set the boolean column `flag` of the rows of `new` that meet
    `condition`. Flagging the rows not stored yet before they are inserted
    spares an INSERT ... WHERE NOT EXISTS on its own table, which may be
    planned for the empty table of a first run and then scan the rows it
    inserts again for each row (seconds)"""
    Transaction().connection.cursor().execute(
        *new.update([getattr(new, flag)], [Literal(True)], where=condition))


def sync(Model, new, key, written, scope, fixed=(), source=None,
        flag='missing'):
    """Bring the rows of Model's table that `scope` selects to the rows of
    the temporary table `new`:
    - key: [(column of the table, column of new)], one row per key;
    - written: [(column of the table, value read from source)];
    - scope: function of an alias of the table, the condition of the rows
      this run owns (a warehouse, a company's warehouses);
    - fixed: [(column of the table, value)] of the inserted rows besides
      the key and the written ones;
    - source: `new` or `new` joined to what the values read;
    - flag: a boolean column of `new`, set on the rows not stored yet.
    Rows whose written values moved are updated and stamped changed_at,
    rows gone from `new` deleted, new ones inserted. The unchanged ones
    keep their stamp: stamping them would rewrite the whole table."""
    table = Model.__table__()
    cursor = Transaction().connection.cursor()
    source = new if source is None else source
    now, user = dt.datetime.now(), Transaction().user
    same = reduce(and_, (getattr(table, c) == n for c, n in key))
    columns = [getattr(table, c) for c, _ in written]
    values = [v for _, v in written]
    cursor.execute(*table.select(Literal(1), where=scope(table), limit=1))
    if cursor.fetchone():
        moved = reduce(or_, map(IsDistinct, columns, values))
        cursor.execute(*table.update(
                columns + [table.changed_at, table.write_date,
                    table.write_uid],
                values + [now, now, user],
                from_=[source], where=scope(table) & same & moved))
        # the gone rows found by a join of a second alias: a DELETE names
        # its own columns unqualified, which a NOT EXISTS subquery on `new`
        # would read as new's (and then never find a row gone)
        gone = Model.__table__()
        on = reduce(and_, (getattr(gone, c) == n for c, n in key))
        cursor.execute(*table.delete(where=table.id.in_(
                    gone.join(new, 'LEFT', condition=on).select(gone.id,
                        where=scope(gone) & (key[0][1] == Null)))))
        mark(new, flag, ~Exists(table.select(Literal(1),
                    where=scope(table) & same)))
        insert = getattr(new, flag) == Literal(True)
    else:
        # the first computation: every row is new
        insert = None
    cursor.execute(*table.insert(
            [getattr(table, c) for c, _ in key]
            + [getattr(table, c) for c, _ in fixed]
            + [table.changed_at, table.create_date, table.create_uid]
            + columns,
            source.select(*(n for _, n in key), *(v for _, v in fixed),
                Literal(now), Literal(now), Literal(user), *values,
                where=insert)))
    invalidate(Model.__name__)
