"""Test databases of the suites activated on one shared, cached base.

Why: activating modules on an empty database costs ~2 minutes on PostgreSQL
(~40 s on SQLite), and the suites activate a dozen module sets per backend.
Every set holds factory_stock_ext, so a set missing from Tryton's DB_CACHE
is activated on a copy of the cached factory_stock_ext database: only the
modules it adds are activated, as an administrator adds a module to a live
database (~5-20 s). The set is then cached under its own name as before, so
test classes still start from a copy of exactly the modules they declare.

`python tests/db_cache.py` builds the base once per backend before the
suites start (tools/run_tests.py), so parallel suites never build it twice.
"""
import hashlib
import os
import sys

BASE = ['factory_stock_ext']
# names of the PostgreSQL template databases: prefix, sources key, module set
TEMPLATE_PREFIX = 'tcache_'
# test databases of finished classes, renamed to be dropped in batches
DROPPED_PREFIX = 'tdropped_'


def _closure(modules):
    from trytond.modules import get_module_info
    seen, todo = set(), list(modules)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(get_module_info(name).get('depends', []))
    return seen


def install():
    "Route trytond's test activations (unit tests and scenarios) via BASE"
    from trytond.tests import test_tryton, tools

    activate_module = test_tryton.activate_module

    def activate_on_base(modules, lang='en'):
        if isinstance(modules, str):
            modules = [modules]
        if lang != 'en':
            return activate_module(modules, lang=lang)
        db_name = test_tryton.DB_NAME
        if (not test_tryton.db_exist(db_name)
                and test_tryton.restore_db_cache('-'.join(modules))):
            return
        if (list(modules) != BASE
                and set(BASE) <= _closure(modules)
                and not test_tryton.db_exist(db_name)
                and not test_tryton.restore_db_cache('-'.join(BASE))):
            activate_module(BASE)
        # on the base when it applies: core activates only what is missing
        return activate_module(modules, lang=lang)

    def activate_modules(modules, *setup):
        "As trytond.tests.tools.activate_modules, from the cached module set"
        if isinstance(modules, str):
            modules = [modules]
        cache_name = '-'.join(sorted(modules))
        if setup_name := '|'.join(tools._func_name(f) for f in setup):
            cache_name += f'--{setup_name}'
        if test_tryton.restore_db_cache(cache_name):
            return tools._get_config()
        test_tryton.drop_db()
        activate_on_base(sorted(modules))
        config = tools._get_config()
        for func in setup:
            func(config=config)
        tools.backup_db_cache(cache_name)
        return config

    key = os.environ.get('TEST_DB_KEY')
    if key and (test_tryton.DB_CACHE or '').startswith('postgresql://'):
        # PostgreSQL template databases (a copy costs ~1 s, pg_restore ~3 s)
        # are named by module set only in core: the sources key is added
        def cache_file(path, name):
            digest = hashlib.shake_128(name.encode('utf8')).hexdigest(16)
            return f'{test_tryton.DB_CACHE}/{TEMPLATE_PREFIX}{key}-{digest}'
        test_tryton._db_cache_file = cache_file

    if test_tryton.backend.name == 'postgresql':
        exist_by_name(test_tryton)
        drop_in_batches(test_tryton)
    keep_pool_between_classes(test_tryton)
    test_tryton.activate_module = activate_on_base
    tools.activate_modules = activate_modules


def keep_pool_between_classes(test_tryton):
    """Each test class drops its database and restores the cached one,
    and core then builds the pool of model classes again (~3 s); when the
    module set restored is the one the dropped pool was built for, that
    pool is put back instead (the classes depend on the modules only; the
    caches are still dropped with the database). A set cached with records
    made by a setup (`modules--setup`) has the classes of its modules."""
    from trytond.pool import Pool
    restore, drop = test_tryton.restore_db_cache, test_tryton.drop_db
    state = {'name': None, 'kept': None}

    def drop_db(name=test_tryton.DB_NAME):
        if name == test_tryton.DB_NAME and name in Pool._pools:
            state['kept'] = (state['name'], Pool._pools[name],
                Pool._pool_modules[name])
        return drop(name)

    def module_set(name):
        return frozenset(name.split('--')[0].split('-'))

    def restore_db_cache(name):
        kept, state['name'] = state['kept'], None
        if not kept or kept[0] != module_set(name):
            if restore(name):
                state['name'] = module_set(name)
                return True
            return False
        init = Pool.init

        def put_back(pool, *args, **kwargs):
            # the end state of Pool.init, with the kept classes
            Pool._pools[pool.database_name] = kept[1]
            Pool._pool_modules[pool.database_name] = kept[2]
            pool._pool, pool._modules = kept[1], kept[2]
            Pool._pool_instances.clear()
            Pool._pool_instances.add(pool)
            pool.ready = True
        Pool.init = put_back
        try:
            if restore(name):
                state['name'] = module_set(name)
                return True
            return False
        finally:
            Pool.init = init

    test_tryton.drop_db = drop_db
    test_tryton.restore_db_cache = restore_db_cache


def exist_by_name(test_tryton):
    """Core's db_exist reads the server's list of Tryton databases: it
    connects to every database of the server to test it, each time a
    database was created or dropped (3 times a class). With the module sets'
    templates and the parallel suites' databases that took 0.5-12 s a call
    (measured); whether a database of that name exists is what drop, create
    and restore ask, and one query answers it."""
    from trytond import backend

    def db_exist(name=test_tryton.DB_NAME):
        database = backend.Database().connect()
        connection = database.get_connection()
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    'SELECT 1 FROM pg_database WHERE datname = %s', (name,))
                return cursor.fetchone() is not None
        finally:
            connection.rollback()
            database.put_connection(connection)
    test_tryton.db_exist = db_exist


_finish = []


def finish():
    "Drop what the test process left for later (batches of dropped databases)"
    for function in _finish:
        function()


def drop_in_batches(test_tryton, batch=10):
    """On PostgreSQL (15) every DROP DATABASE forces an immediate checkpoint
    and waits for it: it writes out every dirty buffer of the server, the
    parallel suites' included (3-5 s a drop measured with three suites
    running; a PostgreSQL suite drops a database ~50 times). The database
    of a finished class is renamed out of the way instead (no checkpoint),
    and the renamed ones are dropped `batch` at a time, at once, which
    shares their checkpoints: factory_stock_ext [postgresql] 218 s -> 169 s
    back to back (load 5). The rest are dropped by finish(), or else when
    the process ends; tools/run_tests.py drops those a killed run left."""
    import atexit
    import concurrent.futures
    from trytond import backend
    from trytond.cache import Cache
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    renamed, count = [], [0]

    def drop(name):
        import psycopg
        conninfo = backend.Database._connection_params('postgres')['conninfo']
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')

    def drop_renamed():
        with concurrent.futures.ThreadPoolExecutor(len(renamed) or 1) as pool:
            list(pool.map(drop, renamed))
        renamed.clear()

    @atexit.register
    def drop_left():
        # no new thread at the interpreter's exit: one after the other
        # (tests/result_json.py calls finish() before)
        while renamed:
            drop(renamed.pop())
    _finish.append(drop_renamed)

    def drop_db(name=test_tryton.DB_NAME):
        if not test_tryton.db_exist(name):
            return
        database = backend.Database(name)
        database.close()
        count[0] += 1
        old = f'{DROPPED_PREFIX}{name}_{count[0]}'
        with Transaction().start(
                None, 0, close=True, autocommit=True) as transaction:
            transaction.connection.cursor().execute(
                f'ALTER DATABASE "{name}" RENAME TO "{old}"')
            renamed.append(old)
            backend.Database.clear_cache()
            Pool.stop(name)
            Cache.drop(name)
            test_tryton._TABLES_CREATED.clear()
        if len(renamed) >= batch:
            drop_renamed()
    test_tryton.drop_db = drop_db


def main():
    "Build the cached base of the backend set in the environment"
    import core_speedups  # beside this file
    core_speedups.install()
    install()
    from trytond.tests import test_tryton
    if not test_tryton.DB_CACHE:
        print('DB_CACHE is not set: nothing to build', file=sys.stderr)
        return 1
    test_tryton.drop_db()
    test_tryton.activate_module(BASE)
    test_tryton.drop_db()
    return 0


if __name__ == '__main__':
    sys.exit(main())
