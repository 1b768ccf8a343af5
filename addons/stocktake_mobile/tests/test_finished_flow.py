"""Finished goods receipt on the handheld page in a phone-sized headless
Chromium against a served test database: the finished lot of a running
production order received into a bin, the production done; the output move
and the lot are read back from the database."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from .document_steps import steps
from .page import PageTestCase
from .tools_documents import setup_documents
from .tools_finished_flow import setup_running_production


class FinishedFlowTestCase(PageTestCase):
    "A production clerk receives the finished lot"
    home, = steps('home')

    @classmethod
    def setUpDatabase(cls):
        super().setUpDatabase()
        setup_running_production(setup_documents(cls.data))

    def open_finished(self):
        self.home()
        self.open_flow('finished')
        button = self.wait(EC.element_to_be_clickable((By.CSS_SELECTOR,
                    f'#fin-list button[data-production='
                    f'"{self.data["running"]}"]')))
        button.click()
        self.wait(EC.visibility_of_element_located((By.ID, 'fin-lot')))

    def fill(self, lot, location, quantity):
        d = self.driver
        for element_id, value in [('fin-lot', lot),
                ('fin-location', location), ('fin-quantity', quantity)]:
            d.find_element(By.ID, element_id).clear()
            d.find_element(By.ID, element_id).send_keys(str(value))
        d.find_element(By.ID, 'fin-receive').click()

    def outputs(self):
        return self.query('SELECT l.number, m.quantity, m.to_location, '
            'm.state FROM stock_move AS m '
            'LEFT JOIN stock_lot AS l ON l.id = m.lot '
            'WHERE m.production_output = %s', self.data['running'])

    def test_receive_finished_lot(self):
        "A bin of no warehouse refused; then FG-1 ×9 into B2, done"
        d = self.driver
        self.open_finished()
        self.fill('FG-1', 'NO-BIN', 9)
        self.wait(EC.visibility_of_element_located((By.ID, 'error')))
        self.assertIn('NO-BIN', d.find_element(By.ID, 'error').text)
        # Nothing written: no lot, the output still waiting
        self.assertEqual(self.query('SELECT COUNT(*) FROM stock_lot '
                'WHERE number = %s', 'FG-1'), [(0,)])
        self.assertEqual([o[3] for o in self.outputs()], ['draft'])

        self.fill('FG-1', 'B2', 9)
        self.wait(lambda d: d.find_element(By.ID, 'fin-form').get_attribute(
                'data-state') == 'done')
        b2 = self.data['locations'][1]
        self.assertEqual(self.outputs(), [('FG-1', 9, b2, 'done')])
        self.assertEqual(self.query('SELECT state FROM production '
                'WHERE id = %s', self.data['running']), [('done',)])
        self.assertEqual(self.query('SELECT product FROM stock_lot '
                'WHERE number = %s', 'FG-1'), [(self.data['varnish'],)])
        # No longer running: not listed
        self.wait(lambda d: not d.find_elements(By.CSS_SELECTOR,
                f'#fin-list button[data-production="{self.data["running"]}"]'))
