"""Benchmark: scans through the factory_scan JSON HTTP API (PostgreSQL).

Deployed as trytond is in production: WORKERS server processes (default:
one per core) each load ``trytond.application`` and serve it threaded with
werkzeug on 127.0.0.1; the handhelds are client threads of this process,
each sticking to one worker as behind a load balancer.  A clerk's validated
`factory_scan` key authenticates every call.  Measured in the same run, both
with CLIENTS clients at once (so both share the machine the same way): the
p95 of two trivial authenticated calls, the route's own GET ping (same
decorators, key check and transaction start/commit as a scan) and a Tryton
JSON-RPC call (res.user get_preferences, context only, on a login session),
and of accepted scans (one client per receipt document), plus the scan
throughput.  Both paths are warmed up first (pings,
and scans on separate documents) so that caches and the first session of
each device are not in the figures.  Prints `name: value` lines.

With --profile, the scans and pings of one client are also run in this
process through the same WSGI application under cProfile, and where a scan
spends its time beyond the ping is printed.

Usage: python bench/bench_scan_api.py [--scans N] [--clients N] [--workers N]
    [--profile] [--profile-only]
(BENCH_QUERIES=1: list the statements of one ping and one scan;
BENCH_PROFILE_DIR=dir: save the profiles there for pstats)
"""
import argparse
import base64
import contextlib
import cProfile
import hashlib
import http.client
import json
import os
import pathlib
import statistics
import subprocess
import sys
import threading
import time

PG_URI = os.environ.get('TEST_PG_URI', 'postgresql://postgres@127.0.0.1:5432/')
PASSWORD = 'bench-clerk-2026'
WARM_SCANS = 20
PROFILE_SCANS = 150
ADDON = pathlib.Path(__file__).resolve().parent.parent / 'addons' / (
    'factory_stock_ext')


def db_cache():
    """Module DB cache keyed on the addon sources (tests excluded): trytond's
    own postgresql:// template is keyed on module names only, so it would
    silently keep the tables and indexes of an older version"""
    digest = hashlib.sha256()
    for path in sorted(ADDON.rglob('*')):
        parts = path.relative_to(ADDON).parts
        if path.is_file() and '__pycache__' not in parts \
                and parts[0] != 'tests':
            digest.update(str(parts).encode() + path.read_bytes())
    return str(ADDON.parent.parent / '.cache' / 'db' / (
            'bench-scan-' + digest.hexdigest()[:16]))


# A production worker: trytond's WSGI entry point, which loads the database
# named in TRYTOND_DATABASE_NAMES before serving
SERVER = """
import logging
from trytond.application import app
from werkzeug.serving import make_server
logging.getLogger('werkzeug').setLevel(logging.ERROR)  # no access log
server = make_server('127.0.0.1', 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


def start_workers(count, database):
    "Server processes on free ports; (processes, ports)"
    env = dict(os.environ, TRYTOND_DATABASE_NAMES=database,
        TRYTOND_LOGGING_LEVEL='40')
    processes = [subprocess.Popen([sys.executable, '-c', SERVER], env=env,
            stdout=subprocess.PIPE, text=True) for _ in range(count)]
    # Each prints its port once its pool is loaded: a real readiness signal
    return processes, [int(p.stdout.readline()) for p in processes]


def p95(values):
    return statistics.quantiles(values, n=20)[18]


def setup(clients, scans, warm_scans):
    """Company, clerk (key and password), one receipt document per client
    for `scans` and one per client for `warm_scans`; committed"""
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME
    from trytond.transaction import Transaction
    from trytond.modules.factory_stock_ext.tests.tools_qc_scan import (
        factory, shipment_in, user_in)
    with Transaction().start(DB_NAME, 1, context={
                '_skip_warnings': True}) as transaction, \
            contextlib.ExitStack() as stack:
        f = factory(stack, qc=False)
        clerk = user_in(['factory_stock_ext.group_factory_clerk'], 'clerk',
            f.company)
        Application = Pool().get('res.user.application')
        application, = Application.create([{'user': clerk.id,
                    'application': 'factory_scan', 'state': 'validated'}])
        documents = [str(shipment_in(f, [(f.steel, quantity, None)]))
            for quantity in [scans] * clients + [warm_scans] * clients]
        key = application.key
        clerk.password = PASSWORD
        clerk.save()
        transaction.commit()
    return key, documents


def rpc_session(port, database):
    "Authorization header of a JSON-RPC session of the clerk"
    _, data = call(port, None, 'POST', '/%s/rpc/' % database, {
            'id': 0, 'method': 'common.db.login',
            'params': ['clerk', {'password': PASSWORD}, 'en']})
    user_id, token = data['result'][:2]
    return 'Session ' + base64.b64encode(
        ('clerk:%s:%s' % (user_id, token)).encode()).decode()


def call(port, authorization, method, path, body=None):
    "(seconds, JSON answer) of one request on a new connection"
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
    headers = {'Authorization': authorization} if authorization else {}
    if body is not None:
        body = json.dumps(body)
        headers['Content-Type'] = 'application/json'
    start = time.perf_counter()
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    # JSON-RPC answers its errors with a 200 and an `error` member
    if response.status != 200 or (
            path.endswith('/rpc/') and json.loads(data).get('error')):
        raise RuntimeError('%s %s: %s' % (response.status, path, data[:300]))
    return elapsed, json.loads(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--scans', type=int, default=400,
        help="accepted scans per client")
    # Four handhelds on two workers: throughput is the server's, measured
    # with it busy; fewer clients measure their own round trips instead
    parser.add_argument('--clients', type=int, default=4)
    parser.add_argument('--workers', type=int, default=os.cpu_count() or 1,
        help="server processes")
    parser.add_argument('--profile', action='store_true',
        help="also profile scans and pings in-process with cProfile")
    parser.add_argument('--profile-only', action='store_true',
        help="only the in-process profile (no server, no clients)")
    options = parser.parse_args()
    os.environ['TRYTOND_DATABASE_URI'] = PG_URI
    os.environ['DB_NAME'] = 'bench_scan_api_%s' % os.getpid()
    os.environ.setdefault('DB_CACHE', db_cache())
    import logging
    logging.disable(logging.WARNING)
    from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
    activate_module(['factory_stock_ext'])

    # One warm-up document per client besides the measured ones, the first
    # also for the profile: every scan accepted there too
    key, documents = setup(options.clients, options.scans,
        WARM_SCANS + 4 * PROFILE_SCANS)
    warm_documents = documents[options.clients:]
    documents = documents[:options.clients]
    workers, ports = [], []
    base = '/%s/factory_scan' % DB_NAME

    def port(index):
        return ports[index % len(ports)]

    bearer, sessions = 'bearer %s' % key, []

    def ping(index, i):
        return call(port(index), bearer, 'GET', base + '/ping')

    def rpc(index, i):
        return call(port(index), sessions[0], 'POST', '/%s/rpc/' % DB_NAME, {
                'id': i, 'method': 'model.res.user.get_preferences',
                'params': [True, {}]})

    def scan(document):
        def request(index, i):
            return call(port(index), bearer, 'POST', base + '/scan', {
                    'document': document[index], 'code': 'M-STEEL',
                    'quantity': 1, 'location': 'IN',
                    'client_key': 'bench-%s-%s-%s' % (
                        document[index], index, i),
                    'device': 'HH-%s' % index})
        return request

    def clients(request, count):
        "CLIENTS threads doing `count` requests each; (latencies, results, s)"
        latencies, results = [], []

        def client(index):
            for i in range(count):
                elapsed, data = request(index, i)
                latencies.append(elapsed)
                results.append(data.get('result'))

        threads = [threading.Thread(target=client, args=(i,))
            for i in range(options.clients)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return latencies, results, time.perf_counter() - start

    if options.profile_only:
        try:
            profile_in_process(bearer, base, warm_documents[0])
        finally:
            drop_db()
        return
    try:
        workers, ports[:] = start_workers(options.workers, DB_NAME)
        sessions.append(rpc_session(ports[0], DB_NAME))
        clients(ping, 20)
        clients(rpc, 20)
        clients(scan(warm_documents), WARM_SCANS)
        trivial = clients(ping, 150)[0]
        trivial_rpc = clients(rpc, 150)[0]
        latencies, results, total = clients(scan(documents), options.scans)
        trivial_after = clients(ping, 150)[0]
        trivial_rpc += clients(rpc, 150)[0]
        if options.profile:
            profile_in_process(bearer, base, warm_documents[0])
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait()
        drop_db()

    trivial_p95 = p95(trivial + trivial_after)
    scan_p95 = p95(latencies)
    print('backend: postgresql')
    print('server_workers: %s' % options.workers)
    print('clients: %s' % options.clients)
    print('scans: %s' % len(latencies))
    print('scans_accepted: %s' % results.count('accepted'))
    print('scans_per_second: %.1f' % (len(latencies) / total))
    print('scan_api_p50_ms: %.2f' % (statistics.median(latencies) * 1000))
    print('scan_api_p95_ms: %.2f' % (scan_p95 * 1000))
    print('trivial_call_p95_ms: %.2f' % (trivial_p95 * 1000))
    print('scan_api_p95_ratio_vs_trivial_call: %.2f' % (
            scan_p95 / trivial_p95))
    print('trivial_rpc_p95_ms: %.2f' % (p95(trivial_rpc) * 1000))
    print('scan_api_p95_ratio_vs_trivial_rpc: %.2f' % (
            scan_p95 / p95(trivial_rpc)))


def profile_in_process(bearer, base, document, count=PROFILE_SCANS):
    """The route's own costs without sockets or threads: `count` pings then
    `count` scans through trytond's WSGI application, timed, then again
    under cProfile (cumulative, our addons and the database calls)"""
    import pstats
    # trytond.application refuses to load once threads ran; the WSGI app
    # it would return is this one, with our routes registered at import
    from trytond.pool import Pool
    from trytond.wsgi import app
    from werkzeug.test import Client
    # Importing trytond's test tools put the pool in test mode, which also
    # validates Function fields on every create; the workers are not in it
    Pool.test = False
    client = Client(app)
    headers = {'Authorization': bearer}

    def pings(count=count):
        for i in range(count):
            assert client.get(base + '/ping', headers=headers).status_code \
                == 200

    keys = iter(range(10 ** 6))

    def scans(count=count):
        for i in range(count):
            response = client.post(base + '/scan', headers=headers, json={
                    'document': document, 'code': 'M-STEEL', 'quantity': 1,
                    'location': 'IN', 'client_key': 'profile-%s' % next(keys),
                    'device': 'HH-profile'})
            # a refusal would profile another path than the measured one
            assert response.status_code == 200 \
                and response.json['result'] == 'accepted', response.data
    pings()  # warm the pool and caches of this process
    count_queries(pings, scans, count)
    timed = {}
    for name, run in [('ping', pings), ('scan', scans)]:
        start = time.perf_counter()
        run()
        timed[name] = (time.perf_counter() - start) * 1000 / count
        print('inprocess_%s_ms_each: %.2f' % (name, timed[name]))
    print('inprocess_scan_ratio_vs_ping: %.2f' % (
            timed['scan'] / timed['ping']))
    for name, run in [('ping', pings), ('scan', scans)]:
        profiler = cProfile.Profile()
        profiler.runcall(run)
        if os.environ.get('BENCH_PROFILE_DIR'):
            profiler.dump_stats(os.path.join(
                    os.environ['BENCH_PROFILE_DIR'], name + '.prof'))
        stats = pstats.Stats(profiler, stream=sys.stdout)
        # Python calls per request: CPU work that a busy machine does not
        # change (timings do)
        print('inprocess_%s_calls_each: %.0f' % (
                name, stats.total_calls / count))
        print('profile_%s:' % name)
        stats.sort_stats('cumulative').print_stats(
            r'modules/factory_stock_ext|trytond/(model|protocols|wsgi)', 30)
        stats.print_stats(r'execute', 5)


def count_queries(pings, scans, count):
    """Statements sent to the database per ping and per scan (a count, not
    a time: comparable between two versions on a busy machine); with
    BENCH_QUERIES=1 also the statements of one of each"""
    from trytond.backend.postgresql import database
    statements = []
    execute = database.LoggingCursor.execute

    def counted(self, query, *args, **kwargs):
        statements.append(query)
        return execute(self, query, *args, **kwargs)
    database.LoggingCursor.execute = counted
    try:
        for name, run in [('ping', pings), ('scan', scans)]:
            del statements[:]
            run()
            print('inprocess_%s_queries_each: %.2f' % (
                    name, len(statements) / count))
        if os.environ.get('BENCH_QUERIES'):
            for name, run in [('ping', pings), ('scan', scans)]:
                del statements[:]
                run(1)
                print('queries_of_one_%s:' % name)
                for statement in statements:
                    print('  ' + ' '.join(str(statement).split())[:400])
    finally:
        database.LoggingCursor.execute = execute


if __name__ == '__main__':
    main()
