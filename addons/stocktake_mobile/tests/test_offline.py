"""Offline-first counting page, accepted in a phone-sized headless Chromium.

The server is really stopped mid-flow (and the page told it is offline), five
scans are queued, one of them wrong, the page is reloaded without a server
(the shell from the service worker's cache, the queue from IndexedDB), then
the server comes back on the same address: the database holds exactly the
four good counts, once each, and the wrong scan is refused on its own line.
"""
import gzip
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from unittest.mock import patch

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from trytond.tests.test_tryton import RouteTestCase

from .. import routes
from .page import PageTestCase

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
        # A deployment: the node_modules beside sao ([web] root) first
        with tempfile.TemporaryDirectory() as web:
            built = os.path.join(web, 'idb', 'build', 'umd.js')
            os.makedirs(os.path.dirname(built))
            with open(built, 'w') as fh:
                fh.write('/* idb */')
            root = os.path.join(web, 'tryton-sao')
            with patch.object(routes.config, 'get', side_effect=lambda
                    section, option, default=None: root
                    if (section, option) == ('web', 'root') else default):
                self.assertEqual(routes.vendor_file('idb.js'), built)
        with patch.object(routes, 'node_modules', return_value=[]), \
                self.assertLogs(routes.logger, 'ERROR'):
            response = self.get('static/idb.js')
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.mimetype, 'application/json')

    def test_compressed_and_revalidated(self):
        """The page's files are gzipped for a browser that takes it, sent
        whole otherwise; a copy the browser has is answered 304"""
        static = os.path.dirname(routes.__file__)
        for path, source in [
                ('', 'static/stocktake.html'),
                ('static/documents.js', 'static/documents.js'),
                ('sw.js', 'static/sw.js'),
                ('static/idb.js', routes.vendor_file('idb.js'))]:
            with self.subTest(path=path):
                with open(os.path.join(static, source), 'rb') as fh:
                    content = fh.read()
                url = f'/{self.db_name}/stocktake/{path}'
                plain = self.client().get(url)
                self.assertIsNone(plain.headers.get('Content-Encoding'))
                self.assertEqual(plain.data, content)
                zipped = self.client().get(url,
                    headers={'Accept-Encoding': 'gzip, deflate, br'})
                self.assertEqual(zipped.headers['Content-Encoding'], 'gzip')
                self.assertIn('Accept-Encoding', zipped.headers['Vary'])
                self.assertEqual(gzip.decompress(zipped.data), content)
                self.assertLess(len(zipped.data), len(content))
                again = self.client().get(url, headers={
                        'Accept-Encoding': 'gzip, deflate, br',
                        'If-None-Match': zipped.headers['ETag']})
                self.assertEqual(again.status_code, 304)
                self.assertEqual(again.data, b'')
                self.assertNotEqual(plain.headers['ETag'],
                    zipped.headers['ETag'])

    def test_camera_reader_from_npm(self):
        """The camera's ponyfill and its WebAssembly reader are served from
        npm's copies, kept by the service worker; the CSP lets WebAssembly
        compile and nothing else be evaluated"""
        shell = self.get('sw.js').get_data(as_text=True)
        for name, package, mimetype in [
                ('barcode-detector.js', 'barcode-detector',
                    'text/javascript'),
                ('zxing_reader.wasm', 'zxing-wasm', 'application/wasm')]:
            with self.subTest(name=name):
                path = routes.vendor_file(name)
                self.assertIn(os.path.join('node_modules', package, 'dist'),
                    path)
                self.assertIn(f"'static/{name}'", shell)
                response = self.get(f'static/{name}')
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.mimetype, mimetype)
                with open(path, 'rb') as fh:
                    self.assertEqual(response.data, fh.read())
                # A copy the browser has: not sent again
                again = self.client().get(
                    f'/{self.db_name}/stocktake/static/{name}',
                    headers={'If-None-Match': response.headers['ETag']})
                self.assertEqual(again.status_code, 304)
        csp = self.get('').headers['Content-Security-Policy']
        self.assertIn("script-src 'self' 'wasm-unsafe-eval';", csp)
        self.assertNotIn("'unsafe-eval'", csp)
        self.assertNotIn('jsdelivr', self.get('static/camera.js').get_data(
                as_text=True))


class PageStringsTestCase(unittest.TestCase):
    "Every string the page shows exists in English and in zh_CN"

    @unittest.skipUnless(shutil.which('node'), 'node (make web) is missing')
    def test_i18n_complete(self):
        static = os.path.join(os.path.dirname(routes.__file__), 'static')
        strings = json.loads(subprocess.run(['node', '-e',
                    'global.window = {}; require(process.argv[1]); '
                    'console.log(JSON.stringify(window.STOCKTAKE_I18N))',
                    os.path.join(static, 'i18n.js')],
                capture_output=True, text=True, check=True).stdout)
        used = set()
        with open(os.path.join(static, 'stocktake.html')) as fh:
            used |= set(re.findall(r'data-i18n="(\w+)"', fh.read()))
        for name in ['stocktake.js', 'lookup.js', 'home.js', 'documents.js']:
            with open(os.path.join(static, name)) as fh:
                used |= set(re.findall(r"\bt\('(\w+)'\)", fh.read()))
        # Keys made from a state: t('scan_' + state), S.t('qc_' + state)
        used |= {'scan_queued', 'scan_sent', 'scan_refused', 'qc_hold',
            'qc_released', 'qc_rejected', 'scan_accepted'}
        # …and from a flow: S.t('flow_' + flow)
        used |= {'flow_' + f for f in ['count', 'lookup', 'receipt',
                'putaway', 'issue', 'transfer_out', 'transfer_in',
                'delivery']}
        self.assertIn('lookup_counting', used)
        for language in ['en', 'zh_CN']:
            with self.subTest(language=language):
                self.assertEqual(used - set(strings[language]), set())
        self.assertEqual(set(strings['en']), set(strings['zh_CN']))
        # A key given twice in a table silently takes its last text
        with open(os.path.join(static, 'i18n.js')) as fh:
            tables = re.split(r'\n  zh_CN: \{', fh.read())
        self.assertEqual(len(tables), 2)
        for table in tables:
            keys = re.findall(r"\b(\w+): '", table)
            self.assertEqual(sorted({k for k in keys if keys.count(k) > 1}),
                [])


class StocktakeOfflineTestCase(PageTestCase):
    "Cut the network, queue, reload offline, come back: 4 applied, 1 refused"

    def test_offline_queue_reload_and_back(self):
        d = self.driver
        bins = dict(zip(['B1', 'B2'], self.data['locations']))
        p1, p2, p3, p4 = self.data['products']
        self.sign_in()
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
        # Not finished while scans wait (they would be refused)
        d.find_element(By.ID, 'finish').click()
        self.wait(lambda d: 'waiting to be sent' in self.text_of('error'))
        self.assertEqual(self.query('SELECT state FROM stocktake_task '
                'WHERE id = %s', self.task_id), [('open',)])

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


class OtherUserTestCase(PageTestCase):
    "A scan is sent only under the key of the person who scanned it"

    def flushed(self):
        "The page's last finished sending round"
        return self.driver.find_element(By.TAG_NAME, 'body').get_attribute(
            'data-flushed')

    def counters(self):
        return self.query('SELECT counter FROM stocktake_count '
            'WHERE task = %s ORDER BY id', self.task_id)

    def test_other_user_never_sends(self):
        d = self.driver
        alice, bob = (self.data['users'][u] for u in ['alice', 'bob'])
        self.sign_in()
        self.wait(lambda d: d.execute_script(
                'return !!navigator.serviceWorker.controller'))
        self.scan('B1', 'P001', 5)
        self.wait(lambda d: len(self.scans('sent')) == 1)

        # alice's scan waits offline; her key is gone (signed out, revoked)
        self.network(False)
        self.scan('B1', 'P004', 3)
        self.wait(lambda d: self.text_of('queue') == '1')
        d.execute_script("localStorage.removeItem('stocktake.key')")
        d.refresh()
        self.wait(EC.visibility_of_element_located((By.ID, 'login-view')))
        self.network(True)

        # bob signs in on the same device: alice's scan is not his to send
        # (the round his sign-in starts)
        before = self.flushed()
        self.sign_in('bob', task=False)
        self.wait(lambda d: self.flushed() != before)
        self.assertEqual(self.text_of('queue'), '1')
        self.assertEqual(self.counters(), [(alice,)])
        self.assertEqual(self.query('SELECT COUNT(*) FROM stocktake_count'),
            [(1,)])
        self.assertNotEqual(bob, alice)

        # alice again: her scan goes, as hers
        d.find_element(By.ID, 'logout').click()
        self.wait(EC.visibility_of_element_located((By.ID, 'login-view')))
        self.sign_in('alice', task=False)
        self.wait(lambda d: self.text_of('queue') == '0')
        self.assertEqual(self.counters(), [(alice,), (alice,)])
