"""Run every test suite of the project and print one `N passed, N failed` line.

Suites: tooling checks and the connectors package once; every addon's Tryton
tests and the cross-module integration tests once per backend (SQLite always,
PostgreSQL when reachable; with CI=true an unreachable PostgreSQL is an error).

Usage: python tools/run_tests.py [--backend sqlite|postgresql|all] [--only SUBSTR]
"""
import argparse
import concurrent.futures
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from demo_factory.database import sources_hash  # noqa: E402
ADDONS = ['factory_stock_ext', 'stock_safety_alert', 'stocktake_mobile',
    'erp_sync', 'stock_ledger']
# Integration modules that run on one backend only
ONE_BACKEND = {
    # several trytond processes on one database (SKIP LOCKED, NOTIFY)
    'test_production_stack': 'postgresql',
    }
PG_URI = os.environ.get('TEST_PG_URI', 'postgresql://postgres@127.0.0.1:5432/')


def pg_reachable():
    try:
        import psycopg
        psycopg.connect(PG_URI + 'postgres', connect_timeout=3).close()
        return True
    except Exception as exc:  # any failure means "not reachable" here
        print(f'PostgreSQL not reachable at {PG_URI}: {exc}', file=sys.stderr)
        return False


def addon_test_names(addon):
    tests = ROOT / 'addons' / addon / 'tests'
    return [f'trytond.modules.{addon}.tests.{p.stem}'
        for p in sorted(tests.glob('test_*.py'))]


def backend_env(backend, cache_key):
    env = dict(os.environ)
    env['DB_CACHE'] = str(ROOT / '.cache' / 'db' / cache_key)
    env['TEST_DB_KEY'] = cache_key
    if backend == 'sqlite':
        env['TRYTOND_DATABASE_URI'] = 'sqlite://'
        env['DB_NAME'] = ':memory:'
    else:
        env['TRYTOND_DATABASE_URI'] = PG_URI
        # Unique per process so parallel runs never share a database
        env['DB_NAME'] = 'test_' + uuid.uuid4().hex[:12]
        # Test databases need atomicity, not crash durability: without the
        # WAL flush a commit costs ~1.5 ms instead of ~11 ms on this disk
        # (libpq reads PGOPTIONS for every connection, pg_restore included)
        env['PGOPTIONS'] = '-c synchronous_commit=off'
        # module sets cached as template databases (tests/db_cache.py)
        env['DB_CACHE'] = 'postgresql://'
    env['TEST_BACKEND'] = backend
    return env


def integration_suites(backend, key):
    """The cross-module tests: one suite, plus a suite of its own for each
    module that runs on one backend only (beside the others)"""
    folder = ROOT / 'tests' / 'integration'
    names = sorted(p.stem for p in folder.glob('test_*.py'))

    def env():
        # module names instead of --discover: support.py is imported by name
        # (sorted: test_demo_factory first, shared_demo relies on it)
        env = backend_env(backend, key)
        env['PYTHONPATH'] = os.pathsep.join(filter(None, [
                    str(folder), env.get('PYTHONPATH')]))
        return env
    suites = [(f'integration [{backend}]',
            [n for n in names if n not in ONE_BACKEND], env())]
    for name, only in ONE_BACKEND.items():
        if only == backend and name in names:
            suites.append((f'integration {name} [{backend}]', [name], env()))
    return suites


def backend_uri(backend):
    return 'sqlite://' if backend == 'sqlite' else PG_URI


def drop_stale_templates(key, hours=1):
    """PostgreSQL template databases of other sources, neither created nor
    used for an hour: the test module sets (tests/db_cache.py) and the demo
    template (demo_factory/database.py), and test databases a killed run
    left renamed for dropping (tests/db_cache.py). Another checkout on the
    machine may still use older templates: each run marks its own as used
    (mark_templates_used), so a checkout's templates stay while it runs
    within the hour; one in use at the moment is left for later."""
    import psycopg
    from tests.db_cache import DROPPED_PREFIX, TEMPLATE_PREFIX
    with psycopg.connect(PG_URI + 'postgres', autocommit=True) as conn:
        try:
            # a database's PG_VERSION file is written when it is created,
            # its comment holds the time of its last use
            names = [r[0] for r in conn.execute(
                    "SELECT datname FROM pg_database "
                    "WHERE (datname LIKE %s OR datname LIKE %s "
                    "OR datname LIKE %s) "
                    "AND GREATEST((pg_stat_file("
                        "'base/' || oid || '/PG_VERSION')).modification, "
                        "CASE WHEN shobj_description(oid, 'pg_database') "
                        "LIKE 'used %%' THEN substr(shobj_description("
                            "oid, 'pg_database'), 6)::timestamptz END) "
                    "< now() - make_interval(hours => %s)", (
                        TEMPLATE_PREFIX.replace('_', '\\_') + '%',
                        'factory\\_template\\_%',
                        DROPPED_PREFIX.replace('_', '\\_') + '%', hours))]
        except psycopg.Error:  # not allowed to read the files: keep all
            return
        for name in names:
            if key in name:
                continue
            try:
                conn.execute(f'DROP DATABASE "{name}"')
            except psycopg.Error:
                pass


def mark_templates_used(key):
    "This checkout's templates used now (read by drop_stale_templates)"
    import psycopg
    from tests.db_cache import TEMPLATE_PREFIX
    with psycopg.connect(PG_URI + 'postgres', autocommit=True) as conn:
        names = [r[0] for r in conn.execute(
                "SELECT datname FROM pg_database "
                "WHERE datname LIKE %s OR datname = %s", (
                    f'{TEMPLATE_PREFIX}{key}-%'.replace('_', '\\_'),
                    f'factory_template_{key}'))]
        for name in names:
            try:
                conn.execute(f"COMMENT ON DATABASE \"{name}\" IS "
                    f"'used {time.strftime('%Y-%m-%dT%H:%M:%S%z')}'")
            except psycopg.Error:  # not allowed: creation time only
                pass


def drop_stale_sqlite_caches(key, days=1):
    "SQLite module caches of other sources, untouched for a day"
    import shutil
    for path in (ROOT / '.cache' / 'db').glob('*'):
        if (path.name != key and path.is_dir()
                and path.stat().st_mtime < time.time() - days * 86400):
            shutil.rmtree(path, ignore_errors=True)


def prepare_jobs(backends, key):
    """Databases that several suites copy, built once per backend before
    them: the cached test base and the demo template"""
    jobs = {}
    demo_env = {k: v for k, v in os.environ.items()
        if not k.startswith(('TRYTOND_', 'DB_'))}
    # core's slow reads replaced by equivalent ones (tests/core_speedups.py)
    demo_env['FACTORY_ADMIN_SPEEDUPS'] = '1'
    for backend in backends:
        jobs['base', backend] = (f'prepare test base [{backend}]',
            [str(ROOT / 'tests' / 'db_cache.py')], backend_env(backend, key))
        jobs['demo', backend] = (f'prepare demo template [{backend}]',
            ['-m', 'demo_factory.database', backend_uri(backend)], demo_env)
    return jobs


def suite_needs(label, env):
    "The prepared databases a suite copies"
    backend = env.get('TEST_BACKEND')
    if not backend:
        return []
    if 'integration' in label or 'browser' in label:
        return [('base', backend), ('demo', backend)]
    return [('base', backend)]


def run_child(args, env):
    """Run a Python child to its end: (return code, output, CPU seconds).
    CPU time is user + sys of the child and of the processes it waited for
    (Chromium, servers): on a shared machine it measures the suite's own
    work where wall time also measures its neighbours (PostgreSQL's own
    work is not in it)."""
    proc = subprocess.Popen([sys.executable] + args, env=env, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, output, usage.ru_utime + usage.ru_stime


def run_prepare(label, args, env):
    start = time.monotonic()
    returncode, output, cpu = run_child(args, env)
    seconds = time.monotonic() - start
    failed = 1 if returncode else 0
    log = f'\n=== {label} ===\n' + (output if failed else '') + (
        f'--- {label}: {"failed" if failed else "done"} ({seconds:.0f}s)')
    return 0, failed, log, {'suite': (label, seconds, cpu), 'classes': [],
        'tests': []}


def run_suite(label, args, env):
    "Run one suite in its own process; returns (passed, failed, log text)"
    with tempfile.NamedTemporaryFile(suffix='.json', delete=False) as fh:
        out = fh.name
    start = time.monotonic()
    returncode, output, cpu = run_child(
        [str(ROOT / 'tests' / 'result_json.py'), out] + args, env)
    log = [f'\n=== {label} ===', output]
    try:
        counts = json.loads(pathlib.Path(out).read_text())
    except (OSError, ValueError):
        # The process died before reporting: count it as one failure
        counts = {'run': 0, 'failed': 1, 'skipped': 0}
    finally:
        pathlib.Path(out).unlink(missing_ok=True)
    if returncode and not counts['failed']:
        counts['failed'] = 1
    if counts['run'] == 0:
        # A suite that runs nothing must never count as a pass
        log.append(f'{label}: no test was run')
        counts['failed'] = max(counts['failed'], 1)
    passed = counts['run'] - counts['failed'] - counts['skipped']
    seconds = time.monotonic() - start
    log.append(f'--- {label}: {passed} passed, {counts["failed"]} failed, '
        f'{counts["skipped"]} skipped ({seconds:.0f}s)')
    timing = {'suite': (label, seconds, cpu), 'classes': [
            (label, name, s) for name, s in counts.get('classes', {}).items()],
        'tests': [(label, name, s)
            for name, s in counts.get('tests', {}).items()]}
    return passed, counts['failed'] + counts['skipped'], '\n'.join(log), timing


def schedule(jobs, workers):
    """Run jobs (key, needs, function, args), in their order of priority,
    `workers` at a time, each once the jobs it needs are done (failed or
    not: a suite builds a missing database itself); yield their results"""
    pending, running, done = list(jobs), {}, set()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        while pending or running:
            while len(running) < workers:
                job = next((j for j in pending if set(j[1]) <= done), None)
                if job is None:
                    break
                pending.remove(job)
                running[pool.submit(job[2], *job[3])] = job[0]
            finished, _ = concurrent.futures.wait(
                running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in finished:
                done.add(running.pop(future))
                yield future.result()


TIMES = ROOT / '.cache' / 'suite_times.json'


def longest_first(suites):
    """The longest suites start first so that the lanes end together (none
    runs alone at the end): longest by the seconds the last runs took
    (TIMES), else by this order (PostgreSQL is the slower)"""
    longest = ['browser', 'integration', 'stocktake_mobile',
        'factory_stock_ext', 'stock_ledger', 'stock_safety_alert',
        'erp_sync']
    try:
        seconds = json.loads(TIMES.read_text())
    except (OSError, ValueError):
        seconds = {}

    def key(suite):
        label = suite[0]
        rank = next((i for i, n in enumerate(longest) if n in label), 99)
        # a suite never timed here goes first: it may be a long one
        return (-seconds.get(label, float('inf')), rank,
            'postgresql' not in label)
    return sorted(suites, key=key)


def save_times(timings):
    "Each suite's seconds, for the order of the next run (longest_first)"
    try:
        seconds = json.loads(TIMES.read_text())
    except (OSError, ValueError):
        seconds = {}
    seconds.update({t['suite'][0]: round(t['suite'][1])
            for t in timings if not t['suite'][0].startswith('prepare')})
    TIMES.parent.mkdir(parents=True, exist_ok=True)
    TIMES.write_text(json.dumps(seconds, indent=1, sort_keys=True))


def print_timing(timings, total):
    "Where the time went: every suite, then the slowest test classes"
    cpu_total = sum(t['suite'][2] for t in timings)
    print(f'\nTime per suite, wall and CPU (wall clock of the run: '
        f'{total:.0f}s, CPU of the suites: {cpu_total:.0f}s)')
    for label, seconds, cpu in sorted((t['suite'] for t in timings),
            key=lambda s: -s[1]):
        print(f'  {seconds:7.0f}s {cpu:7.0f}s cpu  {label}')
    # wall times depend on what else the machine runs
    print('Load average at the end: %.1f %.1f %.1f' % os.getloadavg())
    print('Slowest test classes (set-up included)')
    classes = sorted((c for t in timings for c in t['classes']),
        key=lambda c: -c[2])
    for label, name, seconds in classes[:15]:
        print(f'  {seconds:7.0f}s  {name} {label.split()[-1]}')
    print('Slowest tests (their own run, class set-up aside)')
    tests = sorted((c for t in timings for c in t['tests']),
        key=lambda c: -c[2])
    for label, name, seconds in tests[:15]:
        print(f'  {seconds:7.1f}s  {name} {label.split()[-1]}')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--backend', default='all',
        choices=['sqlite', 'postgresql', 'all'])
    parser.add_argument('--only', default='',
        help="run only suites whose label contains this text")
    parser.add_argument('-j', '--jobs', type=int,
        default=int(os.environ.get('TEST_JOBS', os.cpu_count() or 1)),
        help="suites run in parallel (each is one process; measured: one "
        "more than the cores made a clean run 19 minutes instead of 15)")
    options = parser.parse_args()

    backends = []
    if options.backend in {'sqlite', 'all'}:
        backends.append('sqlite')
    if options.backend in {'postgresql', 'all'}:
        if pg_reachable():
            backends.append('postgresql')
        elif os.environ.get('CI') == 'true' or options.backend == 'postgresql':
            print('FATAL: PostgreSQL was expected but is not reachable',
                file=sys.stderr)
            print('0 passed, 1 failed')
            return 1

    suites = []
    plain_env = dict(os.environ)
    suites.append(('tooling', ['--discover', 'tests/tooling', '.'], plain_env))
    if (ROOT / 'connectors' / 'tests').is_dir():
        suites.append(('connectors',
                ['--discover', 'connectors/tests', '.'], plain_env))
    key = sources_hash()
    for backend in backends:
        for addon in ADDONS:
            names = addon_test_names(addon)
            if names:
                suites.append((f'{addon} [{backend}]', names,
                        backend_env(backend, key)))
        suites.extend(integration_suites(backend, key))
    if 'sqlite' in backends:
        # The browser walk of every screen: once, on SQLite (the screens do
        # not depend on the backend)
        suites.append(('browser [sqlite]',
                ['--discover', 'tests/browser', 'tests/browser'],
                backend_env('sqlite', key)))

    suites = [s for s in suites if options.only in s[0]]
    suites = longest_first(suites)
    if 'postgresql' in backends:
        mark_templates_used(key)
        drop_stale_templates(key)
    drop_stale_sqlite_caches(key)
    prepare = {k: job for k, job in prepare_jobs(backends, key).items()
        if any(k in suite_needs(s[0], s[2]) for s in suites)}
    passed = failed = 0
    timings = []
    start = time.monotonic()
    # Prepared databases first (PostgreSQL's base is the longest, its demo
    # template is needed last), then the suites, longest first
    order = [('base', 'postgresql'), ('base', 'sqlite'), ('demo', 'sqlite'),
        ('demo', 'postgresql')]
    jobs = [(key, [], run_prepare, prepare[key])
        for key in order if key in prepare]
    jobs += [(suite[0], [k for k in suite_needs(suite[0], suite[2])
                if k in prepare], run_suite, suite) for suite in suites]
    for p, f, log, timing in schedule(jobs, options.jobs):
        print(log, flush=True)
        passed += p
        failed += f
        timings.append(timing)
    print_timing(timings, time.monotonic() - start)
    save_times(timings)
    if passed + failed == 0:
        failed = 1
    print(f'\n{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
