"""Look-up from the counting page (issue 22): a bin -> its goods, a
material or lot -> where it is, QC state and expiry; blind where counting"""
import datetime as dt
import json

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import RouteTestCase

from .page import PageTestCase, screenshot
from .tools import create_task, create_user, setup_stock

EXPIRY = dt.date(2031, 5, 17)


def hold_lot(data):
    "LOT-7 on QC hold, with an expiry date"
    Lot = Pool().get('stock.lot')
    Lot.write([Lot(data['lot'])], {'qc_state': 'hold',
            'expiration_date': EXPIRY})


class LookupRouteTestCase(RouteTestCase):
    "POST stocktake/api/lookup"
    module = 'stocktake_mobile'
    expiry = EXPIRY

    @classmethod
    def setUpDatabase(cls):
        Company = Pool().get('company.company')
        cls.data = setup_stock()
        # alice counts B1 and B2
        cls.task_id = create_task(cls.data)
        hold_lot(cls.data)
        company = Company(cls.data['company'])
        with set_company(company):
            _, cls.counter_key = create_user('dave',
                ['group_factory_counter'], company)

    def lookup(self, code, user='alice', key=None, language=None):
        key = key or self.data['keys'][user]
        path = f'/{self.db_name}/stocktake/api/lookup'
        if language:
            path += f'?language={language}'
        response = self.client().post(path,
            headers={'Authorization': f'bearer {key}'},
            data=json.dumps({'code': code}), content_type='application/json')
        return response.status_code, json.loads(response.data)

    def test_bin(self):
        "A bin: each material and lot in it, with quantity, unit, QC, expiry"
        status, body = self.lookup('B3')
        self.assertEqual(status, 200, body)
        self.assertEqual(body['kind'], 'location')
        self.assertEqual(body['location']['code'], 'B3')
        self.assertFalse(body['counting'])
        lines = {(l['product']['code'], l['lot']): l for l in body['lines']}
        self.assertEqual(set(lines), {('P001', None), ('P002', None),
                ('P003', 'LOT-7'), ('P004', None)})
        self.assertEqual({l['quantity'] for l in lines.values()}, {10})
        self.assertEqual(lines['P003', 'LOT-7']['qc_state'], 'hold')
        self.assertEqual(lines['P003', 'LOT-7']['expiration_date'],
            self.expiry.isoformat())
        self.assertEqual(lines['P001', None]['unit'], 'u')

    def test_material_and_lot(self):
        "A barcode, a material code or a lot: where it is, bin by bin"
        for code, kind in [('4006381333931', 'product'), ('P002', 'product'),
                ('LOT-7', 'lot')]:
            with self.subTest(code=code):
                status, body = self.lookup(code, user='bob')
                self.assertEqual(status, 200, body)
                self.assertEqual(body['kind'], kind)
                self.assertEqual({l['location']['code']
                        for l in body['lines']}, {'B1', 'B2', 'B3', 'X1'})
                self.assertEqual({l['quantity'] for l in body['lines']}, {10})
        self.assertEqual(body['lot'], 'LOT-7')
        self.assertEqual({l['qc_state'] for l in body['lines']}, {'hold'})

    def test_blind_where_counting(self):
        """The bins of the user's own running task give no quantity (the
        page stays blind), others' tasks do not hide anything"""
        status, body = self.lookup('B1')
        self.assertEqual(status, 200, body)
        self.assertTrue(body['counting'])
        self.assertEqual({l['quantity'] for l in body['lines']}, {None})
        self.assertEqual(len(body['lines']), 4)  # what is there, not how much
        # WH's storage holds B1: its total would give B1 away
        status, body = self.lookup('STO')
        self.assertTrue(body['counting'])
        self.assertEqual({l['quantity'] for l in body['lines']}, {None})
        status, body = self.lookup('P001')
        quantities = {l['location']['code']: l['quantity']
            for l in body['lines']}
        self.assertEqual(quantities, {'B1': None, 'B2': None, 'B3': 10,
                'X1': 10})
        status, body = self.lookup('B1', user='bob')
        self.assertEqual({l['quantity'] for l in body['lines']}, {10})

    def test_refusals(self):
        "Unknown code, bad input, no stock rights, no key: the error shape"
        status, body = self.lookup('NOPE-1')
        self.assertEqual((status, body['error']['code']),
            (400, 'lookup_unknown'))
        self.assertIn('NOPE-1', body['error']['message'])
        status, body = self.lookup('B1\x07')
        self.assertEqual((status, body['error']['code']),
            (400, 'invalid_field'))
        status, body = self.lookup('')
        self.assertEqual((status, body['error']['code']),
            (400, 'invalid_field'))
        # The counter-only role reads no stock: no look-up
        status, body = self.lookup('B3', key=self.counter_key)
        self.assertEqual((status, body['error']['code']),
            (403, 'access_denied'))
        status, body = self.lookup('B3', key='x' * 32)
        self.assertEqual((status, body['error']['code']),
            (401, 'unauthorized'))


class LookupPageTestCase(PageTestCase):
    "The Look up screen of the page, in a phone-sized Chromium"

    @classmethod
    def setUpDatabase(cls):
        super().setUpDatabase()
        hold_lot(cls.data)

    def look_up(self, code):
        field = self.driver.find_element(By.ID, 'lookup-code')
        field.send_keys(code + '\n')  # keyboard wedge: code + Enter

    def lines(self):
        return [li.text for li in self.driver.find_elements(
                By.CSS_SELECTOR, '#lookup-lines li')]

    def test_look_up(self):
        d = self.driver
        self.sign_in()
        d.find_element(By.CSS_SELECTOR, '#task-view .lookup-open').click()
        self.wait(EC.visibility_of_element_located((By.ID, 'lookup-code')))

        self.look_up('B3')
        self.wait(lambda d: self.text_of('lookup-title') == 'B3 Bin 3')
        lines = self.lines()
        self.assertEqual(len(lines), 4, lines)
        self.assertTrue(all('— 10 u' in l for l in lines), lines)
        lot_line, = [l for l in lines if 'LOT-7' in l]
        self.assertIn('QC hold', lot_line)
        self.assertIn('expires 2031-05-17', lot_line)

        self.look_up('LOT-7')
        self.wait(lambda d: self.text_of('lookup-title') == 'P003 Part 3 · LOT-7')
        lines = sorted(self.lines())
        self.assertEqual([l.split(' ')[0] for l in lines],
            ['B1', 'B2', 'B3', 'X1'])
        # Blind: alice counts B1 and B2, she sees what is there, not how much
        self.assertIn('being counted', lines[0])
        self.assertNotIn('10 u', lines[0] + lines[1])
        self.assertIn('10 u', lines[2])
        screenshot(d, 'stocktake_mobile_lookup.png')

        self.look_up('NOPE-1')
        error = self.wait(EC.visibility_of_element_located((By.ID, 'error')))
        self.assertIn('NOPE-1', error.text)
        self.assertEqual(self.lines(), [])

        Select(d.find_element(By.ID, 'language')).select_by_value('zh_CN')
        self.wait(lambda d: self.driver.find_element(
                By.CSS_SELECTOR, 'label[for="lookup-code"]').text
            == '库位、物料或批次')
        self.look_up('B1')
        self.wait(lambda d: self.text_of('lookup-title') == 'B1 Bin 1')
        self.assertIn('您正在此处盘点', self.text_of('error'))
        lot_line, = [l for l in self.lines() if 'LOT-7' in l]
        self.assertIn('盘点中', lot_line)
        self.assertIn('质检冻结', lot_line)
        self.assertIn('有效期至 2031-05-17', lot_line)

        d.find_element(By.ID, 'lookup-back').click()
        self.wait(EC.visibility_of_element_located((By.ID, 'task-view')))
