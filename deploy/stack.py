"""python -m deploy.stack --db NAME [--uri postgresql://…] [--port 8000]
[--workers 4] [--queue-workers 1]: Tryton's own production processes for one
PostgreSQL database on this machine (docs/DEPLOYMENT.md):

* gunicorn running ``trytond.application:app`` with N sync workers: JSON-RPC
  for sao, our HTTP routes, and sao's files ([web] root);
* one ``trytond-cron``: it only hands the heavy jobs (the nightly run, the
  ERP outbox flush) to the queue, so one process is enough;
* ``trytond-worker`` with M processes, running the queued tasks (ir.queue).

All read deploy/trytond.conf ([queue] worker = True); the machine's values
come as TRYTOND_* variables. `make serve-prod` runs this in the foreground;
tests/integration/test_production_stack.py starts the same Stack.
"""
import argparse
import json
import os
import pathlib
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
CONF = ROOT / 'deploy' / 'trytond.conf'
SAO = ROOT / 'web' / 'node_modules' / 'tryton-sao'
PG_URI = 'postgresql://postgres@127.0.0.1:5432/'
BIN = pathlib.Path(sys.executable).parent


def environ(uri, db):
    "The environment of every process of the stack"
    env = dict(os.environ)
    if not uri.startswith('postgresql'):
        # several processes share one database only on PostgreSQL: the queue
        # claims tasks with SKIP LOCKED, caches are dropped by NOTIFY
        raise SystemExit(f'the production stack needs PostgreSQL, not {uri}')
    env.update({
            'TRYTOND_CONFIG': str(CONF),
            'TRYTOND_DATABASE__URI': uri,
            # trytond.application loads this database's pool at start, so a
            # worker answers its first request without loading modules
            'TRYTOND_DATABASE_NAMES': db,
            'TRYTOND_WEB__ROOT': str(SAO),
            })
    return env


def commands(db, host, port, workers, queue_workers, verbose=False):
    "name -> argv of each process"
    log = ['-vv'] if verbose else ['-v']
    return {
        'wsgi': [str(BIN / 'gunicorn'),
            '--workers', str(workers),
            '--bind', f'{host}:{port}',
            # sync workers: one request per process, the model trytond's
            # transactions and caches are written for
            '--worker-class', 'sync',
            # reports and Excel exports of a whole warehouse may take
            # longer than gunicorn's default 30 s before it kills a worker
            '--timeout', '300',
            '--graceful-timeout', '30',
            # recycle workers now and then: trytond caches grow per process
            '--max-requests', '2000', '--max-requests-jitter', '200',
            # gunicorn >= 24's control socket is one path per user: two
            # stacks on a machine would fight over it; signals do the same
            '--no-control-socket',
            'trytond.application:app'],
        'cron': [str(BIN / 'trytond-cron'), '-c', str(CONF), '-d', db,
            '-n', '1', *log],
        'worker': [str(BIN / 'trytond-worker'), '-c', str(CONF), '-d', db,
            '-n', str(queue_workers), *log],
        }


def rpc(url, db, method, params, session=None):
    "One JSON-RPC call as sao makes it; returns the result or raises"
    headers = {'Content-Type': 'application/json'}
    if session:
        headers['Authorization'] = 'Session ' + session
    body = json.dumps({'method': method, 'params': params, 'id': 1}).encode()
    path = f'/{db}/rpc/' if db else '/rpc/'
    request = urllib.request.Request(url + path, data=body,
        headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    if answer.get('error'):
        # the error as trytond sends it: [kind, details]
        raise RuntimeError(f'{method}: {answer["error"][0]}',
            answer['error'])
    return answer['result']


class Stack:
    "The processes of one stack, each in its own process group"

    def __init__(self, db, uri=PG_URI, host='127.0.0.1', port=8000,
            workers=4, queue_workers=1, log_dir=None, verbose=False,
            env=None):
        self.db, self.host, self.port = db, host, port
        self.url = f'http://{host}:{port}'
        self.env = environ(uri, db)
        self.env.update(env or {})
        self.argv = commands(db, host, port, workers, queue_workers,
            verbose=verbose)
        self.log_dir = pathlib.Path(log_dir) if log_dir else None
        self.processes = {}

    def start(self, names=('wsgi', 'worker', 'cron')):
        for name in names:
            out = None
            if self.log_dir:
                out = open(self.log_dir / f'{name}.log', 'ab')
            try:
                # own session: stop() ends the master and its children
                # (gunicorn workers, the pools of cron and worker) together
                # named in pg_stat_activity.application_name: connections
                # are counted per kind of process (docs/DEPLOYMENT.md)
                env = dict(self.env, TRYTOND_APPNAME=f'trytond-{name}')
                self.processes[name] = subprocess.Popen(self.argv[name],
                    env=env, cwd=ROOT, stdout=out,
                    stderr=subprocess.STDOUT if out else None,
                    start_new_session=True)
            finally:
                if out:
                    out.close()
        return self

    def log(self, name):
        return (self.log_dir / f'{name}.log').read_text(errors='replace')

    def wait_ready(self, timeout=120):
        "Until sao's page and a JSON-RPC call answer (polled, with a deadline)"
        deadline = time.monotonic() + timeout
        while True:
            dead = [n for n, p in self.processes.items()
                if p.poll() is not None]
            if dead:
                raise RuntimeError(f'{", ".join(dead)} stopped at start')
            try:
                with urllib.request.urlopen(self.url + '/', timeout=5) as r:
                    page = r.read()
                # without a database: a database's calls need a login
                rpc(self.url, None, 'common.server.version', [])
                if b'sao' in page:
                    return self
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f'the stack did not answer on {self.url}')
            time.sleep(0.2)  # polling a server we started to come up

    def stop(self, timeout=30):
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        # the pools' children may outlive a master stopped by SIGTERM
        for process in self.processes.values():
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.processes.clear()


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m deploy.stack',
        description=__doc__.splitlines()[0])
    parser.add_argument('--db', required=True)
    parser.add_argument('--uri', default=os.environ.get(
            'TRYTOND_DATABASE__URI', PG_URI))
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8000)
    parser.add_argument('--workers', type=int, default=4,
        help="gunicorn sync workers (requests served at once)")
    parser.add_argument('--queue-workers', type=int, default=1,
        help="trytond-worker processes (queued tasks run at once)")
    options = parser.parse_args(argv)
    env = {}
    demo_key = ROOT / 'var' / 'erp_sync_secret.key'
    if 'TRYTOND_ERP_SYNC__SECRET_KEY' not in os.environ and demo_key.exists():
        # the demo's key (made by `make demo`), so the demo's ERP endpoint
        # can decrypt its credentials; a site sets its own variable
        env['TRYTOND_ERP_SYNC__SECRET_KEY'] = demo_key.read_text().strip()
    stack = Stack(options.db, options.uri, options.host, options.port,
        options.workers, options.queue_workers, env=env)
    # stopped by a kill as by Ctrl-C: the whole stack stops together
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    try:
        stack.start().wait_ready()
        print(f'\nProduction stack ready: {stack.url}/  (database '
            f'"{options.db}", {options.workers} WSGI workers, 1 cron, '
            f'{options.queue_workers} queue worker(s))\nStop with Ctrl-C.\n',
            flush=True)
        # one process ending stops the stack: a service manager (systemd)
        # then restarts it whole, instead of running it half
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(1)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()


if __name__ == '__main__':
    sys.exit(main())
