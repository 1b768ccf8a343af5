# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Set-based writes for a run that may touch every product of a site.

A run writes tens of thousands of parameters, order points and alerts; the
ORM would cost a query or more per record. These helpers bypass it, so the
caller must invalidate the record caches of the models it wrote.
"""
import datetime as dt
import gc
from contextlib import contextmanager

from trytond import backend
from trytond.model import fields
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

# one place for factory_stock_ext and this module's runs
from trytond.modules.factory_stock_ext.record_cache import (  # noqa: F401
    invalidate as invalidate_cache)


# A binary array holds one type, and a column may mix them (an int among
# the floats of a quantity, 0/1 for a boolean read from SQLite)
CASTS = {'FLOAT8': float, 'INT4': int, 'INT8': int, 'BOOL': bool}


def in_(column, ids):
    "column IN ids, split by the backend when the list is long"
    return fields.SQL_OPERATORS['in'](column, list(ids))


def chunks(ids):
    return grouped_slice(list(ids), 1000)


def rename_column(Model, module, old, new):
    "Migration: keep the values of column old under the name new"
    table_h = Model.__table_handler__(module)
    if table_h.column_exist(old) and not table_h.column_exist(new):
        table_h.column_rename(old, new)


def leave_room_for_updates(Model, fillfactor=50):
    """Fill the pages of a table the run rewrites each night only half
    (PostgreSQL): the new version of an updated row then fits on its own
    page, which spares the index entries (a "HOT" update). Existing pages
    follow as they are rewritten."""
    if backend.name != 'postgresql':
        return
    Transaction().connection.cursor().execute(
        'ALTER TABLE "%s" SET (fillfactor = %d)' % (
            Model._table, fillfactor))


def analyze(Model):
    """Refresh the planner's statistics of a table just filled in bulk
    (PostgreSQL; SQLite plans without row counts)"""
    if backend.name == 'postgresql':
        Transaction().connection.cursor().execute(
            'ANALYZE "%s"' % Model._table)


def execute_binary(cursor, query):
    """Execute a SELECT of tens of thousands of rows; PostgreSQL answers
    in binary, which psycopg reads in half the time of text numbers"""
    if backend.name == 'postgresql':
        cursor.execute(*query, binary=True)
    else:
        cursor.execute(*query)


@contextmanager
def without_cyclic_gc():
    """Pause Python's cycle collector: a run holds a few million rows'
    objects, which every collection walks again as the run allocates
    (a tenth of its time); the rows it makes form no cycles, and reference
    counting still frees them"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _arrays(Model, names, rows):
    """Per column: its SQL type and its values as one list, sent as one
    binary array (PostgreSQL): psycopg writes it in C, where binding each
    value as a parameter, or formatting them as text, costs more than the
    statement itself"""
    types = [Model._fields[n].sql_type().base for n in names]
    columns = []
    for type_, column in zip(types, zip(*rows)):
        cast = CASTS.get(type_)
        columns.append([None if v is None else cast(v) for v in column]
            if cast else list(column))
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
                ', '.join('CAST(%%b AS %s[])' % t for t in types)), columns)
        return
    columns = [getattr(table, n) for n in names]
    for i in range(0, len(rows), size):
        cursor.execute(*table.insert(columns, rows[i:i + size]))


def bulk_update(Model, names, rows, constants=None):
    """UPDATE Model's records from rows [id, value, ...] (values as names),
    setting the columns of constants ({name: value}) to the same value on
    all and stamping write_date and write_uid.

    PostgreSQL joins one UNNEST of typed arrays (a single statement);
    SQLite runs in-process, where one statement per row costs no round trip.
    """
    if not rows:
        return
    table = Model.__table__()
    cursor = Transaction().connection.cursor()
    constants = dict(constants or {},
        write_date=dt.datetime.now(), write_uid=Transaction().user)
    if backend.name == 'postgresql':
        types, columns = _arrays(Model, ['id'] + names, rows)
        cursor.execute(
            'UPDATE "%s" AS t SET %s FROM UNNEST(%s) AS v(%s) '
            'WHERE t."id" = v."id"' % (
                Model._table,
                ', '.join(['"%s" = v."%s"' % (n, n) for n in names]
                    + ['"%s" = %%s' % n for n in constants]),
                ', '.join('CAST(%%b AS %s[])' % t for t in types),
                ', '.join('"%s"' % n for n in ['id'] + names)),
            list(constants.values()) + columns)
        return
    columns = [getattr(table, n) for n in [*names, *constants]]
    for id_, *values in rows:
        cursor.execute(*table.update(columns,
                values + list(constants.values()), where=table.id == id_))
