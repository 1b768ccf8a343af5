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
