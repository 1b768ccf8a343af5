import json

from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction

from .tools import create_task, setup_stock


class StocktakeAPITestCase(RouteTestCase):
    "Mobile counting API: keys, own zones, blind counting, idempotent scans"
    module = 'stocktake_mobile'

    @classmethod
    def setUpDatabase(cls):
        cls.data = setup_stock()

    def new_task(self, **kwargs):
        with Transaction().start(DB_NAME, 1):
            return create_task(self.data, **kwargs)

    def call(self, method, path, user='alice', body=None, key=None):
        headers = {}
        key = key or self.data['keys'].get(user)
        if key:
            headers['Authorization'] = f'bearer {key}'
        response = getattr(self.client(), method)(
            f'/{self.db_name}/stocktake/api/{path}', headers=headers,
            data=json.dumps(body) if body is not None else None)
        if response.content_type != 'application/json':
            return response.status_code, None
        return response.status_code, json.loads(response.data)

    def scan(self, task_id, key, location='B1', code='P002', quantity=9,
            user='alice'):
        return self.call('post', f'tasks/{task_id}/counts', user=user,
            body={'client_key': key, 'location': location, 'code': code,
                'quantity': quantity})

    def counts(self, task_id):
        with Transaction().start(DB_NAME, 1):
            Count = Pool().get('stocktake.count')
            return sorted((c.line.product.code, c.line.location.code,
                    c.quantity) for c in Count.search([('task', '=', task_id)]))

    def test_refused_without_valid_key(self):
        "The API refuses requests without a validated key"
        self.assertEqual(self.call('get', 'tasks', user=None)[0], 401)
        self.assertEqual(
            self.call('get', 'tasks', key='not-a-key')[0], 401)
        self.assertEqual(self.call('get', 'me')[0], 200)

    def test_counter_sees_only_own_zone_tasks(self):
        "Record rules: carol (zone B) neither lists nor opens zone A tasks"
        task_id = self.new_task()
        status, tasks = self.call('get', 'tasks?scope=all', user='bob')
        self.assertIn(task_id, [t['id'] for t in tasks])  # bob is deputy
        status, tasks = self.call('get', 'tasks?scope=all', user='carol')
        self.assertNotIn(task_id, [t['id'] for t in tasks])
        status, body = self.call('get', f'tasks/{task_id}', user='carol')
        self.assertEqual(status, 404)
        self.assertEqual(body['error']['code'], 'task_not_found')
        status, _ = self.scan(task_id, 'carol-1', user='carol')
        self.assertEqual(status, 404)
        self.assertEqual(self.counts(task_id), [])

    def test_my_tasks_are_mine(self):
        "My tasks: only the user's own, with the assignee shown"
        task_id = self.new_task()
        status, tasks = self.call('get', 'tasks', user='alice')
        self.assertEqual(status, 200)
        mine = [t for t in tasks if t['id'] == task_id]
        self.assertEqual([t['assignee'] for t in mine], ['Alice'])
        status, tasks = self.call('get', 'tasks', user='bob')
        self.assertNotIn(task_id, [t['id'] for t in tasks])

    def sign_in(self, login, password, device='Phone 1'):
        response = self.client().post(
            f'/{self.db_name}/stocktake/api/signin',
            data=json.dumps({'login': login, 'password': password,
                    'device': device}))
        return response.status_code, json.loads(response.data)

    def test_sign_in_with_password(self):
        """A counter's own password issues a key for the device; a wrong
        password, a revoked device or an inactive user get nothing"""
        with Transaction().start(DB_NAME, 1) as transaction:
            User = Pool().get('res.user')
            User.write([User(self.data['users']['alice'])],
                {'password': 'count-2026-alice'})
            transaction.commit()
        status, body = self.sign_in('alice', 'wrong-password')
        self.assertEqual((status, body['error']['code']),
            (401, 'wrong_login'))
        status, body = self.sign_in('alice', 'count-2026-alice')
        self.assertEqual(status, 200)
        self.assertEqual(body['user']['name'], 'Alice')
        key = body['key']
        status, me = self.call('get', 'me', key=key)
        self.assertEqual((status, me['id']),
            (200, self.data['users']['alice']))
        with Transaction().start(DB_NAME, 1) as transaction:
            Application = Pool().get('res.user.application')
            device, = Application.search([('key', '=', key)])
            self.assertEqual((device.device, device.state,
                    device.application),
                ('Phone 1', 'validated', 'stocktake_mobile'))
            # The supervisor revokes the device: its key stops at once
            Application.cancel([device])
            transaction.commit()
        self.assertEqual(self.call('get', 'me', key=key)[0], 401)
        with Transaction().start(DB_NAME, 1) as transaction:
            User = Pool().get('res.user')
            User.write([User(self.data['users']['alice'])],
                {'active': False})
            transaction.commit()
        try:
            status, _ = self.sign_in('alice', 'count-2026-alice')
            self.assertEqual(status, 401)
        finally:
            with Transaction().start(DB_NAME, 1) as transaction:
                User = Pool().get('res.user')
                User.write(User.search([('login', '=', 'alice'),
                            ('active', '=', False)]), {'active': True})
                transaction.commit()

    def test_blind_counting(self):
        "No book quantity reaches the counter, by API or by ORM"
        task_id = self.new_task()
        status, task = self.call('get', f'tasks/{task_id}')
        self.assertEqual(status, 200)
        self.assertTrue(task['lines'])
        text = json.dumps(task)
        self.assertNotIn('book', text)
        self.assertEqual({l['quantity'] for l in task['lines']}, {None})
        with Transaction().start(DB_NAME, self.data['users']['alice'],
                context={'_check_access': True}):
            Line = Pool().get('stocktake.task.line')
            line, = Line.search([('task', '=', task_id)], limit=1)
            with self.assertRaises(AccessError):
                Line.read([line.id], ['book_quantity'])
            view = Line.fields_view_get(view_type='tree')
            self.assertNotIn('book_quantity', view['fields'])
            self.assertNotIn('book_quantity', view['arch'])

    def test_scans_dedupe_and_errors(self):
        "Replays are no-ops, wrong codes are refused with a stable code"
        task_id = self.new_task()
        status, body = self.scan(task_id, 'k1')
        self.assertEqual((status, body['status']), (200, 'recorded'))
        status, body = self.scan(task_id, 'k1', quantity=99)
        self.assertEqual((status, body['status']), (200, 'duplicate'))
        status, body = self.scan(task_id, 'k2', code='NOPE')
        self.assertEqual(status, 400)
        self.assertEqual(body['error']['code'], 'scan_unknown_product')
        self.assertIn('NOPE', body['error']['message'])
        status, body = self.scan(task_id, 'k3', quantity=-1)
        self.assertEqual(body['error']['code'], 'invalid_quantity')
        status, body = self.scan(task_id, 'k4', location='X1')
        self.assertEqual(body['error']['code'], 'scan_unknown_location')
        # Barcode (product.identifier) and lot number resolve too
        self.assertEqual(self.scan(task_id, 'k5', code='4006381333931',
                location='B2', quantity=4)[0], 200)
        self.assertEqual(self.scan(task_id, 'k6', code='LOT-7',
                quantity=3)[0], 200)
        self.assertEqual(self.counts(task_id), [
                ('P002', 'B1', 9), ('P002', 'B2', 4), ('P003', 'B1', 3)])

    def test_two_devices_exact_totals(self):
        "Two devices and their replays: each scan is kept exactly once"
        task_id = self.new_task()
        plan = [('a1', 'alice', 'B1', 'P001', 5), ('b1', 'bob', 'B2', 'P001', 6),
            ('a2', 'alice', 'B1', 'P004', 7), ('b2', 'bob', 'B2', 'P004', 8)]
        for key, user, location, code, qty in plan + plan[::-1] + plan:
            status, _ = self.scan(task_id, key, location, code, qty, user)
            self.assertEqual(status, 200)
        self.assertEqual(self.counts(task_id), [('P001', 'B1', 5),
                ('P001', 'B2', 6), ('P004', 'B1', 7), ('P004', 'B2', 8)])
        with Transaction().start(DB_NAME, 1):
            Line = Pool().get('stocktake.task.line')
            lines = Line.search([('task', '=', task_id),
                    ('counted_quantity', '!=', None)])
            self.assertEqual(sum(l.counted_quantity for l in lines), 26)

    def test_finish_refused_with_uncounted_lines(self):
        "Finishing names the lines still to count and changes nothing"
        task_id = self.new_task()
        self.scan(task_id, 'f1')
        status, body = self.call('post', f'tasks/{task_id}/finish')
        self.assertEqual(status, 400)
        self.assertEqual(body['error']['code'], 'finish_uncounted')
        status, task = self.call('get', f'tasks/{task_id}')
        self.assertEqual(task['state'], 'open')
