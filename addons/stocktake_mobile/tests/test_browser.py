"""The mobile page in a real headless Chromium against a running trytond."""
import json
import sqlite3
import threading
import urllib.error
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from trytond import backend
from trytond.pool import Pool
from trytond.transaction import Transaction

from .page import PASSWORD, POLL, PageTestCase, screenshot
from .tools import XSS_NAME, create_task, setup_stock


class StocktakeBrowserTestCase(PageTestCase):
    "Log in, count, lose the network, come back: nothing lost, nothing twice"
    window = '420,1100'  # the README's screenshots

    @classmethod
    def setUpDatabase(cls):
        cls.data = setup_stock()
        User = Pool().get('res.user')
        User.write([User(cls.data['users']['alice'])],
            {'password': PASSWORD})
        cls.task_id = create_task(cls.data)
        cls.race_task_id = create_task(cls.data)
        # The code a supervisor shows for bob (before the file copy)
        Token = Pool().get('stocktake.signin_token')
        with Transaction().set_user(cls.data['users']['boss']), \
                Transaction().set_context(company=cls.data['company']):
            _, cls.bob_token = Token.issue(User(cls.data['users']['bob']))

    def server_count_rows(self, task_id):
        "Rows in stocktake_count as the running server stores them"
        query = 'SELECT COUNT(*) FROM stocktake_count WHERE task = %s'
        if backend.name == 'sqlite':
            with sqlite3.connect(self.db_file) as conn:
                return conn.execute(query.replace('%s', '?'),
                    (task_id,)).fetchone()[0]
        with Transaction().start(self.db, 0, readonly=True) as transaction:
            cursor = transaction.connection.cursor()
            cursor.execute(query, (task_id,))
            return cursor.fetchone()[0]

    def post(self, path, body, user='alice'):
        request = urllib.request.Request(self.base + 'api/' + path,
            data=json.dumps(body).encode(), method='POST', headers={
                'Authorization': 'bearer ' + self.data['keys'][user]})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            body = error.read().decode()
            try:
                return error.code, json.loads(body)
            except ValueError:
                return error.code, body

    def wait(self, condition, timeout=30):
        return WebDriverWait(self.driver, timeout, POLL).until(condition)

    def text_is(self, element_id, text):
        return EC.text_to_be_present_in_element((By.ID, element_id), text)

    def offline(self, value):
        self.driver.execute_cdp_cmd('Network.enable', {})
        self.driver.execute_cdp_cmd('Network.emulateNetworkConditions', {
                'offline': value, 'latency': 0,
                'downloadThroughput': -1, 'uploadThroughput': -1})

    def test_count_offline_and_back(self):
        d = self.driver
        d.get(self.base)
        # Signed in as a counter would: own login and password
        d.find_element(By.ID, 'user').send_keys('alice')
        d.find_element(By.ID, 'password').send_keys(PASSWORD)
        d.find_element(By.ID, 'login').click()
        # The home screen lists the flows of a clerk; counting is one
        self.open_flow('count')
        self.wait(EC.element_to_be_clickable(
                (By.CSS_SELECTOR, f'button[data-task="{self.task_id}"]'))
            ).click()
        self.wait(EC.visibility_of_element_located((By.ID, 'location')))
        self.scan('B1', 'P001', 5)
        self.wait(self.text_is('status', 'Recorded'))
        self.scan('B1', '4006381333931', 6)  # EAN barcode of P002
        self.wait(lambda d: self.server_count_rows(self.task_id) == 2)
        self.scan('B1', 'WRONG-CODE', 1)
        error = self.wait(EC.visibility_of_element_located((By.ID, 'error')))
        self.assertIn('WRONG-CODE', error.text)
        screenshot(d, 'stocktake_mobile_error.png')
        self.scan('B2', 'P004', 8)
        self.wait(lambda d: self.server_count_rows(self.task_id) == 3)
        self.wait(EC.invisibility_of_element_located((By.ID, 'error')))

        self.offline(True)
        self.scan('B2', 'LOT-7', 3)
        self.scan('B2', 'P001', 2)
        self.wait(self.text_is('queue', '2'))
        self.wait(self.text_is('status', 'Offline'))
        self.assertEqual(self.server_count_rows(self.task_id), 3)
        screenshot(d, 'stocktake_mobile_offline.png')

        self.offline(False)
        self.wait(self.text_is('queue', '0'))
        self.wait(lambda d: len(d.find_elements(
                    By.CSS_SELECTOR, '#lines li.done')) == 5)
        self.assertEqual(self.server_count_rows(self.task_id), 5)
        # Product names are text, never markup
        self.assertIsNone(d.execute_script('return window.__xss'))
        self.assertFalse(d.find_elements(By.CSS_SELECTOR, '#lines img'))
        self.assertIn(XSS_NAME, d.find_element(By.ID, 'lines').text)
        screenshot(d, 'stocktake_mobile_task.png')

        Select(d.find_element(By.ID, 'language')).select_by_value('zh_CN')
        self.wait(self.text_is('task-view', '实盘数量'))
        self.scan('B9', 'P001', 1)
        error = self.wait(EC.visibility_of_element_located((By.ID, 'error')))
        self.assertIn('B9', error.text)
        screenshot(d, 'stocktake_mobile_zh_CN.png')
        self.assertEqual(self.server_count_rows(self.task_id), 5)

    def test_qr_code_sign_in(self):
        "The page opened from a supervisor's QR code ends signed in"
        d = self.driver
        d.get(self.base + '?token=' + self.bob_token)
        self.wait(EC.visibility_of_element_located((By.ID, 'home-view')))
        self.wait(self.text_is('status', 'Bob'))
        # The token left the address; the device key is kept
        self.assertNotIn('token', d.current_url)
        self.assertTrue(d.execute_script(
                "return localStorage.getItem('stocktake.key')"))
        # The same code again: refused, with the server's message
        d.execute_script("localStorage.setItem('stocktake.lang', 'en')")
        d.get(self.base + '?token=' + self.bob_token)
        error = self.wait(EC.visibility_of_element_located((By.ID, 'error')))
        self.assertIn('already used', error.text)
        self.assertFalse(d.find_element(By.ID, 'login-view').get_attribute(
                'hidden'))
        self.assertNotIn('token', d.current_url)

    def test_two_devices_in_parallel(self):
        """Concurrent devices: a device replaying its own keys gets its
        counts back, another user's keys are refused (409): exact totals"""
        scans = [{'client_key': f'race-{i}', 'location': f'B{i % 2 + 1}',
                'code': f'P00{i // 2 + 1}', 'quantity': i + 1}
            for i in range(8)]
        results = []

        def device(user, order):
            for scan in order:
                status, body = self.post(
                    f'tasks/{self.race_task_id}/counts', scan, user)
                results.append((scan['client_key'], user, status, body))
        threads = [threading.Thread(target=device, args=args) for args in [
                ('alice', scans), ('bob', scans[::-1]), ('alice', scans)]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual({r[2] for r in results} - {200, 409}, set(),
            results)
        for scan in scans:
            key = scan['client_key']
            owners = {r[1] for r in results if r[0] == key and r[2] == 200}
            # One user owns each key; the other user's replay got nothing
            self.assertEqual(len(owners), 1, (key, results))
            lines = {r[3]['line'] for r in results
                if r[0] == key and r[2] == 200}
            self.assertEqual(len(lines), 1, (key, results))
        self.assertEqual(self.server_count_rows(self.race_task_id), 8)
