"""Walks every screen a user's menu opens, in a logged-in sao page.

The page is driven through sao's own API (walk.js) rather than by clicking
through the menu tree: the walk is about the screens, and the API is as
fast as the server. Each step waits until sao is idle, then reads what it
shows; a step that never gets idle is a finding, not a hang.
"""
import pathlib

from browser import screenshot
from selenium.webdriver.support.ui import WebDriverWait

WALK_JS = (pathlib.Path(__file__).parent / 'walk.js').read_text()
# seconds a screen may take to be idle on a loaded 2-core machine
IDLE_SECONDS = 8
# milliseconds without any RPC before the page counts as idle: sao chains
# its calls through asynchronous callbacks, with short gaps between them
QUIET_MS = 40
# modes drawn as they are; 'form' is opened on the first record instead
OTHER_MODES = {'graph', 'calendar', 'board', 'list-form'}


class ScreenWalk:

    def __init__(self, driver, untranslated=frozenset(), shots=None):
        self.driver = driver
        self.untranslated = untranslated
        # {menu id: (when, file)} to save (shots.py); the saved ones' files
        self.shot_ids = shots or {}
        self.saved = []

    def install(self):
        self.driver.execute_script(WALK_JS)
        # the longest wait of until() and then some
        self.driver.set_script_timeout(2 * IDLE_SECONDS + 30)
        self.console()  # what the login page logged is not a screen's

    def js(self, script, *args):
        return self.driver.execute_script('return ' + script, *args)

    def until(self, name, seconds, *args):
        "Whether __walk[name](*args) held within seconds (waited in the page)"
        result = self.driver.execute_async_script(
            '__walk.until(...arguments)', name, list(args), seconds * 1000)
        if isinstance(result, dict):
            raise AssertionError(f'__walk.{name}: {result["error"]}')
        return result

    def settle(self, problems, what, step=None):
        if not self.until('ready', IDLE_SECONDS, QUIET_MS, step):
            problems.append(f'{what}: not idle after {IDLE_SECONDS}s')
            self.stuck = True
        state = self.js('__walk.state()')
        if self.untranslated:
            self.js('__walk.collect_texts()')
        return state

    def console(self):
        "The browser console's errors since the last call"
        return [entry['message'] for entry in self.driver.get_log('browser')
            if entry['level'] == 'SEVERE']

    def shoot(self, menu, when):
        "Save the picture of the screen if the entry has one for this step"
        shot = self.shot_ids.get(menu['id'])
        if shot and shot[0] == when:
            if not self.until('charts_drawn', IDLE_SECONDS):
                raise AssertionError(
                    f'{menu["complete_name"]}: charts not drawn')
            self.js('__walk.to_top()')
            screenshot(self.driver, shot[1])
            self.saved.append(shot[1])

    def menus(self, roots):
        """The menu entries with an action the logged-in user can see
        (Tryton's own visibility rules: groups of the menu and its parents,
        access to the action), under the given menu ids"""
        result = self.driver.execute_async_script('''
            const done = arguments[arguments.length - 1];
            Sao.rpc({'method': 'model.ir.ui.menu.search_read',
                'params': [[], 0, null, null,
                    ['complete_name', 'action', 'parent'], {}]},
                Sao.Session.current_session).then(done,
                (e) => done({'error': String(e)}));''')
        assert isinstance(result, list), result
        parents = {m['id']: m['parent'] for m in result}

        def under(menu_id):
            while menu_id:
                if menu_id in roots:
                    return True
                menu_id = parents.get(menu_id)
            return False
        return sorted((m for m in result if m['action'] and under(m['id'])),
            key=lambda m: m['complete_name'])

    def walk(self, menu):
        """Open one menu entry, every view of its screen, the first
        record's form and each page of it; returns the problems seen"""
        name = menu['complete_name']
        problems = []
        self.stuck = False
        self.js('__walk.open_menu(arguments[0])', menu['id'])
        state = self.settle(problems, name, 'open')
        self.shoot(menu, 'open')
        if state['tab'] and 'view' not in state:
            problems.append(f'{name}: the tab shows no view')
        if 'modes' in state:
            for mode in state['modes']:
                if mode in OTHER_MODES and mode != state['view']:
                    self.js('__walk.tab().screen.switch_view(arguments[0])',
                        mode)
                    self.settle(problems, f'{name} ({mode})')
            if state['view'] == 'tree' and state['records']:
                self.js('__walk.first_form()')
                state = self.settle(problems, f'{name} (form)', 'form')
                self.shoot(menu, 'form')
            if state.get('modified'):
                problems.append(f'{name}: the {state["view"]} is modified '
                    'as soon as it is opened')
            if state.get('pages') and self.js('__walk.show_pages()'):
                self.settle(problems, f'{name} (pages)')
        elif state['wizards'] and not state['wizard_shown'] \
                and not state['reports'] and not state['tab']:
            problems.append(f'{name}: the wizard did not open')
        elif self.shot_ids.get(menu['id'], ('',))[0] == 'run':
            self.js('__walk.run_wizard()')
            self.settle(problems, f'{name} (run)', 'tab')
            self.shoot(menu, 'run')
        elif not (state['tab'] or state['wizards'] or state['reports']):
            problems.append(f'{name}: nothing opened')
        problems.extend(f'{name}: {p}'
            for p in self.js('__walk.problems'))
        problems.extend(f'{name}: console: {m}' for m in self.console())
        if self.untranslated:
            problems.extend(f'{name}: untranslated "{text}"'
                for text in sorted(set(self.js('__walk.collect_texts()'))
                    & self.untranslated))
        self.close(problems, name)
        return problems

    def close(self, problems, name):
        """Back to an empty client; a page that never got idle is loaded
        again (sao keeps the session) so that the next entries are walked
        as if it had not been opened"""
        if not self.stuck:
            self.js('__walk.close_all()')
            if self.until('closed', 2 * IDLE_SECONDS):
                return
            problems.append(f'{name}: could not be closed')
        self.driver.refresh()
        WebDriverWait(self.driver, 60).until(lambda d: self.js(
                "window.Sao && Sao.Session.current_session"
                " && jQuery('#menu').text().trim() !== ''"))
        self.install()
