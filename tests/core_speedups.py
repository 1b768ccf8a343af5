"""Test-process speed-ups of core code paths that are pure but uncached.

Why: ModuleTestCase's generic checks call `trytond.pool.isregisteredby`
for every model, which resolves each registered class name through
`trytond.tools.misc.import_module`: a scan of every installed entry point
(~0.25 ms) tens of thousands of times, three quarters of those checks'
time. The module a name imports never changes within a process, so its
answer is memoised here; behaviour is unchanged.

The names of the models (`ir.model.get_names`, read whenever a reference
field such as a move's origin is validated) and the triggers of a model are
the same in every company, but core keys their caches on the whole context,
company included. Each test makes its company and on PostgreSQL gets a new
id (sequences are not rolled back), so every test rebuilt them (~0.4 s for
the names; a QC test class took 22-26 s, 18.5 s without it). The company
keys are ignored by those two caches here; what they hold is unchanged.

On PostgreSQL, the delete rules of a table's foreign keys are read by core
from information_schema (key_column_usage joined to
referential_constraints): ~2 s a call once a database has its 300 tables,
called ~600 times when the modules are activated, a fifth of building the
test base; its columns from information_schema.columns (~6 ms, 3,500
times). The same rows are read from pg_catalog here (~1 ms);
tests/tooling/test_core_speedups.py compares both on every table.
"""
import functools


def install():
    from trytond.tools import misc
    if not hasattr(misc.import_module, 'cache_info'):
        misc.import_module = functools.cache(misc.import_module)
    from trytond.ir.model import Model
    from trytond.ir.trigger import Trigger
    company_keys = {'company', 'companies', 'employee', 'employees'}
    for cache in [Model._get_names_cache, Trigger._get_triggers_cache]:
        cache.context_ignored_keys |= company_keys
    from trytond.backend.postgresql.table import TableHandler
    TableHandler._fk_deltypes = property(fk_deltypes)
    TableHandler._columns = property(columns)


FK_DELTYPES = (
    "SELECT c.conname, a.attname, CASE c.confdeltype "
        "WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' "
        "WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' "
        "WHEN 'd' THEN 'SET DEFAULT' END "
    "FROM pg_constraint c "
    "JOIN pg_class r ON r.oid = c.conrelid "
    "JOIN pg_namespace n ON n.oid = r.relnamespace "
    "JOIN pg_attribute a "
        "ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
    "WHERE c.contype = 'f' AND r.relname = %s AND n.nspname = %s")


def fk_deltypes(self):
    "{(constraint, column): delete rule} as core's TableHandler._fk_deltypes"
    from trytond.transaction import Transaction
    if self._TableHandler__fk_deltypes is None:
        cursor = Transaction().connection.cursor()
        cursor.execute(FK_DELTYPES, (self.table_name, self.table_schema))
        self._TableHandler__fk_deltypes = {r[:2]: r[2] for r in cursor}
    return self._TableHandler__fk_deltypes


# information_schema.columns' rows of one table, as PostgreSQL 15 defines
# the view (the privilege filter aside: Tryton owns its tables)
COLUMNS = (
    "SELECT a.attname, COALESCE(bt.typname, t.typname), "
        "CASE WHEN a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) "
            "THEN 'NO' ELSE 'YES' END, "
        "information_schema._pg_char_max_length("
            "information_schema._pg_truetypid(a, t), "
            "information_schema._pg_truetypmod(a, t)), "
        "CASE WHEN a.attgenerated = '' "
            "THEN pg_get_expr(ad.adbin, ad.adrelid) END, "
        "CASE WHEN a.attidentity IN ('a', 'd') THEN 'YES' ELSE 'NO' END "
    "FROM pg_attribute a "
    "JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_type t ON t.oid = a.atttypid "
    "LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype "
    "LEFT JOIN pg_attrdef ad "
        "ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
    "WHERE c.relname = %s AND n.nspname = %s "
    "AND c.relkind IN ('r', 'v', 'f', 'p') "
    "AND a.attnum > 0 AND NOT a.attisdropped")


def columns(self):
    "{name: definition} as core's TableHandler._columns"
    from trytond.transaction import Transaction
    if self._TableHandler__columns is None:
        cursor = Transaction().connection.cursor()
        cursor.execute(COLUMNS, (self.table_name, self.table_schema))
        self._TableHandler__columns = {
            column: {
                'typname': typname,
                'notnull': nullable == 'NO',
                'size': size,
                'default': default,
                'identity': identity != 'NO',
                }
            for column, typname, nullable, size, default, identity in cursor}
    return self._TableHandler__columns
