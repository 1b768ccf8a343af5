"Creating a Tryton database with our modules, for the demo and the benchmarks."
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
VAR = ROOT / 'var'
CONF = ROOT / 'trytond.conf'
MODULES = ['factory_stock_ext', 'stock_safety_alert', 'stocktake_mobile',
    'erp_sync', 'stock_ledger']
PG_URI = 'postgresql://postgres@127.0.0.1:5432/'
ADMIN_PASSWORD = 'factory'


def sources_hash():
    "Hash of the addon sources that shape a database (tests excluded)"
    digest = hashlib.sha256()
    for addon in MODULES:
        base = ROOT / 'addons' / addon
        for path in sorted(base.rglob('*')):
            parts = path.relative_to(base).parts
            if (path.is_file() and '__pycache__' not in parts
                    and parts[0] != 'tests'):
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def secret_key():
    """The demo server's key for ERP credentials ([erp_sync] secret_key):
    made once per checkout under var/, never committed"""
    path = VAR / 'erp_sync_secret.key'
    if not path.exists():
        from cryptography.fernet import Fernet
        VAR.mkdir(exist_ok=True)
        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    return path.read_text().strip()


def environ(uri):
    "trytond settings as environment variables (absolute paths, any cwd)"
    env = dict(os.environ)
    env['TRYTOND_DATABASE__URI'] = uri
    env.setdefault('TRYTOND_ERP_SYNC__SECRET_KEY', secret_key())
    env['TRYTOND_DATABASE__PATH'] = str(VAR)
    env['TRYTOND_WEB__ROOT'] = str(ROOT / 'web' / 'node_modules'
        / 'tryton-sao')
    return env


def configure(uri):
    "Configure trytond in this process the same way"
    os.environ.update({k: v for k, v in environ(uri).items()
            if k.startswith('TRYTOND_')})
    from trytond.config import config
    config.update_etc(str(CONF))
    # set explicitly too: the environment is only read for some options
    config.set('database', 'uri', uri)
    config.set('database', 'path', str(VAR))
    if not config.has_section('erp_sync'):
        config.add_section('erp_sync')
    config.set('erp_sync', 'secret_key',
        os.environ['TRYTOND_ERP_SYNC__SECRET_KEY'])
    return config


def recreate(name, uri):
    "Drop and create an empty database"
    if uri.startswith('sqlite'):
        VAR.mkdir(exist_ok=True)
        path = VAR / f'{name}.sqlite'
        path.unlink(missing_ok=True)
        path.touch()
    else:
        import psycopg
        with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\'')


def template(uri):
    """The name of the activated template database keyed on the addon
    sources, built when missing (activation costs ~40 s on SQLite and ~2
    minutes on PostgreSQL, a copy well under a second)"""
    name = f'factory_template_{sources_hash()}'
    # built under a private name then renamed: parallel runs never copy a
    # half-activated template
    building = f'{name}_{os.getpid()}'
    if uri.startswith('sqlite'):
        if not (VAR / f'{name}.sqlite').exists():
            recreate(building, uri)
            activate(building, uri)
            os.replace(VAR / f'{building}.sqlite', VAR / f'{name}.sqlite')
        return name
    if not exists(name, uri):
        import psycopg
        recreate(building, uri)
        activate(building, uri)
        with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
            try:
                conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
            except psycopg.errors.DuplicateDatabase:
                conn.execute(f'DROP DATABASE "{building}" WITH (FORCE)')
    return name


def fresh(name, uri):
    "An activated database: a copy of the template"
    source = template(uri)
    if uri.startswith('sqlite'):
        shutil.copyfile(VAR / f'{source}.sqlite', VAR / f'{name}.sqlite')
        return
    import psycopg
    with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')


def exists(name, uri):
    if uri.startswith('sqlite'):
        return (VAR / f'{name}.sqlite').exists()
    import psycopg
    with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
        return bool(conn.execute(
                'SELECT 1 FROM pg_database WHERE datname = %s',
                (name,)).fetchone())


def building_name(name):
    "Where a database is built before it replaces `name`"
    return f'{name}_building_{os.getpid()}'


def rename(old, new, uri):
    "Replace database `new` by `old` (a finished build)"
    if uri.startswith('sqlite'):
        # Tryton's SQLite runs in WAL mode: fold the log into the file
        # before it moves, or the last commits stay behind in old-wal
        import sqlite3
        path = VAR / f'{old}.sqlite'
        conn = sqlite3.connect(path)
        try:
            conn.execute('PRAGMA wal_checkpoint(TRUNCATE)')
        finally:
            conn.close()
        _drop_sqlite(new)
        os.replace(path, VAR / f'{new}.sqlite')
        _drop_sqlite(old)
        return
    import psycopg
    with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{new}" WITH (FORCE)')
        conn.execute(f'ALTER DATABASE "{old}" RENAME TO "{new}"')


def _drop_sqlite(name):
    for suffix in ['', '-wal', '-shm']:
        (VAR / f'{name}.sqlite{suffix}').unlink(missing_ok=True)


def drop(name, uri):
    if uri.startswith('sqlite'):
        _drop_sqlite(name)
    else:
        import psycopg
        with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def activate(name, uri, modules=MODULES, languages=('zh_CN',)):
    "Activate our modules with trytond-admin, as an administrator would"
    env = environ(uri)
    with tempfile.NamedTemporaryFile('w', suffix='.pw') as password:
        password.write(ADMIN_PASSWORD)
        password.flush()
        env['TRYTONPASSFILE'] = password.name
        cmd = [str(pathlib.Path(sys.executable).with_name('trytond-admin'))]
        if os.environ.get('FACTORY_ADMIN_SPEEDUPS'):
            # the test runs' build (tests/admin_speedups.py)
            cmd = [sys.executable, str(ROOT / 'tests' / 'admin_speedups.py')]
        cmd += ['-c', str(CONF), '-d', name, '--all',
            '--activate-dependencies', '--email', 'admin@example.com',
            '-u'] + list(modules)
        if languages:
            cmd += ['-l'] + list(languages)
        subprocess.run(cmd, env=env, check=True)


if __name__ == '__main__':
    # python -m demo_factory.database URI: build the template when missing
    print(template(sys.argv[1]))
