"""QC flow of the handheld page in a phone-sized headless Chromium against a
served test database: lots received into QC are passed, failed and partly
passed by scan; the lots' QC states and their put-away moves (to storage or
to the rejected location) are read back from the database."""
import json
import urllib.error
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from .document_steps import steps
from .page import PageTestCase
from .tools_documents import setup_documents
from .tools_qc_flow import setup_qc_lots


class QCFlowTestCase(PageTestCase):
    "A QC inspector decides held lots on the handheld"
    home, = steps('home')

    @classmethod
    def setUpDatabase(cls):
        super().setUpDatabase()
        setup_qc_lots(setup_documents(cls.data))

    def open_qc(self):
        self.home()
        self.open_flow('qc')
        self.wait(EC.visibility_of_element_located((By.ID, 'qc-view')))
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR,
                '#qc-lots button[data-lot="Q-PASS"]'))

    def scan_lot(self, code):
        "A keyboard-wedge scan of the lot; waits for it to be shown"
        field = self.driver.find_element(By.ID, 'qc-code')
        field.clear()
        field.send_keys(code + '\n')
        self.wait(lambda d: d.find_element(By.ID, 'qc-lot').get_attribute(
                'data-lot') == code and d.find_element(By.ID,
                'qc-lot').is_displayed())

    def decide(self, button, expected_state, reason=None, quantity=None):
        d = self.driver
        for element_id, value in [('qc-reason', reason),
                ('qc-quantity', quantity)]:
            d.find_element(By.ID, element_id).clear()
            if value is not None:
                d.find_element(By.ID, element_id).send_keys(str(value))
        d.find_element(By.ID, button).click()
        self.wait(lambda d: d.find_element(By.ID, 'qc-lot').get_attribute(
                'data-state') == expected_state)

    def lot_states(self):
        return dict(self.query('SELECT number, qc_state FROM stock_lot '
                'WHERE number LIKE %s', 'Q-%'))

    def put_away_moves(self):
        "(lot, quantity, to location, state) of the receipt's put-away"
        return sorted(self.query('SELECT l.number, m.quantity, '
                'm.to_location, m.state FROM stock_move AS m '
                'JOIN stock_lot AS l ON l.id = m.lot '
                'WHERE m.shipment = %s AND m.from_location = '
                '(SELECT qc_location FROM stock_location WHERE id = %s)',
                f"stock.shipment.in,{self.data['qc_shipment']}",
                self.data['warehouse']))

    def test_pass_fail_and_partial(self):
        "Pass Q-PASS, fail Q-FAIL (a reason needed), pass 3 of Q-PART's 5"
        d = self.driver
        self.open_qc()
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR,
                    '#qc-lots button')), 3)
        # A code of no lot: refused with the server's message
        field = d.find_element(By.ID, 'qc-code')
        field.send_keys('NO-SUCH-LOT\n')
        self.wait(EC.visibility_of_element_located((By.ID, 'error')))
        self.assertIn('NO-SUCH-LOT', d.find_element(By.ID, 'error').text)

        self.scan_lot('Q-PASS')
        self.assertIn('3', d.find_element(By.ID, 'qc-lot-detail').text)
        self.decide('qc-pass', 'released', reason='visual check OK')
        self.wait(lambda d: not d.find_elements(By.CSS_SELECTOR,
                '#qc-lots button[data-lot="Q-PASS"]'))

        self.scan_lot('Q-FAIL')
        # No reason: the page asks for one, nothing is sent
        d.find_element(By.ID, 'qc-fail').click()
        self.wait(EC.visibility_of_element_located((By.ID, 'error')))
        self.assertEqual(self.lot_states()['Q-FAIL'], 'hold')
        self.decide('qc-fail', 'rejected', reason='cracked housing')
        # the list is drawn again after the decision: tap it once it is
        self.wait(lambda d: not d.find_elements(By.CSS_SELECTOR,
                '#qc-lots button[data-lot="Q-FAIL"]'))

        # Tapped in the list instead of scanned
        d.find_element(By.CSS_SELECTOR,
            '#qc-lots button[data-lot="Q-PART"]').click()
        self.wait(lambda d: d.find_element(By.ID, 'qc-lot').get_attribute(
                'data-lot') == 'Q-PART')
        self.decide('qc-partial', 'released', reason='2 dented',
            quantity=3)
        self.wait(lambda d: d.find_element(By.ID, 'qc-lots').text
            == d.execute_script("return STOCKTAKE_I18N.en.qc_none_held"))

        self.assertEqual(self.lot_states(), {'Q-PASS': 'released',
                'Q-FAIL': 'rejected', 'Q-PART': 'released'})
        self.assertEqual(dict(self.query('SELECT number, qc_decision_reason '
                    'FROM stock_lot WHERE number LIKE %s', 'Q-%')),
            {'Q-PASS': 'visual check OK', 'Q-FAIL': 'cracked housing',
                'Q-PART': '2 dented'})
        storage, rejected = self.data['storage'], self.data['rejected']
        # The put-away moves out of QC go where the decisions sent them
        self.assertEqual(self.put_away_moves(), [
                ('Q-FAIL', 4, rejected, 'draft'),
                ('Q-PART', 2, rejected, 'draft'),
                ('Q-PART', 3, storage, 'draft'),
                ('Q-PASS', 3, storage, 'draft')])

    def post(self, path, body, user):
        request = urllib.request.Request(self.base + 'api/' + path,
            data=json.dumps(body).encode(), method='POST',
            headers={'Authorization': 'bearer ' + self.data['keys'][user],
                'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def test_decide_needs_the_qc_group(self):
        "Bob (a clerk, not QC) is refused in the error shape; nothing moves"
        before = self.put_away_moves()
        lot = self.data['qc_lots']['Q-PART']
        status, body = self.post('qc/decide',
            {'lot': lot, 'decision': 'fail', 'reason': 'x'}, 'bob')
        # The lot's workflow refuses (a UserError of the QC rules: 400)
        self.assertEqual((status, body['error']['code']), (400, 'user_error'))
        self.assertIn('QC inspector', body['error']['message'])
        self.assertEqual(self.put_away_moves(), before)
        self.assertEqual(self.lot_states()['Q-PART'], 'hold')
        # A partial pass without its quantity: refused before any rule
        status, body = self.post('qc/decide',
            {'lot': lot, 'decision': 'partial', 'reason': 'x'}, 'alice')
        self.assertEqual((status, body['error']['code']),
            (400, 'invalid_field'))
