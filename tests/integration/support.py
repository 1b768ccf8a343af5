"Shared helpers of the cross-module tests: backend choice and subprocess runs."
import atexit
import json
import os
import socket
import subprocess
import sys
import uuid


def backend_uri():
    "The backend chosen by tools/run_tests.py (SQLite when run by hand)"
    uri = os.environ.get('TRYTOND_DATABASE_URI', 'sqlite://')
    return 'sqlite://' if uri.startswith('sqlite') else uri


def unique_name(prefix):
    return f'{prefix}_{uuid.uuid4().hex[:10]}'


def python_module(*args):
    "Run `python -m <args>` in a clean process; returns its stdout"
    env = {k: v for k, v in os.environ.items()
        if not k.startswith(('TRYTOND_', 'DB_'))}
    result = subprocess.run([sys.executable, '-m', *args], env=env,
        check=True, stdout=subprocess.PIPE, text=True)
    return result.stdout


def build_demo(name, products, days, seed=7):
    uri = backend_uri()
    out = python_module('demo_factory', '--db', name, '--uri', uri,
        '--products', str(products), '--days', str(days),
        '--seed', str(seed), '--end-date', '2026-06-30', '--fresh',
        '--erp-port', '0')
    return json.loads(out.strip().splitlines()[-1])


_SHARED = {}


def shared_demo(products, days, seed=7):
    """The name and counts of a demo built once per test process for each
    size and seed; for test classes that only read it (building one costs
    a minute). Classes that compare record counts read it before others use
    it: test_demo_factory sorts first."""
    key = (products, days, seed)
    if key not in _SHARED:
        from demo_factory import database
        name = unique_name('demo')
        _SHARED[key] = name, build_demo(name, products, days, seed)
        atexit.register(database.drop, name, backend_uri())
    return _SHARED[key]


def inspect_demo(name, *what):
    "what: '--alive' or '--models' (python -m demo_factory.inspect)"
    return json.loads(python_module('demo_factory.inspect', '--db', name,
            '--uri', backend_uri(), *what))


def inspect_many(name, *what):
    """{what: result} for 'summary', 'models', 'alive', read in one process
    (each process starts the pool again: ~3 s)"""
    return json.loads(python_module('demo_factory.inspect', '--db', name,
            '--uri', backend_uri(), '--what', ','.join(what)))


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
