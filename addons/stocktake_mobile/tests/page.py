"""A phone-sized headless Chromium on the counting page, against a served
copy of the test database (a base class; the tests are in test_*.py)."""
import atexit
import os
import pathlib
import shutil
import sqlite3
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from trytond import backend
from trytond import config
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction

from .serve import Server, share_pool
from .tools import create_task, setup_stock

PASSWORD = 'count-2026-alice'
PASSWORDS = {'alice': PASSWORD, 'bob': 'count-2026-bob'}
# A phone: 390 x 844 CSS pixels
# How often a wait looks again: selenium's default 0.5 s made each wait
# end up to half a second after its condition held (about 40 s a suite)
POLL = 0.1
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run']


FEEDBACK = """
window.__feedback = [];
Object.defineProperty(navigator, 'vibrate', {value: function (pattern) {
  window.__feedback.push(['buzz', [].concat(pattern)]); return true; }});
var start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function () {
  window.__feedback.push(['tone', this.frequency.value]);
  return start.apply(this, arguments);
};
"""

# Takes the lock of the page's sender (queue.js) once it is free
HOLD = """
const done = arguments[arguments.length - 1];
navigator.locks.request('stocktake-send', () => new Promise(release => {
  window.__releaseSender = release;
  done();
}));
"""


ROOT = pathlib.Path(__file__).resolve().parents[3]


def screenshot(driver, name):
    """A picture of the page under var/screenshots, copied to docs/ with
    UPDATE_DOCS=1 only: a test run leaves the committed pictures alone"""
    out = ROOT / 'var' / 'screenshots'
    out.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(out / name))
    if os.environ.get('UPDATE_DOCS') == '1':
        shutil.copyfile(out / name, ROOT / 'docs' / name)


# One Chromium per set of flags and window size, shared by the classes of
# the test process (starting one costs ~2 s); each class serves its page
# on a port of its own, so its origin (storage, service worker) is its own
_browsers = {}


def browser(flags, window):
    key = (tuple(flags), window)
    if key not in _browsers:
        folder = tempfile.mkdtemp(prefix='stocktake-chrome-')
        options = webdriver.ChromeOptions()
        options.binary_location = '/usr/bin/chromium'
        for flag in FLAGS + list(flags) + [f'--user-data-dir={folder}',
                f'--window-size={window}']:
            options.add_argument(flag)
        driver = webdriver.Chrome(
            service=Service('/usr/bin/chromedriver'), options=options)
        _browsers[key] = driver
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        atexit.register(driver.quit)
    return _browsers[key]


class PageTestCase(RouteTestCase):
    """setup_stock, a task of alice on B1 and B2, the page served by
    tests/serve.py (stopped and started again on its port by network())"""
    module = 'stocktake_mobile'
    window = '390,844'
    # More Chromium flags of a test class (e.g. a fake camera)
    flags = []

    @classmethod
    def setUpDatabase(cls):
        cls.data = setup_stock()
        User = Pool().get('res.user')
        for login, password in PASSWORDS.items():
            User.write([User(cls.data['users'][login])],
                {'password': password})
        cls.task_id = create_task(cls.data)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix='stocktake-page-')
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        if backend.name == 'sqlite':
            # The in-memory test DB is per thread: serve a file copy of it
            cls.db = f'stocktake_page_{cls.__name__.lower()}'
            cls.db_file = f'{cls.tmp}/{cls.db}.sqlite'
            source = backend.Database(DB_NAME).connect().get_connection()
            with sqlite3.connect(cls.db_file) as target:
                source.backup(target)
            path = config.get('database', 'path')
            config.set('database', 'path', cls.tmp)
            cls.addClassCleanup(config.set, 'database', 'path', path)
            share_pool(cls.db, DB_NAME)
            cls.addClassCleanup(Pool.stop, cls.db)
        else:
            cls.db = DB_NAME
        cls.server = None
        cls.port = cls.start_server(0)
        cls.addClassCleanup(cls.stop_server)
        cls.origin = f'http://127.0.0.1:{cls.port}'
        cls.base = f'{cls.origin}/{cls.db}/stocktake/'
        cls.driver = browser(cls.flags, cls.window)
        cls.scripts = []
        cls.reset_browser()
        cls.addClassCleanup(cls.reset_browser)

    @classmethod
    def reset_browser(cls):
        """The shared browser as a new one: online, no added scripts,
        nothing stored for this class's origin (a later class may get the
        same port)"""
        d = cls.driver
        d.get('about:blank')
        d.execute_cdp_cmd('Network.enable', {})
        d.execute_cdp_cmd('Network.emulateNetworkConditions', {
                'offline': False, 'latency': 0,
                'downloadThroughput': -1, 'uploadThroughput': -1})
        for script in cls.scripts:
            try:
                d.execute_cdp_cmd(
                    'Page.removeScriptToEvaluateOnNewDocument',
                    {'identifier': script})
            except WebDriverException:  # removed by the test already
                pass
        cls.scripts.clear()
        d.execute_cdp_cmd('Storage.clearDataForOrigin', {
                'origin': cls.origin, 'storageTypes': 'all'})
        d.execute_cdp_cmd('Network.clearBrowserCache', {})
        d.execute_cdp_cmd('Network.clearBrowserCookies', {})

    @classmethod
    def tearDownClass(cls):
        # Stop the server before the database is dropped
        cls.doClassCleanups()
        super().tearDownClass()

    @classmethod
    def start_server(cls, port):
        "Serve the database on the port (0: a free one); returns the port"
        cls.server = Server(port)
        return cls.server.port

    @classmethod
    def stop_server(cls):
        if cls.server and cls.server.running():
            cls.server.stop()

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

    def record_feedback(self):
        """From the next page load on, the vibrations and tones the page
        asks of the device are recorded in window.__feedback (the browser's
        own Vibration API and oscillators, wrapped); returns the script's
        identifier for Page.removeScriptToEvaluateOnNewDocument"""
        script = self.driver.execute_cdp_cmd(
            'Page.addScriptToEvaluateOnNewDocument', {'source': FEEDBACK})[
            'identifier']
        self.scripts.append(script)
        return script

    def feedback(self):
        "[('buzz', pattern) or ('tone', frequency)] recorded since the load"
        return [tuple(f) if f[0] == 'tone' else (f[0], tuple(f[1]))
            for f in self.driver.execute_script(
                'return window.__feedback || []')]

    def hold_sender(self):
        """The page's sender waits (this test holds its Web Lock) until
        release_sender(): scans stay queued, as drawn before any answer"""
        self.driver.execute_async_script(HOLD)

    def release_sender(self):
        self.driver.execute_script('window.__releaseSender()')

    def wait(self, condition, timeout=60):
        return WebDriverWait(self.driver, timeout, POLL).until(condition)

    def text_of(self, element_id):
        "The text of an element, shown or not"
        return self.driver.find_element(By.ID, element_id).get_attribute(
            'textContent')

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

    def open_flow(self, flow):
        "Open a flow from the home screen"
        self.wait(EC.element_to_be_clickable(
                (By.CSS_SELECTOR, f'#flows button[data-flow="{flow}"]'))
            ).click()

    def sign_in(self, login='alice', task=True):
        "Sign in with the password (on the page shown), open alice's task"
        d = self.driver
        if task:
            d.get(self.base)
        d.find_element(By.ID, 'user').clear()
        d.find_element(By.ID, 'user').send_keys(login)
        d.find_element(By.ID, 'password').send_keys(PASSWORDS[login])
        d.find_element(By.ID, 'login').click()
        self.wait(EC.visibility_of_element_located((By.ID, 'home-view')))
        if not task:
            return
        self.open_flow('count')
        self.wait(EC.element_to_be_clickable(
                (By.CSS_SELECTOR, f'button[data-task="{self.task_id}"]'))
            ).click()
        self.wait(EC.visibility_of_element_located((By.ID, 'location')))
