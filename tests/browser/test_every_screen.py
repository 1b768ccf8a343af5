"""Every screen of the demo factory opens cleanly for every role, in sao.

One demo database and one headless Chromium for the class; each demo role
logs in in its own language and walks every menu entry it can see in the
area of our addons (the core menus our entries hang under), as found in
the database: a new screen is walked without editing this test. A finding
is any browser-console error, error or warning dialog, screen not idle in
time, form modified on opening, entry that opens nothing, and, in zh_CN,
any visible text that is an untranslated English string of the modules.

Runs on SQLite only (tests/browser, see tools/run_tests.py): the screens
are the same on PostgreSQL and the walk is the slowest suite.

WALK_DB=<name> walks an existing database instead of a small demo built
for the test (`make walk-demo`: the one `make demo` serves, with a year of
history), kept as it is; WALK_URL=<http://127.0.0.1:port> walks it on a
server already serving it (otherwise one is started for the walk).
"""
import os
import pathlib
import re
import sys
import time
import unittest

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

# the helpers shared with the integration tests (browser, demo database)
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]
        / 'integration'))
from browser import chromium  # noqa: E402
from demo_factory import database, serve  # noqa: E402
from demo_factory.names import USERS  # noqa: E402
from screen_walk import ScreenWalk  # noqa: E402
from shots import shots_of  # noqa: E402
from support import (  # noqa: E402
    backend_uri, build_demo, free_port, inspect_demo, unique_name)

ADDONS = database.MODULES
# an English source text worth checking: a lower-case word and no Chinese
# (codes, acronyms, numbers and bilingual demo names are not strings)
ENGLISH = re.compile(r'^(?=.*[A-Za-z][a-z]{2})[^\u4e00-\u9fff]*$')


def roles():
    "admin, then the first demo user of each distinct set of groups"
    seen, result = set(), [('admin', database.ADMIN_PASSWORD, 'en')]
    for login, _, lang, groups in USERS:
        if tuple(groups) not in seen:
            seen.add(tuple(groups))
            result.append((login, 'factory', lang))
    return result


class EveryScreenTestCase(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        # class clean-ups also run when the set-up fails half way: no
        # server, browser or database is left behind
        cls.db = os.environ.get('WALK_DB')
        if not cls.db:
            cls.db = unique_name('screens')
            cls.addClassCleanup(database.drop, cls.db, backend_uri())
            build_demo(cls.db, 20, 30)
        cls.url = os.environ.get('WALK_URL', '').rstrip('/')
        if not cls.url:
            cls.server, cls.url = serve.start(cls.db, free_port(),
                backend_uri(), quiet=True)
            cls.addClassCleanup(cls.server.wait)
            cls.addClassCleanup(cls.server.terminate)
        cls.driver = chromium()
        cls.addClassCleanup(cls.driver.quit)
        cls.wait = WebDriverWait(cls.driver, 120)
        cls.roots, cls.menu_ids, cls.untranslated = cls.read_database()

    @classmethod
    def read_database(cls):
        """The area to walk (the core menus our menu entries hang under), the
        ids of our menu entries by XML id and the English strings that have no zh_CN translation, of any module:
        shown as they are to a zh_CN user, they are untranslated"""
        found = inspect_demo(cls.db, '--screens')
        return set(found['roots']), found['menus'], frozenset(s for s in found['untranslated']
            if ENGLISH.match(s))

    @classmethod
    def login(cls, login, password):
        driver = cls.driver
        driver.get(f'{cls.url}/#{cls.db}')
        cls.wait.until(EC.visibility_of_element_located(
                (By.ID, 'login'))).send_keys(login)
        # sao ignores the button until its database list has filled the field
        cls.wait.until(lambda d: any(e.is_displayed() and
                e.get_attribute('value') for e in d.find_elements(
                    By.CSS_SELECTOR, '.login-dialog #database')))
        driver.find_element(By.CSS_SELECTOR,
            '.login-dialog button.btn-primary').click()
        cls.wait.until(EC.visibility_of_element_located(
                (By.CSS_SELECTOR, 'input[type=password]'))
            ).send_keys(password + '\n')
        cls.wait.until(lambda d: d.find_element(By.ID, 'menu').text.strip())

    @classmethod
    def logout(cls):
        cls.driver.execute_script(
            'localStorage.clear(); sessionStorage.clear();')
        cls.driver.get('about:blank')

    def walk_role(self, login, password, lang):
        self.login(login, password)
        self.addCleanup(self.logout)
        walk = ScreenWalk(self.driver,
            self.untranslated if lang == 'zh_CN' else frozenset(),
            {self.menu_ids[x]: shot for x, shot in shots_of(login).items()})
        walk.install()
        menus = walk.menus(self.roots)
        self.assertTrue(menus, f'{login} sees no menu entry of our area')
        problems = []
        start = time.monotonic()
        for menu in menus:
            problems.extend(walk.walk(menu))
        # the figures of the walk, for the reports of a run
        print(f'\n{login} ({lang}): {len(menus)} entries in '
            f'{time.monotonic() - start:.0f} s', file=sys.stderr)
        self.assertEqual(problems, [],
            f'{login}: {len(problems)} problems on {len(menus)} entries')
        # a picture of the docs no longer taken would go stale unseen
        self.assertEqual(sorted(walk.saved),
            sorted(name for _, name in shots_of(login).values()))


def _role_test(login, password, lang):
    def test(self):
        self.walk_role(login, password, lang)
    test.__doc__ = f"{login} ({lang}) opens every screen of its menu"
    return test


# one test per role, named after it, so that a report names the role
for _login, _password, _lang in roles():
    setattr(EveryScreenTestCase, f'test_{_login}',
        _role_test(_login, _password, _lang))
