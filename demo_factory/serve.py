"""python -m demo_factory.serve --db demo [--port 8000] [--erp-port 8765]: trytond
+ sao on 127.0.0.1, and beside it the fake Kingdee ERP the demo's endpoint posts to.

Runs trytond in the foreground and prints the URL and the demo logins once the
server answers a JSON-RPC login (so the printed URL is known to work); the
fake stops with it.
"""
import argparse
import json
import pathlib
import signal
import subprocess
import sys
import time
import urllib.request

from . import database, erp
from .names import USERS


def rpc_login(url, db, login, password):
    "Log in over JSON-RPC as sao does; returns the session result"
    body = json.dumps({'method': 'common.db.login', 'id': 1, 'params': [
                login, {'password': password}, 'en']}).encode()
    request = urllib.request.Request(f'{url}/{db}/rpc/', data=body,
        headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def start(db, port, uri='sqlite://', quiet=False):
    "Start trytond serving sao for db; returns the process once it answers"
    env = database.environ(uri)
    env['TRYTOND_WEB__LISTEN'] = f'127.0.0.1:{port}'
    trytond = pathlib.Path(sys.executable).with_name('trytond')
    process = subprocess.Popen([str(trytond), '-c', str(database.CONF),
            '-d', db], env=env,
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=subprocess.DEVNULL if quiet else None)
    url = f'http://127.0.0.1:{port}'
    deadline = time.monotonic() + 120
    while True:
        try:
            result = rpc_login(url, db, 'admin', database.ADMIN_PASSWORD)
            if result.get('result'):
                return process, url
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f'trytond did not start on {url}')
        time.sleep(0.5)  # polling a server we started, not test synchronisation


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m demo_factory.serve')
    parser.add_argument('--db', default='demo')
    parser.add_argument('--port', type=int, default=8000)
    parser.add_argument('--erp-port', type=int, default=erp.DEFAULT_PORT)
    options = parser.parse_args(argv)
    try:
        fake = erp.fake(options.erp_port).start()
    except OSError as exc:
        fake = None
        print(f'Fake Kingdee not started on port {options.erp_port} '
            f'({exc}): the outbox will wait for it.', file=sys.stderr)
    try:
        return _serve(options, fake)
    finally:
        if fake:
            fake.stop()


def _stop(signum, frame):
    raise KeyboardInterrupt


def _serve(options, fake):
    # stopped by a kill as by Ctrl-C: trytond and the fake stop together
    signal.signal(signal.SIGTERM, _stop)
    process, url = start(options.db, options.port)
    print(f'\nDemo factory ready: {url}/  (database "{options.db}")')
    if fake:
        print(f'  fake Kingdee ERP: {erp.url(options.erp_port)}')
    print(f'  admin / {database.ADMIN_PASSWORD}   (English, all rights)')
    for login, name, lang, _ in USERS:
        print(f'  {login} / factory   {name} [{lang}]')
    print('Stop with Ctrl-C.\n', flush=True)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        return 0


if __name__ == '__main__':
    sys.exit(main())
