"""Return of unused material on the handheld page (issue to production) in
a phone-sized headless Chromium against a served test database: a return
beyond the issued quantity refused, a return accepted and issued again
from another bin; the scan lines and the production's input moves are read
back from the database."""
from selenium.webdriver.common.by import By

from .document_steps import steps
from .page import PageTestCase
from .tools_documents import setup_documents


class ReturnFlowTestCase(PageTestCase):
    "A clerk issuing to production returns what was not used"
    home, open_document, doc_scan, complete, session_state = steps(
        'home', 'open_document', 'doc_scan', 'complete', 'session_state')

    @classmethod
    def setUpDatabase(cls):
        super().setUpDatabase()
        setup_documents(cls.data)

    def return_scan(self, code, quantity, location):
        self.driver.find_element(By.ID, 'doc-return').click()
        self.assertEqual(self.driver.find_element(By.ID,
                'doc-return').get_attribute('aria-pressed'), 'true')
        return self.doc_scan(code, quantity, location=location)

    def test_return_then_issue_again(self):
        "P004: 4 from B1, 1 back to B1, 1 from B2; P002 5 back refused"
        reference = f"production,{self.data['production']}"
        b1, b2 = self.data['locations'][:2]
        self.open_document('issue', reference)
        self.doc_scan('P004', 4, location='B1')
        self.doc_scan('P002', 2, location='B2')
        beyond = self.return_scan('P002', 5, 'B2')
        self.assertIn('refused', beyond.get_attribute('class'))
        back = self.return_scan('P004', 1, 'B1')
        self.assertIn('accepted', back.get_attribute('class'))
        # One return per press: the next scan issues again
        self.assertEqual(self.driver.find_element(By.ID,
                'doc-return').get_attribute('aria-pressed'), 'false')
        self.doc_scan('P004', 1, location='B2')
        self.complete()

        self.assertEqual(self.session_state(reference), [('issue', 'done')])
        self.assertEqual(sorted(self.query('SELECT result, quantity, '
                    'location FROM stock_scan_line WHERE document = %s',
                    reference)),
            [('accepted', -1, b1), ('accepted', 1, b2), ('accepted', 2, b2),
                ('accepted', 4, b1)])
        p1, p2, p3, p4 = self.data['products']
        storage, = self.query('SELECT storage_location FROM stock_location '
            'WHERE id = %s', self.data['warehouse'])[0]
        # P002 issued from one bin: its move takes it; P004 from two: the
        # move keeps the storage zone, its quantity is what was kept (4)
        self.assertEqual(sorted(self.query('SELECT product, quantity, '
                    'from_location FROM stock_move '
                    'WHERE production_input = %s',
                    self.data['production'])),
            sorted([(p2, 2, b2), (p4, 4, storage)]))
