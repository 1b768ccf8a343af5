"""Open documents and expected lines for handhelds (routes_documents.py),
under the factory_scan key: the user's company, access rights, errors."""
import contextlib
import json
from http import HTTPStatus
from types import SimpleNamespace

from trytond.modules.company.tests import create_company, set_company
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction

from .tools_qc_scan import factory, scan_keys, shipment_in, user_in


class ScanDocumentsTestCase(RouteTestCase):
    "GET factory_scan/kinds, documents and document"
    module = 'factory_stock_ext'
    keys = {}

    @classmethod
    def setUpDatabase(cls):
        with contextlib.ExitStack() as stack:
            f = factory(stack, qc=False)
            cls.shipment = str(shipment_in(f, [(f.steel, 10, None),
                        (f.bolt, 3, None)]))
            users = {
                'clerk': user_in(['factory_stock_ext.group_factory_clerk'],
                    'clerk', f.company),
                'counter': user_in(
                    ['factory_stock_ext.group_factory_counter'],
                    'counter', f.company),
                }
            cls.keys.update(scan_keys(users))
            cls.f = SimpleNamespace(steel=f.steel.id, bolt=f.bolt.id)
        # A receipt of another company is not the clerk's to see
        other = create_company(name='Other Company')
        with set_company(other):
            g = SimpleNamespace(**vars(f))
            g.company = other
            cls.other_shipment = str(shipment_in(g, [(f.steel, 1, None)]))

    def get(self, path, who='clerk'):
        return self.client().get('%s/factory_scan/%s' % (self.db_name, path),
            headers={'Authorization': 'bearer %s' % self.keys[who]})

    def post(self, path, data, who='clerk'):
        return self.client().post('%s/factory_scan/%s' % (self.db_name, path),
            data=json.dumps(data), content_type='application/json',
            headers={'Authorization': 'bearer %s' % self.keys[who]})

    def test_kinds_by_access(self):
        "A clerk scans every kind; a counter only counts (no stock access)"
        kinds = self.get('kinds').json
        self.assertEqual(kinds, ['receipt', 'putaway', 'issue',
                'transfer_out', 'transfer_in', 'delivery'])
        self.assertNotIn('receipt', self.get('kinds', 'counter').json)
        refused = self.get('documents?kind=receipt', 'counter')
        self.assertEqual((refused.status_code, refused.json['error']['code']),
            (HTTPStatus.FORBIDDEN, 'access_denied'))

    def test_documents_of_the_company(self):
        response = self.get('documents?kind=receipt')
        self.assertEqual(response.status_code, HTTPStatus.OK)
        documents = [d['document'] for d in response.json]
        self.assertEqual(documents, [self.shipment])
        self.assertEqual(response.json[0]['detail'], 'Supplier')
        self.assertEqual(response.json[0]['state'], 'draft')
        self.assertEqual(self.get('documents?kind=issue').json, [])

    def test_expected_lines_follow_the_scans(self):
        url = 'document?document=%s&kind=receipt' % self.shipment
        before = self.get(url).json
        self.assertEqual(before['sessions'], [])
        self.assertEqual([(l['product']['id'], l['quantity'], l['scanned'],
                    l['remaining']) for l in before['lines']],
            [(self.f.steel, 10, 0, 10), (self.f.bolt, 3, 0, 3)])
        scan = self.post('scan', {'document': self.shipment,
                'code': 'M-STEEL', 'quantity': 4, 'client_key': 'doc-1'}).json
        self.assertTrue(scan['accepted'])
        after = self.get(url).json
        self.assertEqual(after['sessions'], [scan['session']])
        self.assertEqual([(l['scanned'], l['remaining'])
                for l in after['lines']], [(4, 6), (0, 3)])

    def test_errors(self):
        cases = [
            ('documents?kind=nope', 400, 'invalid_kind'),
            ('documents', 400, 'invalid_kind'),
            ('document?kind=receipt', 400, 'invalid_field'),
            ('document?document=stock.shipment.in,999999&kind=receipt',
                404, 'unknown_document'),
            ('document?document=nothing,1&kind=receipt', 404,
                'unknown_document'),
            ('document?document=%s&kind=issue' % self.shipment, 400,
                'invalid_kind'),
            ('document?document=%s&kind=receipt' % self.other_shipment,
                404, 'unknown_document'),
            ]
        for path, status, code in cases:
            with self.subTest(path=path):
                response = self.get(path)
                self.assertEqual(
                    (response.status_code, response.json['error']['code']),
                    (status, code))


del RouteTestCase
