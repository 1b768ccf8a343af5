"""The HTTP API layer on the counting API (issue 17, findings 2, 3, 6 and
the lot part of 10), and the same rules for a JSON-RPC caller"""
import json

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction

from .tools import create_task, setup_stock


def error_of(response):
    "(status, code) of an answer in the documented error shape"
    assert response.content_type == 'application/json', (
        response.status_code, response.content_type, response.data[:200])
    body = json.loads(response.data)
    assert set(body) == {'error'}, body
    assert set(body['error']) == {'code', 'message'}, body
    return response.status_code, body['error']['code']


class CountingHTTPAPITestCase(RouteTestCase):
    "stocktake API through the HTTP API layer"
    module = 'stocktake_mobile'

    @classmethod
    def setUpDatabase(cls):
        cls.data = setup_stock()

    def setUp(self):
        super().setUp()
        from trytond.modules.factory_stock_ext.http_api import failed_keys
        failed_keys.clear()

    def new_task(self, **kwargs):
        with Transaction().start(DB_NAME, 1) as transaction:
            task_id = create_task(self.data, **kwargs)
            transaction.commit()
            return task_id

    def post(self, path, body=None, user='alice', raw=None):
        return self.client().post(f'/{self.db_name}/stocktake/api/{path}',
            headers={'Authorization': f"bearer {self.data['keys'][user]}"},
            data=raw if raw is not None else json.dumps(body),
            content_type='application/json')

    def get(self, path, user='alice'):
        return self.client().get(f'/{self.db_name}/stocktake/api/{path}',
            headers={'Authorization': f"bearer {self.data['keys'][user]}"})

    def count(self, task_id, user='alice', **values):
        body = {'location': 'B1', 'code': 'P002', 'quantity': 9}
        body.update(values)
        return self.post(f'tasks/{task_id}/counts', body, user=user)

    def counts(self):
        with Transaction().start(DB_NAME, 1):
            return Pool().get('stocktake.count').search([], count=True)

    def test_inactive_user_refused(self):
        "Finding 2: a deactivated counter's key stops working"
        task_id = self.new_task()
        self.assertEqual(self.get('me', user='carol').status_code, 200)
        with Transaction().start(DB_NAME, 1) as transaction:
            User = Pool().get('res.user')
            User.write([User(self.data['users']['carol'])],
                {'active': False})
            transaction.commit()
        try:
            self.assertEqual(error_of(self.get('me', user='carol')),
                (401, 'unauthorized'))
            before = self.counts()
            self.assertEqual(error_of(self.count(task_id, user='carol',
                        client_key='carol-gone')), (401, 'unauthorized'))
            self.assertEqual(self.counts(), before)
        finally:
            with Transaction().start(DB_NAME, 1) as transaction:
                User = Pool().get('res.user')
                User.write([User(self.data['users']['carol'])],
                    {'active': True})
                transaction.commit()

    def test_client_key_scoped(self):
        "Finding 3: another task or user reusing a key gets 409, no data"
        first, second = self.new_task(), self.new_task()
        original = self.count(first, client_key='scope-1', quantity=7)
        self.assertEqual(original.status_code, 200)
        before = self.counts()
        for task_id, user in [(second, 'alice'), (first, 'bob')]:
            response = self.count(task_id, user=user, client_key='scope-1',
                quantity=3)
            self.assertEqual(error_of(response),
                (409, 'client_key_conflict'))
            text = response.data.decode()
            for leak in ['"line"', 'P002', 'B1', '7']:
                self.assertNotIn(leak, text)
        self.assertEqual(self.counts(), before)
        replay = self.count(first, client_key='scope-1', quantity=3)
        self.assertEqual(replay.status_code, 200)
        self.assertEqual((replay.json['status'], replay.json['line'],
                replay.json['quantity']),
            ('duplicate', original.json['line'], 7))

    def test_client_key_never_cut(self):
        "Finding 3: 65 characters are refused, two long keys never collide"
        task_id = self.new_task()
        before = self.counts()
        response = self.count(task_id, client_key='k' * 64 + 'a')
        self.assertEqual(error_of(response), (400, 'invalid_client_key'))
        self.assertEqual(self.counts(), before)
        self.assertEqual(self.count(task_id, client_key='k' * 64,
                quantity=1).json['status'], 'recorded')
        self.assertEqual(error_of(self.count(task_id,
                    client_key='k' * 64 + 'b', quantity=2)),
            (400, 'invalid_client_key'))

    def test_numbers_strict(self):
        "Finding 6: nothing but a finite, bounded number in unit decimals"
        task_id = self.new_task()
        before = self.counts()
        body = ('{"location": "B1", "code": "P002", "client_key": "n-%s", '
            '"quantity": %s}')
        for i, (quantity, code) in enumerate([
                    ('1e308', 'invalid_quantity'),
                    ('1e400', 'invalid_quantity'),
                    ('-1', 'invalid_quantity'),
                    ('true', 'invalid_field'), ('"12"', 'invalid_field'),
                    ('NaN', 'bad_json'), ('Infinity', 'bad_json'),
                    ('2.5', 'quantity_decimals')]):
            with self.subTest(quantity=quantity):
                response = self.post(f'tasks/{task_id}/counts',
                    raw=body % (i, quantity))
                self.assertEqual(error_of(response), (400, code))
        self.assertEqual(self.counts(), before)
        for raw in ['[]', '{"method": "x"}', '{"counted_at": 1e300}']:
            response = self.post(f'tasks/{task_id}/counts', raw=raw)
            self.assertEqual(response.status_code, 400, raw)
            error_of(response)
        # The task can still be finished (no NaN nor 1e308 was stored)
        for location, code in [('B1', 'P001'), ('B1', 'P002'),
                ('B1', 'P003'), ('B1', 'P004'), ('B2', 'P001'),
                ('B2', 'P002'), ('B2', 'P003'), ('B2', 'P004')]:
            self.count(task_id, location=location, code=code, quantity=1,
                lot='LOT-7' if code == 'P003' else None)
        response = self.post(f'tasks/{task_id}/finish', {})
        self.assertEqual(response.status_code, 200, response.data)

    def test_lot_never_dropped(self):
        "Finding 10: an unknown or other-product lot is refused, not dropped"
        task_id = self.new_task()
        before = self.counts()
        self.assertEqual(error_of(self.count(task_id, code='P002',
                    lot='NO-SUCH-LOT', client_key='lot-1')),
            (400, 'scan_unknown_lot'))
        # LOT-7 is a lot of P003
        self.assertEqual(error_of(self.count(task_id, code='P002',
                    lot='LOT-7', client_key='lot-2')),
            (400, 'scan_lot_other_product'))
        self.assertEqual(self.counts(), before)
        response = self.count(task_id, code='P003', lot='LOT-7',
            client_key='lot-3')
        self.assertEqual(response.status_code, 200)

    def test_same_shape_and_headers(self):
        "Both APIs: one error shape, JSON 404/405, pages never framed"
        base = f'/{self.db_name}/stocktake'
        client = self.client()
        self.assertEqual(error_of(client.get(base + '/api/nowhere')),
            (404, 'not_found'))
        self.assertEqual(error_of(self.get('tasks/99999999999999')),
            (404, 'not_found'))
        self.assertEqual(error_of(self.get('tasks/1/counts')),
            (405, 'method_not_allowed'))
        self.assertEqual(error_of(client.get(base + '/static/nothing.js')),
            (404, 'not_found'))
        self.assertEqual(error_of(client.get(base + '/api/me')),
            (401, 'unauthorized'))
        scan = client.post(f'/{self.db_name}/factory_scan/scan', data='[]',
            headers={'Authorization': f"bearer {self.data['keys']['alice']}"},
            content_type='application/json')
        self.assertEqual(scan.status_code, 401)  # not a factory_scan key
        error_of(scan)
        page = client.get(base + '/')
        self.assertEqual(page.status_code, 200)
        self.assertEqual(page.headers['X-Frame-Options'], 'DENY')
        self.assertIn("frame-ancestors 'none'",
            page.headers['Content-Security-Policy'])

    def test_rpc_caller_same_rules(self):
        "The model refuses what the route refuses (JSON-RPC Count.scan)"
        first, second = self.new_task(), self.new_task()
        self.assertEqual(self.count(first, client_key='rpc-1').status_code,
            200)
        with Transaction().start(DB_NAME, self.data['users']['alice'],
                context={'company': self.data['company']}):
            Count = Pool().get('stocktake.count')
            for quantity in [1e308, float('nan'), float('inf'), True, 2.5]:
                with self.subTest(quantity=quantity), \
                        self.assertRaises(UserError):
                    Count.scan(first, 'B1', 'P002', quantity,
                        client_key=f'rpc-q-{quantity}')
            with self.assertRaises(UserError) as cm:
                Count.scan(second, 'B1', 'P002', 1, client_key='rpc-1')
            self.assertEqual(cm.exception.code, 'client_key_conflict')
            with self.assertRaises(UserError) as cm:
                Count.scan(first, 'B1', 'P002', 1, client_key='r' * 65)
            self.assertEqual(cm.exception.code, 'invalid_client_key')
            with self.assertRaises(UserError) as cm:
                Count.scan(first, 'B1', 'P002', 1, lot_code='LOT-7')
            self.assertEqual(cm.exception.code, 'scan_lot_other_product')
