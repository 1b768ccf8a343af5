"""The HTTP API layer on the scanner API (issue 17, findings 2, 3 and 6):
revoked people, scoped client keys, strict numbers, one JSON error shape"""
import contextlib
import json
import pathlib
from types import SimpleNamespace

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction

from .tools_qc_scan import factory, scan_keys, shipment_in, user_in


def load_zh_cn(*modules):
    "Make zh_CN translatable and load the catalogues of the modules"
    addons = pathlib.Path(__file__).resolve().parents[2]
    with Transaction().start(DB_NAME, 1) as transaction:
        pool = Pool()
        Lang, Translation = pool.get('ir.lang'), pool.get('ir.translation')
        Lang.write(Lang.search([('code', '=', 'zh_CN')]),
            {'translatable': True})
        for module in modules:
            Translation.translation_import('zh_CN', module,
                [str(addons / module / 'locale' / 'zh_CN.po')])
        transaction.commit()


def error_of(response):
    "(status, code) of an answer in the documented error shape"
    assert response.content_type == 'application/json', (
        response.status_code, response.content_type, response.data[:200])
    body = json.loads(response.data)
    assert set(body) == {'error'}, body
    assert set(body['error']) == {'code', 'message'}, body
    assert isinstance(body['error']['message'], str), body
    return response.status_code, body['error']['code']


class HTTPAPITestCase(RouteTestCase):
    "factory_scan through the HTTP API layer"
    module = 'factory_stock_ext'

    @classmethod
    def setUpDatabase(cls):
        with contextlib.ExitStack() as stack:
            f = factory(stack, qc=False)
            cls.f = f
            users = {name: user_in(['factory_stock_ext.group_factory_clerk'],
                    name, f.company) for name in ['clerk', 'other', 'gone']}
            cls.keys = {}
            cls.keys.update(scan_keys(users))
            cls.users = {n: u.id for n, u in users.items()}

    def setUp(self):
        super().setUp()
        from ..http_api import failed_keys
        failed_keys.clear()

    def new_shipment(self, quantity=10):
        with Transaction().start(DB_NAME, 1, context={
                    'company': self.f.company.id,
                    '_skip_warnings': True}) as transaction:
            f = SimpleNamespace(**{k: v.__class__(v.id)
                    for k, v in vars(self.f).items()})
            shipment = shipment_in(f, [(f.steel, quantity, None)])
            transaction.commit()
            return 'stock.shipment.in,%s' % shipment.id

    def post(self, path, data, who='clerk', raw=None, headers=None,
            query=''):
        headers = dict(headers or {})
        headers.setdefault('Authorization', 'bearer %s' % self.keys[who])
        return self.client().post(
            '/%s/factory_scan/%s%s' % (self.db_name, path, query),
            data=raw if raw is not None else json.dumps(data),
            headers=headers, content_type='application/json')

    def lines(self):
        with Transaction().start(DB_NAME, 1):
            return Pool().get('stock.scan.line').search([], count=True)

    def test_inactive_user_refused(self):
        "Finding 2: the key of a deactivated user stops working"
        ping = '/%s/factory_scan/ping' % self.db_name
        headers = {'Authorization': 'bearer %s' % self.keys['gone']}
        self.assertEqual(self.client().get(ping, headers=headers).status_code,
            200)
        with Transaction().start(DB_NAME, 1) as transaction:
            User = Pool().get('res.user')
            User.write([User(self.users['gone'])], {'active': False})
            transaction.commit()
        try:
            response = self.client().get(ping, headers=headers)
            self.assertEqual(error_of(response), (401, 'unauthorized'))
            document = self.new_shipment()
            before = self.lines()
            response = self.post('scan', {'document': document,
                    'code': 'M-STEEL', 'client_key': 'gone-1'}, who='gone')
            self.assertEqual(error_of(response), (401, 'unauthorized'))
            self.assertEqual(self.lines(), before)
        finally:
            with Transaction().start(DB_NAME, 1) as transaction:
                User = Pool().get('res.user')
                User.write([User(self.users['gone'])], {'active': True})
                transaction.commit()

    def test_revoked_key_refused(self):
        "A key no longer validated is refused like an unknown one"
        with Transaction().start(DB_NAME, 1) as transaction:
            Application = Pool().get('res.user.application')
            application, = Application.create([{
                        'user': self.users['clerk'],
                        'application': 'factory_scan',
                        'state': 'cancelled'}])
            key = application.key
            transaction.commit()
        response = self.client().get('/%s/factory_scan/ping' % self.db_name,
            headers={'Authorization': 'bearer %s' % key})
        self.assertEqual(error_of(response), (401, 'unauthorized'))

    def test_client_key_scoped(self):
        "Finding 3: a key reused elsewhere is refused with nothing of it"
        first, second = self.new_shipment(), self.new_shipment()
        scan = {'document': first, 'code': 'M-STEEL', 'quantity': 2,
            'client_key': 'scoped-1', 'location': 'IN'}
        original = self.post('scan', scan)
        self.assertEqual(original.status_code, 200)
        self.assertEqual(original.json['result'], 'accepted')
        before = self.lines()
        for who, document in [('other', first), ('clerk', second)]:
            response = self.post('scan', dict(scan, document=document),
                who=who)
            self.assertEqual(error_of(response),
                (409, 'client_key_conflict'))
            text = response.data.decode()
            for leak in ['line', 'product', 'Steel', 'IN', '"2"']:
                self.assertNotIn(leak, text.replace('client key', ''))
        self.assertEqual(self.lines(), before)
        # The replay in its own scope is the line first logged
        replay = self.post('scan', dict(scan, quantity=5))
        self.assertEqual(replay.status_code, 200)
        self.assertEqual((replay.json['line'], replay.json['duplicate']),
            (original.json['line'], True))

    def test_client_key_never_cut(self):
        "Finding 3: a key of more than 64 characters is refused, not cut"
        document = self.new_shipment()
        before = self.lines()
        for key in ['k' * 65, 'k' * 64 + 'x' * 100]:
            response = self.post('scan', {'document': document,
                    'code': 'M-STEEL', 'client_key': key})
            self.assertEqual(error_of(response), (400, 'invalid_client_key'))
        self.assertEqual(self.lines(), before)
        response = self.post('scan', {'document': document,
                'code': 'M-STEEL', 'client_key': 'k' * 64})
        self.assertEqual(response.status_code, 200)

    def test_numbers_strict(self):
        "Finding 6: huge, NaN, infinite, boolean, text, too many decimals"
        document = self.new_shipment()
        before = self.lines()
        body = '{"document": "%s", "code": "M-STEEL", "quantity": %s}'
        for quantity, code in [('1e308', 'invalid_quantity'),
                ('1e400', 'invalid_quantity'), ('-1', 'invalid_quantity'),
                ('0', 'invalid_quantity'), ('true', 'invalid_field'),
                ('"3"', 'invalid_field'), ('[3]', 'invalid_field'),
                ('NaN', 'bad_json'), ('Infinity', 'bad_json'),
                ('-Infinity', 'bad_json'), ('2.5', 'quantity_decimals')]:
            with self.subTest(quantity=quantity):
                response = self.post('scan', None,
                    raw=body % (document, quantity))
                self.assertEqual(error_of(response), (400, code))
        self.assertEqual(self.lines(), before)

    def test_no_html_error(self):
        "Finding 6: every error of our prefix is JSON in one shape"
        base = '/%s/factory_scan/' % self.db_name
        auth = {'Authorization': 'bearer %s' % self.keys['clerk']}
        client = self.client()
        # A JSON body that is no JSON-RPC call ("Unable to get RPC method")
        for raw in ['[]', '"x"', '{"method": 1}', '{', '\x00', '[' * 5000]:
            response = client.post(base + 'scan', data=raw, headers=auth,
                content_type='application/json')
            self.assertEqual(response.status_code // 100, 4, raw)
            error_of(response)
        self.assertEqual(error_of(client.get(base + 'nowhere')),
            (404, 'not_found'))
        self.assertEqual(error_of(client.get(base + 'scan', headers=auth)),
            (405, 'method_not_allowed'))
        self.assertEqual(error_of(client.post(base + 'scan', headers=auth,
                    data='{"code": "%s"}' % ('x' * 20000),
                    content_type='application/json')),
            (413, 'request_too_large'))
        self.assertEqual(error_of(client.get(base + 'ping', headers=dict(auth,
                        Origin='https://evil.example')))[0], 403)
        self.assertEqual(error_of(client.get(
                    '/no_such_database/factory_scan/ping', headers=auth)),
            (404, 'not_found'))
        response = client.get(base + 'ping', headers=auth)
        self.assertEqual(response.headers['X-Frame-Options'], 'DENY')
        self.assertIn("frame-ancestors 'none'",
            response.headers['Content-Security-Policy'])

    def test_failed_keys_rate_limited(self):
        "Wrong keys from one address and prefix get 429, others go on"
        ping = '/%s/factory_scan/ping' % self.db_name
        client = self.client()
        statuses = [client.get(ping, headers={
                    'Authorization': 'bearer badbadbad%s' % i}).status_code
            for i in range(12)]
        self.assertEqual(statuses[:9], [401] * 9)
        self.assertEqual(statuses[-1], 429)
        response = client.get(ping,
            headers={'Authorization': 'bearer badbadbad-last'})
        self.assertEqual(error_of(response), (429, 'too_many_requests'))
        self.assertTrue(response.headers['Retry-After'].isdigit())
        # The good key of a device behind the same address still works
        response = client.get(ping, headers={
                'Authorization': 'bearer %s' % self.keys['clerk']})
        self.assertEqual(response.status_code, 200)

    def test_language_rule(self):
        "The language parameter, else Accept-Language, else the user's"
        document = self.new_shipment()
        scan = {'document': document, 'code': 'M-STEEL', 'quantity': -1}
        load_zh_cn('factory_stock_ext')
        english = self.post('scan', scan).json['error']['message']
        chinese = self.post('scan', scan,
            headers={'Accept-Language': 'zh-CN,zh;q=0.9'}
            ).json['error']['message']
        self.assertNotEqual(english, chinese)
        self.assertEqual(self.post('scan', scan,
                headers={'Accept-Language': 'zh-CN'}, query='?language=en'
                ).json['error']['message'], english)
        with Transaction().start(DB_NAME, 1) as transaction:
            pool = Pool()
            User, Lang = pool.get('res.user'), pool.get('ir.lang')
            zh, = Lang.search([('code', '=', 'zh_CN')])
            User.write([User(self.users['clerk'])], {'language': zh.id})
            transaction.commit()
        try:
            self.assertEqual(self.post('scan', scan).json['error']['message'],
                chinese)
        finally:
            with Transaction().start(DB_NAME, 1) as transaction:
                User = Pool().get('res.user')
                User.write([User(self.users['clerk'])], {'language': None})
                transaction.commit()

    def test_rpc_create_same_rules(self):
        "ScanLine.create (JSON-RPC, the form) checks what the route checks"
        from trytond.exceptions import UserError
        document = self.new_shipment()
        response = self.post('scan', {'document': document,
                'code': 'M-STEEL', 'quantity': 1, 'client_key': 'rpc-1'})
        session = response.json['session']
        other = self.new_shipment()
        self.post('scan', {'document': other, 'code': 'M-STEEL',
                'quantity': 1, 'client_key': 'rpc-other'})
        with Transaction().start(DB_NAME, self.users['clerk'], context={
                    'company': self.f.company.id, '_check_access': True}):
            Line = Pool().get('stock.scan.line')
            for values, code in [
                    ({'quantity': 1e308}, 'invalid_quantity'),
                    ({'quantity': float('nan')}, 'invalid_quantity'),
                    ({'quantity': True}, 'invalid_quantity'),
                    ({'quantity': 2.5}, 'quantity_decimals'),
                    ({'client_key': 'x' * 65}, 'invalid_client_key'),
                    ({'client_key': 'rpc-other'}, 'client_key_conflict'),
                    ({'code': 'M\x00'}, 'invalid_field'),
                    ]:
                with self.subTest(values=values), \
                        self.assertRaises(UserError) as cm:
                    Line.create([dict({'session': session,
                                    'code': 'M-STEEL', 'quantity': 1},
                                **values)])
                self.assertEqual(cm.exception.code, code)
            # Whatever the client claims, the checker decides the result
            line, = Line.create([{'session': session, 'code': 'NOPE',
                        'quantity': 1, 'result': 'accepted',
                        'message': 'forged', 'client_key': 'rpc-2'}])
            self.assertEqual((line.result, line.move), ('unknown_code', None))
            self.assertNotEqual(line.message, 'forged')
            # A replay in its scope is the line first logged
            again, = Line.create([{'session': session, 'code': 'M-STEEL',
                        'quantity': 1, 'client_key': 'rpc-1'}])
            self.assertEqual(again.id, response.json['line'])
