"""The counting page's scan list in Chromium: an answer updates its own
scan's line and the counters, never the whole list (a long list drawn
again per answer slows every scan), and the list keeps every scan waiting
or refused and the latest 50 answered ones, the latest first."""
from selenium.webdriver.common.by import By

from .page import PageTestCase

WRONG = 'NO-SUCH-CODE'
# Scans entered as a keyboard-wedge scanner would, in one script (52
# through the form key by key would take a minute)
SCAN = """
for (const [location, code, quantity] of arguments[0]) {
  document.getElementById('location').value = location;
  document.getElementById('code').value = code;
  document.getElementById('quantity').value = String(quantity);
  document.getElementById('submit').click();
}
"""
# The elements of the page's lists, marked: an element drawn again is new
MARK = """
document.querySelectorAll('#scans li, #lines li').forEach(
  li => { li.__before = true; });
"""
UNMARKED = """
return [...document.querySelectorAll(arguments[0])].filter(
  li => !li.__before).map(li => li.outerHTML);
"""


class ScanListTestCase(PageTestCase):
    "52 scans queued, then answered: one refused, 51 sent, 50 of them shown"

    def keys(self):
        return [li.get_attribute('data-key') for li in
            self.driver.find_elements(By.CSS_SELECTOR, '#scans li')]

    def test_answers_update_their_own_line(self):
        d = self.driver
        self.sign_in()
        # The refused scan among the latest 50: the 50 answered ones shown
        # are counted apart from it
        scans = [('B1', 'P001', i + 1) for i in range(51)]
        scans.insert(30, ('B1', WRONG, 1))
        self.hold_sender()
        d.execute_script(SCAN, scans)
        self.wait(lambda d: len(self.scans('queued')) == 52)
        self.assertEqual(self.text_of('queue'), '52')
        keys = self.keys()
        self.assertEqual(len(set(keys)), 52)
        lines = d.find_elements(By.CSS_SELECTOR, '#lines li')
        self.assertFalse(d.find_elements(By.CSS_SELECTOR, '#lines li.done'))
        d.execute_script(MARK)

        self.release_sender()
        self.wait(lambda d: self.text_of('sent-count') == '51'
            and self.text_of('refused-count') == '1')
        self.assertEqual(self.text_of('queue'), '0')
        # The same elements, in their new state; the oldest sent one gone
        self.assertEqual(d.execute_script(UNMARKED, '#scans li'), [])
        self.assertEqual(self.keys(), keys[:-1])
        self.assertEqual(len(self.scans('sent')), 50)
        refused, = self.scans('refused')
        self.assertEqual(refused.get_attribute('data-key'), keys[-31])
        self.assertIn(WRONG, refused.text)
        self.assertFalse(self.scans('queued'))

        # The task read again: the counted line changes in place
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR,
                '#lines li.done'))
        self.assertEqual(d.execute_script(UNMARKED, '#lines li'), [])
        self.assertEqual(d.find_elements(By.CSS_SELECTOR, '#lines li'),
            lines)
