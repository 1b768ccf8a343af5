import contextlib
import json
from http import HTTPStatus
from types import SimpleNamespace

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction

from .tools_qc_scan import factory, scan_keys, shipment_in, user_in


class ScanAPITestCase(RouteTestCase):
    "Scanner JSON HTTP API (user application factory_scan)"
    module = 'factory_stock_ext'
    keys = {}

    @classmethod
    def setUpDatabase(cls):
        with contextlib.ExitStack() as stack:
            f = factory(stack, qc=False)
            cls.f = f
            users = {
                'clerk': user_in(['factory_stock_ext.group_factory_clerk'],
                    'clerk', f.company),
                'boss': user_in(
                    ['factory_stock_ext.group_factory_supervisor'],
                    'boss', f.company),
                }
            cls.keys.update(scan_keys(users))
            cls.users = {n: u.id for n, u in users.items()}

    def headers(self, who='clerk'):
        return {'Authorization': 'bearer %s' % self.keys[who]}

    def new_shipment(self):
        with Transaction().start(DB_NAME, 1, context={
                    'company': self.f.company.id,
                    '_skip_warnings': True}) as transaction:
            # Records of the setup transaction are re-read in this one
            f = SimpleNamespace(**{k: v.__class__(v.id)
                    for k, v in vars(self.f).items()})
            shipment = shipment_in(f, [(f.steel, 10, None)])
            transaction.commit()
            return 'stock.shipment.in,%s' % shipment.id

    def post(self, path, data, who='clerk'):
        return self.client().post('%s/factory_scan/%s' % (self.db_name, path),
            data=json.dumps(data), headers=self.headers(who),
            content_type='application/json')

    def test_authentication(self):
        client = self.client()
        response = client.get('%s/factory_scan/ping' % self.db_name)
        self.assertEqual(response.status_code, HTTPStatus.UNAUTHORIZED)
        response = client.get('%s/factory_scan/ping' % self.db_name,
            headers={'Authorization': 'bearer wrong'})
        self.assertEqual(response.status_code, HTTPStatus.UNAUTHORIZED)
        response = client.get('%s/factory_scan/ping' % self.db_name,
            headers=self.headers())
        self.assertEqual(response.status_code, HTTPStatus.OK)
        self.assertEqual(response.json, {'user': self.users['clerk']})

    def test_scan_refusal_and_duplicate(self):
        document = self.new_shipment()
        scan = {'document': document, 'code': 'M-STEEL', 'quantity': 4,
            'client_key': 'api-1', 'device': 'HH-01'}
        first = self.post('scan', scan)
        self.assertEqual(first.status_code, HTTPStatus.OK)
        self.assertEqual((first.json['result'], first.json['accepted'],
                first.json['duplicate']), ('accepted', True, False))
        again = self.post('scan', scan)
        self.assertEqual(again.json['line'], first.json['line'])
        self.assertTrue(again.json['duplicate'])
        refused = self.post('scan', dict(scan, code='NOPE',
                client_key='api-2'))
        self.assertEqual(refused.status_code, HTTPStatus.OK)
        self.assertEqual(refused.json['result'], 'unknown_code')
        self.assertIn('NOPE', refused.json['message'])
        over = self.post('scan', dict(scan, quantity=7, client_key='api-3'))
        self.assertEqual(over.json['result'], 'over_quantity')
        with Transaction().start(DB_NAME, 1):
            Line = Pool().get('stock.scan.line')
            line = Line(first.json['line'])
            self.assertEqual((line.user.id, line.device, line.quantity),
                (self.users['clerk'], 'HH-01', 4))
            self.assertEqual(Line.covered([line.move.id]),
                {line.move.id: 4})
        bad = self.post('scan', dict(scan, quantity=-1, client_key='api-4'))
        self.assertEqual(bad.status_code, HTTPStatus.BAD_REQUEST)
        self.assertEqual(bad.json['error']['code'], 'invalid_quantity')
        garbage = self.client().post('%s/factory_scan/scan' % self.db_name,
            data='not json', headers=self.headers())
        self.assertEqual(garbage.json['error']['code'], 'bad_json')

    def test_unknown_references_and_session(self):
        "Unknown document 404, unknown location 400, scan on a session"
        document = self.new_shipment()
        missing = self.post('scan', {'document': 'stock.shipment.in,999999',
                'code': 'M-STEEL', 'client_key': 'u-1'})
        self.assertEqual(missing.status_code, HTTPStatus.NOT_FOUND)
        self.assertEqual(missing.json['error']['code'], 'unknown_document')
        nowhere = self.post('scan', {'document': document, 'code': 'M-STEEL',
                'location': 'NOWHERE', 'client_key': 'u-2'})
        self.assertEqual(nowhere.status_code, HTTPStatus.BAD_REQUEST)
        self.assertEqual(nowhere.json['error']['code'], 'unknown_location')
        first = self.post('scan', {'document': document, 'code': 'M-STEEL',
                'quantity': 2, 'location': 'IN', 'client_key': 'u-3'}).json
        self.assertEqual(first['result'], 'accepted')
        again = self.post('scan', {'session': first['session'],
                'code': '6901234567892', 'quantity': 3,
                'client_key': 'u-4'}).json
        self.assertEqual((again['result'], again['session'], again['move']),
            ('accepted', first['session'], first['move']))
        over = self.post('scan', {'session': first['session'],
                'code': 'M-STEEL', 'quantity': 6, 'client_key': 'u-5'}).json
        self.assertEqual(over['result'], 'over_quantity')
        self.assertIn('5', over['message'])
        gone = self.post('scan', {'session': 999999, 'code': 'M-STEEL',
                'client_key': 'u-6'})
        self.assertEqual(gone.status_code, HTTPStatus.NOT_FOUND)
        self.assertEqual(gone.json['error']['code'], 'unknown_session')

    def test_complete_override_rules(self):
        "Incomplete is refused with nothing written; only bosses override"
        document = self.new_shipment()
        line = self.post('scan', {'document': document, 'code': 'M-STEEL',
                'quantity': 3, 'client_key': 'c-1'}).json
        refused = self.post('complete', {'session': line['session']})
        self.assertEqual(refused.status_code, HTTPStatus.BAD_REQUEST)
        self.assertEqual(refused.json['error']['code'], 'incomplete')
        self.assertIn('Steel', refused.json['error']['message'])
        clerk = self.post('complete', {'session': line['session'],
                'override_reason': 'short delivery'})
        self.assertEqual(clerk.json['error']['code'], 'override_access')
        with Transaction().start(DB_NAME, 1):
            Session = Pool().get('stock.scan.session')
            session = Session(line['session'])
            self.assertEqual(session.state, 'open')
            self.assertEqual(
                [l.result for l in session.lines], ['accepted'])
        boss = self.post('complete', {'session': line['session'],
                'override_reason': 'short delivery'}, who='boss')
        self.assertEqual(boss.status_code, HTTPStatus.OK)
        self.assertEqual(boss.json['state'], 'overridden')
        with Transaction().start(DB_NAME, 1):
            Session = Pool().get('stock.scan.session')
            session = Session(line['session'])
            log, = [l for l in session.lines if l.result == 'override']
            self.assertEqual(log.approved_by.id, self.users['boss'])
            self.assertEqual(log.override_reason, 'short delivery')


del RouteTestCase
