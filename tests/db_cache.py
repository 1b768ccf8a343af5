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

    keep_pool_between_classes(test_tryton)
    test_tryton.activate_module = activate_on_base
    tools.activate_modules = activate_modules


def keep_pool_between_classes(test_tryton):
    """Each test class drops its database and restores the cached one,
    and core then builds the pool of model classes again (~3 s); when the
    module set restored is the one the dropped pool was built for, that
    pool is put back instead (the classes depend on the modules only; the
    caches are still dropped with the database)."""
    from trytond.pool import Pool
    restore, drop = test_tryton.restore_db_cache, test_tryton.drop_db
    state = {'name': None, 'kept': None}

    def drop_db(name=test_tryton.DB_NAME):
        if name == test_tryton.DB_NAME and name in Pool._pools:
            state['kept'] = (state['name'], Pool._pools[name],
                Pool._pool_modules[name])
        return drop(name)

    def restore_db_cache(name):
        kept, state['name'] = state['kept'], None
        if not kept or kept[0] != name:
            if restore(name):
                state['name'] = name
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
                state['name'] = name
                return True
            return False
        finally:
            Pool.init = init

    test_tryton.drop_db = drop_db
    test_tryton.restore_db_cache = restore_db_cache


def main():
    "Build the cached base of the backend set in the environment"
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
