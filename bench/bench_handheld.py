"""Benchmark: the handheld page's scan-to-feedback time in Chromium, next to
the scan API's own time on the same server (issue 22).

A PostgreSQL test database with stocktake_mobile (setup_stock and
setup_documents of its tests, the receipt's P001 line raised to hold every
scan) is served by WORKERS trytond WSGI processes, as bench_scan_api does. A
phone-sized headless Chromium signs in on the first with a password and
opens the receipt; each scan is put into the document screen's fields and
submitted as a scanner's Enter would, and timed in the page from the submit
to the accepted line being drawn (performance.now()). The same number of
scans is posted by a plain HTTP client to the same endpoint with the same
device key, query and body as the page's (a connection per request, as the
browser's: the server closes each): the API's own time. Both sides scan one
at a time, in alternating blocks of --block scans, so that both meet the
same load of a shared machine; before an API block the page has finished
what it does after its scans (its document's lines read again), so that none
of the page's work falls into the API's time. Also printed: what the page
transferred on its first load and on a reload (Resource Timing transferSize;
0 for what came from a cache). Chromium's profile lives in /dev/shm: on one
machine, the page's durable IndexedDB writes would otherwise contend with
PostgreSQL's commit flushes on the same disk, which a phone does not (this
doubled both sides' times: API p50 10.3 ms on disk, 5.7 ms in memory).

Usage: python bench/bench_handheld.py [--scans N] [--workers N] [--block N]
Prints `name: value` lines; goal: the page adds at most 20 % to the p95.
"""
import argparse
import contextlib
import hashlib
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'bench'))
from bench_scan_api import call, p95, start_workers  # noqa: E402

PG_URI = os.environ.get('TEST_PG_URI', 'postgresql://postgres@127.0.0.1:5432/')
PASSWORD = 'bench-alice-2026'
LOT = 'BENCH-LOT-1'
# Chromium as the page's browser tests run it: a phone, headless
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--window-size=390,844']
# Submit one scan and resolve with the ms until its answer is drawn
SCAN_JS = """
const [code, quantity, lot, done] = arguments;
const list = document.getElementById('doc-scans');
// The counters, not the lines: the list shows the last 50 accepted only
const counters = ['doc-accepted', 'doc-refused'].map(
    id => document.getElementById(id));
const answered = () => counters.reduce(
    (total, counter) => total + Number(counter.textContent), 0);
const before = answered();
document.getElementById('doc-code').value = code;
document.getElementById('doc-lot').value = lot;
document.getElementById('doc-quantity').value = quantity;
const start = performance.now();
new MutationObserver(function (changes, observer) {
    if (answered() > before) {
        observer.disconnect();
        const end = performance.now();
        const first = list.querySelector('li');
        // The browser's own time of the request (Resource Timing)
        const fetched = performance.getEntriesByType('resource').filter(
            entry => entry.name.indexOf('/api/scan/scan') !== -1).pop();
        performance.clearResourceTimings();
        done([end - start, first.className,
            fetched ? fetched.duration : null]);
    }
}).observe(document.getElementById('doc-view'),
    {childList: true, subtree: true, characterData: true});
document.getElementById('doc-submit').click();
"""
# After a block: until the page has drawn its document's lines again (its
# last work after the scans), at most a few seconds
QUIET_JS = """
const done = arguments[arguments.length - 1];
const guard = setTimeout(() => done(false), 5000);
new MutationObserver(function (changes, observer) {
    observer.disconnect();
    clearTimeout(guard);
    done(true);
}).observe(document.getElementById('doc-lines'), {childList: true});
"""
TRANSFERRED_JS = """
return performance.getEntriesByType('navigation').concat(
    performance.getEntriesByType('resource')).reduce(
    (total, entry) => total + (entry.transferSize || 0), 0);
"""


def db_cache():
    "Module DB cache keyed on the addons' sources (tests excluded)"
    digest = hashlib.sha256()
    for path in sorted((ROOT / 'addons').rglob('*')):
        parts = path.relative_to(ROOT / 'addons').parts
        if (path.is_file() and '__pycache__' not in parts
                and 'tests' not in parts):
            digest.update(str(parts).encode() + path.read_bytes())
    return str(ROOT / '.cache' / 'db' / (
            'bench-handheld-' + digest.hexdigest()[:16]))


def setup(scans):
    "Documents and alice's password, committed; the receipt's reference"
    from trytond.modules.stocktake_mobile.tests.tools import setup_stock
    from trytond.modules.stocktake_mobile.tests.tools_documents import (
        setup_documents)
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME
    from trytond.transaction import Transaction
    with Transaction().start(DB_NAME, 0, context={
                '_skip_warnings': True}) as transaction:
        data = setup_documents(setup_stock())
        pool = Pool()
        User, Move = pool.get('res.user'), pool.get('stock.move')
        User.write([User(data['users']['alice'])], {'password': PASSWORD})
        p1 = data['products'][0]
        moves = Move.search([('shipment', '=',
                    'stock.shipment.in,%s' % data['shipment']),
                ('product', '=', p1)])
        Move.write(moves, {'quantity': scans})
        transaction.commit()
    return 'stock.shipment.in,%s' % data['shipment']


def browser(tmp):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = '/usr/bin/chromium'
    for flag in FLAGS + [f'--user-data-dir={tmp}/chrome']:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service('/usr/bin/chromedriver'),
        options=options)


def open_receipt(driver, base, document):
    "Sign in as alice, open the receipt flow and the document"
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    def wait(condition):
        return WebDriverWait(driver, 60).until(condition)
    driver.find_element(By.ID, 'user').send_keys('alice')
    driver.find_element(By.ID, 'password').send_keys(PASSWORD)
    driver.find_element(By.ID, 'login').click()
    wait(EC.element_to_be_clickable(
            (By.CSS_SELECTOR, '#flows button[data-flow="receipt"]'))).click()
    wait(EC.element_to_be_clickable((By.CSS_SELECTOR,
                f'#documents button[data-document="{document}"]'))).click()
    wait(EC.visibility_of_element_located((By.ID, 'doc-code')))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--scans', type=int, default=200)
    parser.add_argument('--workers', type=int, default=2,
        help="server processes (the page and the API client use the first)")
    parser.add_argument('--block', type=int, default=25,
        help="scans of a side before the other side's")
    options = parser.parse_args()
    os.environ['TRYTOND_DATABASE_URI'] = PG_URI
    os.environ['DB_NAME'] = 'bench_handheld_%s' % os.getpid()
    os.environ.setdefault('DB_CACHE', db_cache())
    import logging
    logging.disable(logging.WARNING)
    from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
    activate_module(['stocktake_mobile'])
    warm = 10
    total = 2 * options.scans + 2 * warm
    document = setup(total)
    workers = []
    # The browser's profile in memory where the machine has it: a phone
    # writes its scan queue (IndexedDB, durability strict) to its own flash,
    # not to the disk where the server's PostgreSQL flushes its commits
    shm = '/dev/shm' if os.path.isdir('/dev/shm') else None
    with tempfile.TemporaryDirectory(prefix='bench-handheld-',
            dir=shm) as tmp, \
            contextlib.ExitStack() as stack:
        try:
            workers, ports = start_workers(options.workers, DB_NAME)
            base = f'http://127.0.0.1:{ports[0]}/{DB_NAME}/stocktake/'
            driver = browser(tmp)
            stack.callback(driver.quit)
            driver.get(base)
            first_load = driver.execute_script(TRANSFERRED_JS)
            open_receipt(driver, base, document)
            key, device = driver.execute_script(
                "return [localStorage.getItem('stocktake.key'), "
                "navigator.userAgent.slice(0, 60)]")
            # What the page sends (stocktake.js api() and post())
            path = f'/{DB_NAME}/stocktake/api/scan/scan?language=en'
            page, fetched, api = [], [], []

            def page_scan(i):
                elapsed, result, request = driver.execute_async_script(
                    SCAN_JS, 'P001', 1, LOT)
                if 'accepted' not in result:
                    raise RuntimeError('scan %s refused: %s' % (i, result))
                fetched.append(request / 1000)
                return elapsed / 1000

            def api_scan(i):
                elapsed, data = call(ports[0], 'bearer %s' % key, 'POST',
                    path, {
                        'document': document, 'kind': 'receipt',
                        'code': 'P001', 'quantity': 1, 'location': None,
                        'lot': LOT, 'client_key': 'bench-api-%s' % i,
                        'device': device})
                if not data.get('accepted'):
                    raise RuntimeError('API scan refused: %s' % json.dumps(
                            data)[:300])
                return elapsed

            for i in range(warm):
                page_scan(i)
            del fetched[:]
            driver.execute_async_script(QUIET_JS)
            for i in range(warm):
                api_scan(i)
            done = 0
            while done < options.scans:
                block = range(done, min(done + options.block, options.scans))
                page.extend(page_scan(warm + i) for i in block)
                driver.execute_async_script(QUIET_JS)
                api.extend(api_scan(warm + i) for i in block)
                done = block.stop
            driver.refresh()
            reload = driver.execute_script(TRANSFERRED_JS)
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait()
            stack.close()
            drop_db()
    print('backend: postgresql')
    print('server_workers: %s' % options.workers)
    print('scans: %s each' % options.scans)
    print('page_scan_p50_ms: %.2f' % (statistics.median(page) * 1000))
    print('page_scan_p95_ms: %.2f' % (p95(page) * 1000))
    # Of the page's time, the browser's fetch of the scan (request sent to
    # answer read, Resource Timing): the rest is the page's own work
    print('page_fetch_p50_ms: %.2f' % (statistics.median(fetched) * 1000))
    print('page_fetch_p95_ms: %.2f' % (p95(fetched) * 1000))
    print('api_scan_p50_ms: %.2f' % (statistics.median(api) * 1000))
    print('api_scan_p95_ms: %.2f' % (p95(api) * 1000))
    print('page_p95_ratio_vs_api: %.2f' % (p95(page) / p95(api)))
    print('first_load_transferred_kb: %.1f' % (first_load / 1024))
    print('reload_transferred_kb: %.1f' % (reload / 1024))
    # The machine may be shared: the load the figures were made under
    print('load_average_1_5_15: %.2f %.2f %.2f' % os.getloadavg())


if __name__ == '__main__':
    main()
