"""The demo factory in the real sao web client, in a real headless Chromium.

Logs in as sao users do (login dialog, then password prompt), opens the
stock menu and checks that demo products are listed.
"""
import json
import unittest
import urllib.parse
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from browser import chromium, screenshot
from demo_factory import database, serve
from support import backend_uri, free_port, shared_demo


class WebClientTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.db, _ = shared_demo(40, 120)
        cls.server, cls.url = serve.start(cls.db, free_port(), backend_uri(),
            quiet=True)

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait()

    def setUp(self):
        self.driver = chromium()
        self.addCleanup(self.driver.quit)
        # generous: under CI load the first zh_CN page load can take minutes
        self.wait = WebDriverWait(self.driver, 240)

    def login(self, login, password):
        self.driver.get(f'{self.url}/#{self.db}')
        self.wait.until(EC.visibility_of_element_located(
                (By.ID, 'login'))).send_keys(login)
        # sao ignores the button until its database list call has filled
        # the database field; slow when the server holds many databases
        self.wait.until(lambda d: any(
                e.is_displayed() and e.get_attribute('value')
                for e in d.find_elements(
                    By.CSS_SELECTOR, '.login-dialog #database')))
        self.driver.find_element(By.CSS_SELECTOR,
            '.login-dialog button.btn-primary').click()
        prompt = self.wait.until(EC.visibility_of_element_located(
                (By.CSS_SELECTOR, 'input[type=password]')))
        prompt.send_keys(password + '\n')
        return prompt

    def open_menu(self, *labels):
        for label in labels:
            self.wait.until(EC.element_to_be_clickable((By.XPATH,
                        f'//*[@id="menu"]//*[normalize-space(text())='
                        f'"{label}"]'))).click()

    def tab_text(self):
        return self.driver.find_element(By.ID, 'tabcontent').text

    def test_stock_moves_show_demo_products(self):
        "English: Inventory & Stock > Moves lists the demo products"
        self.login('admin', database.ADMIN_PASSWORD)
        self.open_menu('Inventory & Stock', 'Moves')
        self.wait.until(lambda d: '[C01-' in self.tab_text()
            or '[A01-' in self.tab_text())
        screenshot(self.driver, 'sao_demo_stock_moves.png')

    def test_chinese_user_gets_chinese_client(self):
        "zh_CN: the supervisor's client is in Chinese (库存 menu)"
        self.login('zhang', 'factory')
        self.wait.until(lambda d: '库存' in d.find_element(By.ID, 'menu').text)
        menu = self.driver.find_element(By.ID, 'menu').text
        self.assertNotIn('Inventory & Stock', menu)
        screenshot(self.driver, 'sao_demo_zh_CN.png')

    def test_supervisor_shows_a_handheld_qr_code(self):
        """Issue 18: the supervisor's wizard draws the QR code in sao, and
        its address signs a phone in once for the chosen clerk"""
        d = self.driver
        self.login('zhang', 'factory')
        self.open_menu('库存 ＆ 盘点', '盘点', '手持终端扫码登录')
        user = self.wait.until(EC.visibility_of_element_located(
                (By.CSS_SELECTOR, '.modal input[name="user"]')))
        # The completion menu's entry (TAB does nothing while it is open)
        user.send_keys('李娜')
        self.wait.until(EC.element_to_be_clickable((By.XPATH,
                    '//div[contains(@class, "modal")]//li'
                    '[contains(@class, "completion")]/a'
                    '[contains(., "Li Na")]'))).click()
        self.wait.until(lambda d: 'Li Na' in user.get_attribute('value'))
        self.wait.until(EC.element_to_be_clickable((By.XPATH,
                    '//div[contains(@class, "modal")]//button'
                    '[normalize-space(.)="显示二维码"]'))).click()
        self.wait.until(lambda d: d.execute_script(
                "var i = document.querySelector('.modal img.center-block');"
                "return i && i.complete && i.naturalWidth > 100;"))
        url = self.wait.until(lambda d: d.find_element(By.CSS_SELECTOR,
                '.modal input[name="url"]').get_attribute('value'))
        screenshot(d, 'sao_handheld_qr_code.png')
        parts = urllib.parse.urlsplit(url)
        self.assertEqual(parts.path, f'/{self.db}/stocktake/')
        token, = urllib.parse.parse_qs(parts.query)['token']
        request = urllib.request.Request(
            f'{self.url}/{self.db}/stocktake/api/signin/token',
            data=json.dumps({'token': token, 'device': 'test'}).encode(),
            method='POST')
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.loads(response.read())
        self.assertIn('Li Na', body['user']['name'])
        self.assertTrue(body['key'])

    def test_wrong_password_is_refused(self):
        "The login is real: a wrong password does not open the menu"
        first = self.login('admin', 'not-the-password')
        # sao answers a refused password by asking again in a new prompt
        self.wait.until(EC.staleness_of(first))
        self.wait.until(EC.visibility_of_element_located(
                (By.CSS_SELECTOR, 'input[type=password]')))
        self.assertEqual(
            self.driver.find_element(By.ID, 'menu').text.strip(), '')
