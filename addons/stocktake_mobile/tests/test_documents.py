"""Document flows of the handheld page in a phone-sized headless Chromium
against a served test database: the home screen, a supplier receipt into
QC (one line by a GS1-128 label) and a production issue with an
over-issue refused; the results are read back from the database."""
import datetime as dt

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from .page import PageTestCase
from .tools_documents import gs1_label, setup_documents

# [state, accepted] of a document's scans as IndexedDB holds them
STORED = """
const [document_, done] = arguments;
StocktakeQueue.open().then(db => db.getAll('scans')).then(items => done(
    items.filter(item => item.document === document_).map(
        item => [item.state, !!item.accepted])));
"""


class DocumentFlowTestCase(PageTestCase):
    "A clerk signed in once scans documents through the scanning API"

    @classmethod
    def setUpDatabase(cls):
        super().setUpDatabase()
        setup_documents(cls.data)

    def home(self):
        "The home screen, signed in as alice (once per browser)"
        d = self.driver
        d.get(self.base)
        # The page shows the sign-in first, then home once it has a key
        if not d.execute_script(
                "return localStorage.getItem('stocktake.key')"):
            self.sign_in(task=False)
        self.wait(EC.visibility_of_element_located((By.ID, 'home-view')))

    def open_document(self, flow, reference):
        self.home()
        self.open_flow(flow)
        self.wait(EC.element_to_be_clickable((By.CSS_SELECTOR,
                    f'#documents button[data-document="{reference}"]'))
            ).click()
        self.wait(EC.visibility_of_element_located((By.ID, 'doc-code')))

    def doc_scan(self, code, quantity=None, lot=None, location=None,
            during=None):
        """Type what a keyboard-wedge scanner sends; wait for the answer
        (during(): called once typed, before the answer is waited for)"""
        d = self.driver
        answered = len(d.find_elements(By.CSS_SELECTOR,
                '#doc-scans li.accepted, #doc-scans li.refused'))
        for element_id, value in [('doc-location', location),
                ('doc-lot', lot)]:
            field = d.find_element(By.ID, element_id)
            field.clear()
            if value:
                field.send_keys(value)
        d.find_element(By.ID, 'doc-code').send_keys(code + '\n')
        d.find_element(By.ID, 'doc-quantity').send_keys(
            ('' if quantity is None else str(quantity)) + '\n')
        if during:
            during()
        self.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR,
                    '#doc-scans li.accepted, #doc-scans li.refused'))
            == answered + 1)
        return d.find_elements(By.CSS_SELECTOR, '#doc-scans li')[0]

    def flushed(self):
        "When the page's last sending round ended"
        return self.driver.find_element(By.TAG_NAME, 'body').get_attribute(
            'data-flushed')

    def overlap(self):
        """Once the scan waits behind the sender held by the test (see
        hold_sender), a flush as the 3 s timer or the network coming back
        makes one; then the sender goes"""
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR,
                '#doc-scans li.queued'))
        self.driver.execute_script('Stocktake.flush(true)')
        self.release_sender()

    def complete(self):
        self.driver.find_element(By.ID, 'doc-complete').click()
        self.wait(EC.visibility_of_element_located((By.ID, 'docs-view')))

    def session_state(self, reference):
        return self.query('SELECT kind, state FROM stock_scan_session '
            'WHERE document = %s', reference)

    def test_home_lists_the_flows(self):
        "One sign-in: counting, look-up and every document kind, in zh_CN"
        d = self.driver
        self.home()
        flows = [b.get_attribute('data-flow') for b in
            d.find_elements(By.CSS_SELECTOR, '#flows button')]
        self.assertEqual(flows[:2], ['count', 'lookup'])
        self.assertIn('receipt', flows)
        self.assertIn('issue', flows)
        self.assertIn('delivery', flows)
        Select(d.find_element(By.ID, 'language')).select_by_value('zh_CN')
        self.wait(EC.text_to_be_present_in_element((By.ID, 'flows'),
                '生产领料'))

    def test_receive_into_qc(self):
        "3 lines, one by a GS1-128 label (GTIN, lot, expiry, quantity)"
        reference = f"stock.shipment.in,{self.data['shipment']}"
        self.open_document('receipt', reference)
        lines = self.driver.find_elements(By.CSS_SELECTOR, '#doc-lines li')
        self.assertEqual(len(lines), 3)
        self.assertIn('QC', lines[0].text)  # received into the QC location
        expiry = dt.date.today() + dt.timedelta(days=400)
        label = self.doc_scan(gs1_label('G-LOT-1', expiry, 5))
        self.assertIn('accepted', label.get_attribute('class'))
        self.doc_scan('P004', 4, lot='R-P004-1')
        # A code of no line of the receipt: refused, shown, nothing moved
        wrong = self.doc_scan('P003', 1, lot='R-P003-1')
        self.assertIn('refused', wrong.get_attribute('class'))
        self.assertTrue(self.driver.find_element(By.ID, 'error').text)
        self.doc_scan('P001', 3, lot='R-P001-1')
        self.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR,
                    '#doc-lines li.done')) == 3)
        self.complete()

        self.assertEqual(self.session_state(reference),
            [('receipt', 'done')])
        p1, p2, p3, p4 = self.data['products']
        # SQLite answers a date as text, PostgreSQL as a date
        moves = {product: (lot, quantity, to_location,
                str(expiration) if expiration else None)
            for product, lot, quantity, to_location, expiration in self.query(
                'SELECT m.product, l.number, m.quantity, m.to_location, '
                'l.expiration_date FROM stock_move AS m '
                'LEFT JOIN stock_lot AS l ON l.id = m.lot '
                'WHERE m.shipment = %s', reference)}
        qc = self.data['qc']
        self.assertEqual(moves, {
                p2: ('G-LOT-1', 5, qc, expiry.isoformat()),
                p4: ('R-P004-1', 4, qc, None),
                p1: ('R-P001-1', 3, qc, None)})
        self.assertEqual(sorted(self.query('SELECT result, COUNT(*) '
                    'FROM stock_scan_line WHERE document = %s '
                    'GROUP BY result', reference)),
            [('accepted', 3), ('wrong_product', 1)])
        # The refused code made no lot
        self.assertEqual(self.query('SELECT COUNT(*) FROM stock_lot '
                'WHERE number = %s', 'R-P003-1'), [(0,)])

    def test_issue_with_over_issue_refused(self):
        "Issue to production from the bins scanned; one scan beyond the BOM"
        reference = f"production,{self.data['production']}"
        b1, b2 = self.data['locations'][:2]
        script = self.record_feedback()
        self.addCleanup(self.driver.execute_cdp_cmd,
            'Page.removeScriptToEvaluateOnNewDocument',
            {'identifier': script})
        self.open_document('issue', reference)
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR,
                    '#doc-lines li')), 2)
        # A flush during the scan's round gives no feedback of its own (the
        # page once handed a round's report to every caller of flush: its
        # feedback twice under load, when the 3 s timer met a slow answer)
        self.hold_sender()
        before = self.flushed()
        issued = self.doc_scan('P004', 4, location='B1', during=self.overlap)
        # Heard and felt, once the round is over: one pulse and a high beep
        self.wait(lambda d: self.flushed() != before)
        self.assertEqual(self.feedback(), [('buzz', (60,)), ('tone', 1320)])
        # The document read again: its lines change, its scan lines stay
        # (drawn anew they left the test holding a removed element)
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR,
                '#doc-lines li.done'))
        self.assertIn('accepted', issued.get_attribute('class'))
        before = self.flushed()
        over = self.doc_scan('P004', 1, location='B1')
        self.assertIn('refused', over.get_attribute('class'))
        self.wait(EC.visibility_of_element_located((By.ID, 'error')))
        self.wait(lambda d: self.flushed() != before)
        # ...a refusal: a long double buzz and two low beeps
        self.assertEqual(self.feedback()[2:], [('buzz', (200, 80, 200)),
                ('tone', 220), ('tone', 220)])
        self.assertEqual(self.driver.find_element(By.ID,
                'doc-refused').text, '1')
        self.doc_scan('4006381333931', 2, location='B2')  # EAN of P002
        self.complete()

        self.assertEqual(self.session_state(reference), [('issue', 'done')])
        p1, p2, p3, p4 = self.data['products']
        moves = dict((product, (quantity, from_location)) for
            product, quantity, from_location in self.query(
                'SELECT product, quantity, from_location FROM stock_move '
                'WHERE production_input = %s', self.data['production']))
        # Issued from the bins scanned, no more than the order needs
        self.assertEqual(moves, {p4: (4, b1), p2: (2, b2)})
        self.assertEqual(sorted(self.query('SELECT result, quantity '
                    'FROM stock_scan_line WHERE document = %s', reference)),
            [('accepted', 2), ('accepted', 4), ('over_quantity', 1)])

    def test_pick_wrong_lot_refused(self):
        "The pick names lot LOT-7: another lot of the material is refused"
        reference = f"stock.shipment.out,{self.data['delivery']}"
        self.open_document('delivery', reference)
        line = self.driver.find_element(By.CSS_SELECTOR, '#doc-lines li')
        self.assertIn('LOT-7', line.text)
        wrong = self.doc_scan('LOT-8', 2, location='B1')
        self.assertIn('refused', wrong.get_attribute('class'))
        self.assertIn('LOT-8', wrong.text)
        self.doc_scan('LOT-7', 2, location='B1')
        self.complete()

        self.assertEqual(self.session_state(reference),
            [('delivery', 'done')])
        self.assertEqual(sorted(self.query('SELECT s.result, l.number '
                    'FROM stock_scan_line AS s '
                    'JOIN stock_lot AS l ON l.id = s.lot '
                    'WHERE s.document = %s', reference)),
            [('accepted', 'LOT-7'), ('wrong_lot', 'LOT-8')])
        self.assertEqual(self.query('SELECT m.quantity, l.number '
                'FROM stock_move AS m JOIN stock_lot AS l ON l.id = m.lot '
                'WHERE m.shipment = %s AND m.from_location IN '
                '(SELECT storage_location FROM stock_location '
                'WHERE id = %s)', reference, self.data['warehouse']),
            [(2, 'LOT-7')])

    def test_transfer_offline(self):
        """Internal transfer scanned with the network cut and the page
        reloaded offline: the queued scans go once it returns, once each"""
        d = self.driver
        reference = f"stock.shipment.internal,{self.data['internal']}"
        self.open_document('transfer_out', reference)
        self.wait(lambda d: d.execute_script(
                'return !!navigator.serviceWorker.controller'))
        self.network(False)
        for code in ['P001', 'NO-SUCH-CODE', 'P001']:
            d.find_element(By.ID, 'doc-location').clear()
            d.find_element(By.ID, 'doc-location').send_keys('B1')
            d.find_element(By.ID, 'doc-code').send_keys(code + '\n')
            d.find_element(By.ID, 'doc-quantity').send_keys('1\n')
        self.wait(lambda d: self.text_of('doc-queue') == '3')
        d.refresh()
        self.wait(EC.visibility_of_element_located((By.ID, 'doc-view')))
        self.wait(lambda d: self.text_of('doc-queue') == '3')
        self.assertEqual(self.query('SELECT COUNT(*) FROM stock_scan_line '
                'WHERE document = %s', reference), [(0,)])

        self.network(True)
        self.wait(lambda d: self.text_of('doc-queue') == '0')
        self.wait(lambda d: self.text_of('doc-accepted') == '2')
        self.assertEqual(self.text_of('doc-refused'), '1')
        self.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR,
                    '#doc-lines li.done')) == 1)
        # The answers are kept on the device too (IndexedDB): the page
        # loaded again shows them from there
        self.wait(lambda d: sorted(d.execute_async_script(STORED, reference))
            == [['sent', False], ['sent', True], ['sent', True]])
        self.open_document('transfer_out', reference)
        self.wait(lambda d: self.text_of('doc-accepted') == '2')
        self.assertEqual(self.text_of('doc-refused'), '1')
        self.assertEqual(self.text_of('doc-queue'), '0')
        self.complete()
        self.assertEqual(self.session_state(reference),
            [('transfer_out', 'done')])
        self.assertEqual(sorted(self.query('SELECT result, quantity, '
                    'location FROM stock_scan_line WHERE document = %s',
                    reference)),
            [('accepted', 1, self.data['locations'][0])] * 2
            + [('unknown_code', 1, self.data['locations'][0])])
