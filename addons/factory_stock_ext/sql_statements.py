# This file is part of factory_stock_ext.  The SQL text of the queries that
# every scan runs, built once per process and shape.  Building a python-sql
# query and turning it into text cost more CPU than PostgreSQL takes to run
# these indexed queries (bench_scan_api --profile: about a third of a scan);
# the text depends only on the query's shape, so it is kept and each call
# puts its own values in place of named markers.
import threading

from trytond import backend
from trytond.transaction import Transaction

MAX_STATEMENTS = 1000  # shapes × record rules of the users served

_statements = {}
_lock = threading.Lock()


class Marker:
    "Stands for a value of the query while its text is built"
    __slots__ = ('name',)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return '<value %s>' % self.name


def execute(shape, build, **values):
    """Execute the query `build(**markers)` with `values` and return the
    cursor.  `shape` names the query and everything build depends on other
    than the values (a value that changes the text, e.g. None for IS NULL,
    must be in the shape instead)."""
    # per database too: a process may serve several, of other modules
    key = (backend.name, Transaction().database.name, shape)
    statement = _statements.get(key)
    if statement is None:
        markers = {name: Marker(name) for name in values}
        sql, params = tuple(build(**markers))
        slots = [(i, p.name) for i, p in enumerate(params)
            if isinstance(p, Marker)]
        # Every value must be a parameter: one formatted into the text (a
        # list expanded by IN, say) would be kept for the next call
        assert {name for _, name in slots} == set(markers), (key, sql)
        statement = (sql, tuple(params), tuple(slots))
        with _lock:
            if len(_statements) >= MAX_STATEMENTS:
                _statements.clear()
            _statements[key] = statement
    sql, params, slots = statement
    params = list(params)
    for i, name in slots:
        params[i] = values[name]
    cursor = Transaction().connection.cursor()
    cursor.execute(sql, params)
    return cursor


def clear():
    with _lock:
        _statements.clear()
