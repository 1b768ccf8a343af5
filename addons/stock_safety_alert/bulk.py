# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Set-based writes for a run that may touch every product of a site.

A run writes tens of thousands of parameters, order points and alerts; the
ORM would cost a query or more per record. These helpers bypass it, so the
caller must invalidate the record caches of the models it wrote.
"""
import datetime as dt

from trytond import backend
from trytond.transaction import Transaction


def _quoted(value):
    return '"%s"' % str(value).replace('\\', '\\\\').replace('"', '\\"')


# Array elements as PostgreSQL reads them; an array holds one type (no int
# among the floats of a column). Anything else is quoted.
FORMATS = {
    'FLOAT8': lambda v: repr(float(v)),
    'INT4': lambda v: str(int(v)),
    'INT8': lambda v: str(int(v)),
    'NUMERIC': str,
    'BOOL': lambda v: 't' if v else 'f',
    'DATE': dt.date.isoformat,
    }


def invalidate_cache(*model_names):
    "Raw SQL writes bypass the ORM: drop the transaction's record caches"
    transaction = Transaction()
    transaction.counter += 1
    for cache in transaction.cache.values():
        for name in model_names:
            cache.pop(name, None)


def _arrays(Model, names, rows):
    """Per column: its SQL type and one array literal of its values
    (PostgreSQL). One text parameter per column: psycopg adapting tens of
    thousands of list items one by one costs more than the statement."""
    types = [Model._fields[n].sql_type().base for n in names]
    columns = ['{%s}' % ','.join(['NULL' if v is None else f(v)
                for v in column])
        for f, column in zip((FORMATS.get(t, _quoted) for t in types),
            zip(*rows))]
    return types, columns


def bulk_insert(Model, names, rows, size=1000):
    """INSERT rows (lists ordered as names) into Model's table.

    PostgreSQL gets one typed array per column unpacked by UNNEST: binding
    tens of thousands of VALUES parameters costs ~5x more for a full site's
    order points, parameters and alerts. Other backends get VALUES by chunks.
    """
    table = Model.__table__()
    cursor = Transaction().connection.cursor()
    if not rows:
        return
    if backend.name == 'postgresql':
        types, columns = _arrays(Model, names, rows)
        cursor.execute('INSERT INTO "%s" (%s) SELECT * FROM UNNEST(%s)' % (
                Model._table, ', '.join('"%s"' % n for n in names),
                ', '.join('CAST(%%s AS %s[])' % t for t in types)), columns)
        return
    columns = [getattr(table, n) for n in names]
    for i in range(0, len(rows), size):
        cursor.execute(*table.insert(columns, rows[i:i + size]))


def bulk_update(Model, names, rows):
    """UPDATE Model's records from rows [id, value, ...] (values as names),
    stamping write_date and write_uid.

    PostgreSQL joins one UNNEST of typed arrays (a single statement);
    SQLite runs in-process, where one statement per row costs no round trip.
    """
    if not rows:
        return
    table = Model.__table__()
    cursor = Transaction().connection.cursor()
    now, user = dt.datetime.now(), Transaction().user
    if backend.name == 'postgresql':
        types, columns = _arrays(Model, ['id'] + names, rows)
        cursor.execute(
            'UPDATE "%s" AS t SET %s, "write_date" = %%s, "write_uid" = %%s '
            'FROM UNNEST(%s) AS v(%s) WHERE t."id" = v."id"' % (
                Model._table,
                ', '.join('"%s" = v."%s"' % (n, n) for n in names),
                ', '.join('CAST(%%s AS %s[])' % t for t in types),
                ', '.join('"%s"' % n for n in ['id'] + names)),
            [now, user] + columns)
        return
    columns = [getattr(table, n) for n in names]
    for id_, *values in rows:
        cursor.execute(*table.update(
                columns + [table.write_date, table.write_uid],
                values + [now, user], where=table.id == id_))
