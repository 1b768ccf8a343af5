"Shared by the Tryton benchmarks: pick PostgreSQL when it answers, else SQLite."
import os

PG_URI = os.environ.get('TEST_PG_URI', 'postgresql://postgres@127.0.0.1:5432/')


def pick_backend(prefix, db_cache=None):
    """Point trytond's test helpers at a fresh database named after the
    benchmark; must run before trytond is imported (it reads the env once)"""
    try:
        import psycopg
        psycopg.connect(PG_URI + 'postgres', connect_timeout=3).close()
        os.environ['TRYTOND_DATABASE_URI'] = PG_URI
        os.environ['DB_NAME'] = f'{prefix}_{os.getpid()}'
        if db_cache:
            os.environ.setdefault('DB_CACHE', db_cache)
        return 'postgresql'
    except Exception:  # any failure to connect means: use SQLite
        os.environ['TRYTOND_DATABASE_URI'] = 'sqlite://'
        os.environ['DB_NAME'] = ':memory:'
        return 'sqlite'


def run_rolled_back(module, backend, run, *args, lock_tables=None):
    """Activate `module` on the picked database and call
    run(pool, transaction, *args, backend) in one transaction that is rolled
    back; a PostgreSQL database is dropped afterwards, even on failure.
    lock_tables: tables the measured code locks (the singleton creation,
    compute()), taken up front as the cron's retry would."""
    from trytond.tests.test_tryton import DB_NAME, USER, activate_module
    try:
        # Inside the try: a failed activation must not leave its database
        activate_module([module])
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        with Transaction().start(DB_NAME, USER, context={},
                _lock_tables=lock_tables or []) as transaction:
            run(Pool(), transaction, *args, backend)
            transaction.rollback()
    finally:
        if backend == 'postgresql':
            from trytond.tests.test_tryton import drop_db
            drop_db()
