"""Finish on the handheld takes the document on through its own workflow
(document_finish.py): received, done, shipped, as far as the user's access
rights allow; checked in the database (phone-sized headless Chromium
against a served test database)."""
import datetime as dt

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from .document_steps import steps
from .page import PageTestCase
from .tools_documents import gs1_label, setup_documents
from .tools_pick_flow import setup_pick
from .tools_transfer_flow import setup_transfer


class FinishFlowTestCase(PageTestCase):
    "A clerk's Finish receives, transfers and delivers"
    home, open_document, doc_scan, session_state = steps(
        'home', 'open_document', 'doc_scan', 'session_state')

    @classmethod
    def setUpDatabase(cls):
        super().setUpDatabase()
        setup_documents(cls.data)
        setup_transfer(cls.data)
        setup_pick(cls.data)

    def finish(self, reference, confirm=True):
        """Finish; wait for the document's new state (answered) or the
        refusal (its message answered); the workflow's warnings confirmed
        (the page asks each) unless told not to"""
        d = self.driver
        d.find_element(By.ID, 'doc-complete').click()
        self.wait(EC.visibility_of_element_located((By.ID, 'docs-view')))
        self.warnings = []
        while True:
            self.wait(lambda d: self.finished(reference) is not None
                or d.find_element(By.ID, 'error').is_displayed())
            if self.finished(reference) is not None:
                return self.finished(reference)
            message = d.find_element(By.ID, 'error').text
            button = d.find_element(By.ID, 'finish-confirm')
            if not (confirm and button.is_displayed()):
                return 'refused: ' + message
            self.warnings.append(message)
            button.click()
            self.wait(lambda d: not d.find_element(By.ID,
                    'error').is_displayed())

    def finished(self, reference):
        "The state the document was finished in, None until it is"
        value = self.driver.find_element(By.ID, 'docs-view').get_attribute(
            'data-finished') or ''
        if value.startswith(reference + ':'):
            return value[len(reference) + 1:]

    def move_states(self, query, *args):
        return sorted(self.query(query, *args))

    def test_receipt_received(self):
        "The 3 lines scanned: Finish receives them into QC (moves done)"
        reference = f"stock.shipment.in,{self.data['shipment']}"
        self.open_document('receipt', reference)
        expiry = dt.date.today() + dt.timedelta(days=400)
        self.doc_scan(gs1_label('F-LOT-1', expiry, 5))
        self.doc_scan('P004', 4, lot='F-P004-1')
        self.doc_scan('P001', 3, lot='F-P001-1')
        self.assertEqual(self.finish(reference), 'received')
        # Core asks about moves without an origin: asked, confirmed
        self.assertTrue(any('origin' in w for w in self.warnings))
        self.assertEqual(self.query('SELECT state FROM stock_shipment_in '
                'WHERE id = %s', self.data['shipment']), [('received',)])
        qc = self.data['qc']
        self.assertEqual(self.move_states('SELECT quantity, to_location, '
                'state FROM stock_move WHERE shipment = %s AND '
                'to_location = %s', reference, qc),
            [(3, qc, 'done'), (4, qc, 'done'), (5, qc, 'done')])
        # The lots are on QC hold now (the receipt's own rule)
        self.assertEqual(sorted(self.query('SELECT number, qc_state '
                    'FROM stock_lot WHERE number LIKE %s', 'F-%')),
            [('F-LOT-1', 'hold'), ('F-P001-1', 'hold'),
                ('F-P004-1', 'hold')])

    def test_transfer_done(self):
        "The internal transfer B1 → B3 scanned: Finish makes it done"
        reference = f"stock.shipment.internal,{self.data['internal']}"
        b1, _, b3 = self.data['locations']
        self.open_document('transfer_out', reference)
        self.doc_scan('P001', 2, location='B1')
        self.assertEqual(self.finish(reference), 'done')
        self.assertEqual(self.move_states('SELECT quantity, from_location, '
                'to_location, state FROM stock_move WHERE shipment = %s',
                reference), [(2, b1, b3, 'done')])

    def test_transfer_between_warehouses(self):
        """Sent from bin B1 of one warehouse (Finish ships it into transit),
        then received at the other's storage (Finish makes it done)"""
        reference = f"stock.shipment.internal,{self.data['transfer']}"
        b1 = self.data['locations'][0]
        w2s = self.data['warehouse2_storage']
        self.open_document('transfer_out', reference)
        self.doc_scan('P001', 2, location='B1')
        self.assertEqual(self.finish(reference), 'shipped')
        transit = self.query('SELECT to_location FROM stock_move '
            'WHERE shipment = %s AND from_location = %s', reference, b1)
        self.assertEqual(self.move_states('SELECT quantity, from_location, '
                'state FROM stock_move WHERE shipment = %s', reference),
            sorted([(2, b1, 'done'), (2, transit[0][0], 'draft')]))
        # The receiving end: a wrong bin refused, the right one accepted
        self.open_document('transfer_in', reference)
        wrong = self.doc_scan('P001', 2, location='B1')
        self.assertIn('refused', wrong.get_attribute('class'))
        self.doc_scan('P001', 2, location='W2S')
        self.assertEqual(self.finish(reference), 'done')
        self.assertEqual(self.move_states('SELECT quantity, to_location, '
                'state FROM stock_move WHERE shipment = %s', reference),
            sorted([(2, transit[0][0], 'done'), (2, w2s, 'done')]))

    def test_delivery_done(self):
        "The pick of LOT-7 scanned: Finish picks, packs and ships it"
        reference = f"stock.shipment.out,{self.data['delivery']}"
        self.open_document('delivery', reference)
        self.doc_scan('LOT-7', 2, location='B1')
        self.assertEqual(self.finish(reference), 'done')
        self.assertEqual(self.query('SELECT state FROM stock_shipment_out '
                'WHERE id = %s', self.data['delivery']), [('done',)])
        moves = self.query('SELECT m.quantity, l.number, m.state '
            'FROM stock_move AS m JOIN stock_lot AS l ON l.id = m.lot '
            'WHERE m.shipment = %s', reference)
        # The pick and the delivery to the customer, both done
        self.assertEqual(sorted(moves), [(2, 'LOT-7', 'done')] * 2)

    def test_pick_first_to_expire(self):
        """A pick naming no lot: the page proposes the lot that expires first
        (FEFO), not the first received; picked from it, the delivery done
        with that lot"""
        reference = f"stock.shipment.out,{self.data['pick_delivery']}"
        self.open_document('delivery', reference)
        line = self.driver.find_element(By.CSS_SELECTOR, '#doc-lines li')
        self.assertEqual(line.get_attribute('data-pick'), 'GL-SOON')
        self.assertIn('GL-SOON @ B2 ×3', line.text)
        self.doc_scan('GL-SOON', 3, location='B2')
        self.assertEqual(self.finish(reference), 'done')
        self.assertEqual(self.query('SELECT m.quantity, l.number, m.state '
                'FROM stock_move AS m JOIN stock_lot AS l ON l.id = m.lot '
                'WHERE m.shipment = %s AND m.from_location = %s',
                reference, self.data['locations'][1]),
            [(3, 'GL-SOON', 'done')])

    def test_issue_without_production_rights(self):
        """A clerk without production rights: the scans complete, the
        production stays waiting, the refusal says why"""
        reference = f"production,{self.data['production']}"
        self.open_document('issue', reference)
        self.doc_scan('P004', 4, location='B1')
        self.doc_scan('P002', 2, location='B2')
        refusal = self.finish(reference)
        self.assertTrue(refusal.startswith('refused: '), refusal)
        self.assertIn('access rights', refusal)
        self.assertEqual(self.session_state(reference), [('issue', 'done')])
        self.assertEqual(self.query('SELECT state FROM production '
                'WHERE id = %s', self.data['production']), [('waiting',)])
        self.assertEqual(sorted(self.query('SELECT state FROM stock_move '
                    'WHERE production_input = %s',
                    self.data['production'])), [('draft',)] * 2)
