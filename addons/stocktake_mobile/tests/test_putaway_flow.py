"""Put-away on the handheld page in a phone-sized headless Chromium against
a served test database: the line shows the bin proposed (the material's
last bin used), a scan into another bin is refused, into the proposed one
accepted; the put-away move's bin is read back from the database."""
from selenium.webdriver.common.by import By

from .document_steps import steps
from .page import PageTestCase
from .tools_documents import setup_documents
from .tools_putaway_flow import setup_putaway



class PutawayFlowTestCase(PageTestCase):
    "A clerk puts a received lot away where the warehouse proposes"
    home, open_document, doc_scan, complete, session_state = steps(
        'home', 'open_document', 'doc_scan', 'complete', 'session_state')

    @classmethod
    def setUpDatabase(cls):
        super().setUpDatabase()
        setup_putaway(setup_documents(cls.data))

    def test_wrong_then_right_bin(self):
        "B1 refused (the proposal is P001's last bin), that bin accepted"
        reference = f"stock.shipment.in,{self.data['putaway_shipment']}"
        b1 = self.data['locations'][0]
        proposed = self.data['proposed']
        self.assertNotEqual(proposed, 'B1')
        bin_id, = self.query('SELECT id FROM stock_location '
            'WHERE code = %s', proposed)[0]
        self.open_document('putaway', reference)
        line = self.driver.find_element(By.CSS_SELECTOR, '#doc-lines li')
        self.assertEqual(line.get_attribute('data-proposed'), proposed)
        self.assertIn('last bin used', line.text)

        wrong = self.doc_scan('PA-1', 3, location='B1')
        self.assertIn('refused', wrong.get_attribute('class'))
        self.assertIn(proposed, self.driver.find_element(By.ID, 'error').text)
        right = self.doc_scan('PA-1', 3, location=proposed)
        self.assertIn('accepted', right.get_attribute('class'))
        self.complete()

        self.assertEqual(self.session_state(reference),
            [('putaway', 'done')])
        self.assertEqual(sorted(self.query('SELECT result, location, '
                    'quantity FROM stock_scan_line WHERE document = %s',
                    reference)),
            [('accepted', bin_id, 3), ('wrong_location', b1, 3)])
        # The put-away move goes to the bin scanned and accepted
        self.assertEqual(self.query('SELECT m.to_location, m.quantity '
                'FROM stock_move AS m JOIN stock_lot AS l ON l.id = m.lot '
                'WHERE m.shipment = %s AND l.number = %s AND '
                'm.from_location = (SELECT qc_location FROM stock_location '
                'WHERE id = %s)', reference, 'PA-1', self.data['warehouse']),
            [(bin_id, 3)])
