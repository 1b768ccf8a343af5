"""Offline-first counting page, accepted in a phone-sized headless Chromium.

The server is really stopped mid-flow (and the page told it is offline), five
scans are queued, one of them wrong, the page is reloaded without a server
(the shell from the service worker's cache, the queue from IndexedDB), then
the server comes back on the same address: the database holds exactly the
four good counts, once each, and the wrong scan is refused on its own line.
"""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

from unittest.mock import patch

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from trytond import backend
from trytond.config import config
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction

from .. import routes
from .tools import create_task, setup_stock

PASSWORD = 'count-2026-alice'
# A phone: 390 x 844 CSS pixels
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--window-size=390,844']
WRONG = '9999999999994'  # a barcode of no product


class OfflineShellTestCase(RouteTestCase):
    "The files of the offline page: service worker, idb, the cached shell"
    module = 'stocktake_mobile'

    @classmethod
    def setUpDatabase(cls):
        pass

    def get(self, path):
        return self.client().get(f'/{self.db_name}/stocktake/{path}')

    def test_service_worker(self):
        "At the page's own path (scope = the page), JavaScript, never framed"
        response = self.get('sw.js')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.mimetype, 'text/javascript')
        self.assertEqual(response.headers['X-Content-Type-Options'],
            'nosniff')
        self.assertIn("frame-ancestors 'none'",
            response.headers['Content-Security-Policy'])
        # Every file of the shell is served (one missing fails the install)
        shell = re.search(r'var SHELL = \[([^\]]*)\]',
            response.get_data(as_text=True)).group(1)
        files = re.findall(r"'([^']+)'", shell)
        self.assertIn('static/idb.js', files)
        for path in files:
            with self.subTest(path=path):
                self.assertEqual(self.get(path.lstrip('./')).status_code,
                    200)

    def test_idb_from_npm(self):
        "idb is served as npm installed it (web/package.json), not a copy"
        path = routes.vendor_file('idb.js')
        self.assertTrue(path and path.endswith(
                os.path.join('node_modules', 'idb', 'build', 'umd.js')),
            path)
        response = self.get('static/idb.js')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.mimetype, 'text/javascript')
        with open(path, 'rb') as fh:
            self.assertEqual(response.data, fh.read())
        with patch.object(routes, 'node_modules', return_value=[]), \
                self.assertLogs(routes.logger, 'ERROR'):
            response = self.get('static/idb.js')
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.mimetype, 'application/json')


class StocktakeOfflineTestCase(RouteTestCase):
    "Cut the network, queue, reload offline, come back: 4 applied, 1 refused"
    module = 'stocktake_mobile'

    @classmethod
    def setUpDatabase(cls):
        cls.data = setup_stock()
        User = Pool().get('res.user')
        User.write([User(cls.data['users']['alice'])],
            {'password': PASSWORD})
        cls.task_id = create_task(cls.data)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix='stocktake-offline-')
        cls.env = dict(os.environ)
        if backend.name == 'sqlite':
            # The in-memory test DB is per thread: serve a file copy of it
            cls.db = 'stocktake_offline'
            cls.db_file = os.path.join(cls.tmp, cls.db + '.sqlite')
            source = backend.Database(DB_NAME).connect().get_connection()
            with sqlite3.connect(cls.db_file) as target:
                source.backup(target)
            cls.env['TRYTOND_DATABASE__PATH'] = cls.tmp
        else:
            cls.db = DB_NAME
        cls.env['TRYTOND_DATABASE_URI'] = config.get('database', 'uri')
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        cls.server = None
        cls.port = cls.start_server(0)
        cls.addClassCleanup(cls.stop_server)
        cls.base = f'http://127.0.0.1:{cls.port}/{cls.db}/stocktake/'
        options = webdriver.ChromeOptions()
        options.binary_location = '/usr/bin/chromium'
        for flag in FLAGS + [f'--user-data-dir={cls.tmp}/chrome']:
            options.add_argument(flag)
        cls.driver = webdriver.Chrome(
            service=Service('/usr/bin/chromedriver'), options=options)
        cls.addClassCleanup(cls.driver.quit)

    @classmethod
    def tearDownClass(cls):
        # Stop the browser and the server before the database is dropped
        cls.doClassCleanups()
        super().tearDownClass()

    @classmethod
    def start_server(cls, port):
        "Serve the database on the port (0: a free one); returns the port"
        cls.server = subprocess.Popen([sys.executable, '-m',
                'trytond.modules.stocktake_mobile.tests.serve', cls.db,
                str(port)],
            stdout=subprocess.PIPE, env=cls.env, text=True)
        # The first line is printed once the socket listens
        return int(cls.server.stdout.readline())

    @classmethod
    def stop_server(cls):
        if cls.server and cls.server.poll() is None:
            cls.server.terminate()
            cls.server.wait(timeout=60)
        if cls.server:
            cls.server.stdout.close()

    def network(self, up):
        """Up: the server listens again on its port, then the page is told
        it is online (its `online` event); down: the reverse"""
        if up:
            self.assertEqual(self.start_server(self.port), self.port)
        self.driver.execute_cdp_cmd('Network.enable', {})
        self.driver.execute_cdp_cmd('Network.emulateNetworkConditions', {
                'offline': not up, 'latency': 0,
                'downloadThroughput': -1, 'uploadThroughput': -1})
        if not up:
            self.stop_server()

    def query(self, query, *args):
        "Rows as the running server stores them"
        if backend.name == 'sqlite':
            with sqlite3.connect(self.db_file) as conn:
                return conn.execute(query.replace('%s', '?'), args).fetchall()
        with Transaction().start(self.db, 0, readonly=True) as transaction:
            cursor = transaction.connection.cursor()
            cursor.execute(query, args)
            return cursor.fetchall()

    def counts(self):
        "{client_key: (location, product, quantity)} of the task's counts"
        return {key: (location, product, quantity)
            for key, location, product, quantity in self.query(
                'SELECT c.client_key, l.location, l.product, c.quantity '
                'FROM stocktake_count AS c '
                'JOIN stocktake_task_line AS l ON l.id = c.line '
                'WHERE c.task = %s', self.task_id)}

    def wait(self, condition, timeout=60):
        return WebDriverWait(self.driver, timeout).until(condition)

    def text_of(self, element_id):
        return self.driver.find_element(By.ID, element_id).text

    def scans(self, state):
        "Scan lines of the page in that state (queued, sent, refused)"
        return self.driver.find_elements(By.CSS_SELECTOR,
            f'#scans li.{state}')

    def scan(self, location, code, quantity):
        d = self.driver
        for element_id, value in [('location', location), ('code', code)]:
            field = d.find_element(By.ID, element_id)
            field.clear()
            field.send_keys(value + '\n')  # keyboard wedge: code + Enter
        d.find_element(By.ID, 'quantity').send_keys(str(quantity) + '\n')

    def test_offline_queue_reload_and_back(self):
        d = self.driver
        bins = dict(zip(['B1', 'B2'], self.data['locations']))
        p1, p2, p3, p4 = self.data['products']
        d.get(self.base)
        d.find_element(By.ID, 'user').send_keys('alice')
        d.find_element(By.ID, 'password').send_keys(PASSWORD)
        d.find_element(By.ID, 'login').click()
        self.wait(EC.element_to_be_clickable(
                (By.CSS_SELECTOR, f'button[data-task="{self.task_id}"]'))
            ).click()
        self.wait(EC.visibility_of_element_located((By.ID, 'location')))
        # The service worker has cached the shell once it controls the page
        self.wait(lambda d: d.execute_script(
                'return !!navigator.serviceWorker.controller'))

        self.scan('B1', 'P001', 5)
        self.wait(lambda d: len(self.scans('sent')) == 1)
        self.assertEqual(len(self.counts()), 1)

        self.network(False)
        self.scan('B1', '4006381333931', 6)  # EAN barcode of P002
        self.scan('B1', 'P004', 3)
        self.scan('B2', WRONG, 1)
        self.scan('B2', 'P001', 2)
        self.scan('B2', 'LOT-7', 3)
        self.wait(lambda d: self.text_of('queue') == '5')
        self.wait(lambda d: len(self.scans('queued')) == 5)
        self.wait(lambda d: 'offline' in d.find_element(
                By.ID, 'status').get_attribute('class'))
        keys = [li.get_attribute('data-key') for li in self.scans('queued')]
        self.assertEqual(len(set(keys)), 5)

        # No server: the page from the service worker, the queue from
        # IndexedDB, the task as last loaded
        d.refresh()
        self.wait(EC.visibility_of_element_located((By.ID, 'task-view')))
        self.wait(lambda d: len(self.scans('queued')) == 5)
        self.assertEqual(self.text_of('queue'), '5')
        self.assertEqual(
            [li.get_attribute('data-key') for li in self.scans('queued')],
            keys)
        self.assertEqual(len(self.counts()), 1)

        self.network(True)
        self.wait(lambda d: self.text_of('queue') == '0')
        self.wait(lambda d: len(self.scans('sent')) == 5
            and len(self.scans('refused')) == 1)
        refused, = self.scans('refused')
        self.assertIn(WRONG, refused.text)  # the server's message, on its line
        self.assertEqual(self.text_of('refused-count'), '1')
        sent = {li.get_attribute('data-key') for li in self.scans('sent')}
        wrong_key = refused.get_attribute('data-key')
        self.assertEqual(set(keys) - sent, {wrong_key})

        # The database: the four good scans once each, with the keys the
        # device made offline, and nothing of the wrong one
        counts = self.counts()
        self.assertEqual(set(counts), sent)
        self.assertNotIn(wrong_key, counts)
        self.assertEqual(sorted(counts.values()), sorted([
                    (bins['B1'], p1, 5), (bins['B1'], p2, 6),
                    (bins['B1'], p4, 3), (bins['B2'], p1, 2),
                    (bins['B2'], p3, 3)]))
        self.assertEqual(self.query(
                'SELECT COUNT(*) FROM stocktake_count WHERE task = %s',
                self.task_id), [(5,)])
        # The counted lines follow (B2/LOT-7 is the lot's line)
        self.wait(lambda d: len(d.find_elements(
                    By.CSS_SELECTOR, '#lines li.done')) == 5)
