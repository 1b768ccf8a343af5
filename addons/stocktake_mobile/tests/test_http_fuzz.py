"""Fuzz both HTTP APIs (factory_scan and stocktake) through the HTTP API
layer (issue 17): random methods, paths under our prefixes, headers, keys
and bodies.  Every answer is 2xx or 4xx, an error is always the documented
JSON shape, and a 4xx writes nothing.

Derandomized so that a CI run is repeatable; FUZZ_EXAMPLES=2000 runs more
(bench or local), the default keeps the suite fast."""
import json
import os
import string
from types import SimpleNamespace
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction

from trytond.modules.factory_stock_ext.tests.tools_qc_scan import (
    shipment_in)

from .tools import create_task, setup_stock

EXAMPLES = int(os.environ.get('FUZZ_EXAMPLES', 60))
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
    database=None, suppress_health_check=list(HealthCheck))
HEADER_CHARACTERS = string.printable.translate(
    {ord(c): None for c in '\r\n\x0b\x0c'})
# Tables a request may write: a refused one must leave them as they were
TABLES = ['stock.scan.line', 'stock.scan.session', 'stock.lot',
    'stocktake.count', 'stocktake.task.line', 'stocktake.task',
    'stock.move']

json_scalar = st.one_of(st.none(), st.booleans(),
    st.integers(min_value=-2 ** 70, max_value=2 ** 70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=80),
    st.sampled_from(['', ' ', 'B1', 'B2', 'X1', 'IN', 'P001', 'P002',
            'P003', 'LOT-7', 'NOPE', '\x00', '\ud800', 'k' * 65,
            '4006381333931', '=cmd|calc!A0', 'stock.shipment.in,1',
            'production,1', 'res.user,1', 'stock.shipment.in,x',
            'stock.shipment.in,99999999999']))
json_value = st.recursive(json_scalar, lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=10), children, max_size=4)),
    max_leaves=10)
FIELDS = ['document', 'session', 'code', 'quantity', 'location', 'lot',
    'client_key', 'device', 'kind', 'line', 'reason', 'override_reason',
    'counted_at']
# Numbers as raw JSON text, which json.dumps cannot write
RAW_NUMBERS = ['NaN', 'Infinity', '-Infinity', '1e308', '1e400', '-0',
    '1' * 5000, '2.5', '0.0001', '9007199254740993', 'true']


class FuzzHTTPAPITestCase(RouteTestCase):
    "Both JSON APIs under random requests"
    module = 'stocktake_mobile'

    @classmethod
    def setUpDatabase(cls):
        pool = Pool()
        Application = pool.get('res.user.application')
        Party = pool.get('party.party')
        Location = pool.get('stock.location')
        Uom = pool.get('product.uom')
        Company = pool.get('company.company')
        Product = pool.get('product.product')
        data = setup_stock()
        cls.data = data
        cls.task = create_task(data)
        application, = Application.create([{
                    'user': data['users']['alice'],
                    'application': 'factory_scan', 'state': 'validated'}])
        cls.scan_key = application.key
        with Transaction().set_context(company=data['company']):
            warehouse = Location(data['warehouse'])
            supplier, = Party.create([{'name': 'Supplier'}])
            f = SimpleNamespace(supplier=supplier, warehouse=warehouse,
                company=Company(data['company']),
                input=warehouse.input_location,
                storage=warehouse.storage_location,
                unit=Uom.search([('name', '=', 'Unit')])[0],
                supplier_location=Location.search(
                    [('code', '=', 'SUP')])[0])
            products = Product.browse(data['products'])
            cls.document = str(shipment_in(f, [(products[0], 50, None),
                        (products[1], 3, None)]))

    def setUp(self):
        super().setUp()
        from trytond.modules.factory_stock_ext.http_api import failed_keys
        failed_keys.clear()

    @classmethod
    def rows(cls):
        with Transaction().start(DB_NAME, 0, readonly=True):
            pool = Pool()
            return {name: pool.get(name).search([], count=True)
                for name in TABLES}

    def paths(self):
        task = self.task
        scan = ['ping', 'scan', 'complete', 'approve']
        count = ['api/me', 'api/tasks', f'api/tasks/{task}',
            f'api/tasks/{task}/counts', f'api/tasks/{task}/finish',
            'api/tasks/0/counts', 'api/tasks/99999999999/counts', '',
            'static/stocktake.js', 'static/x', 'api', 'api/']
        return ([('factory_scan', p) for p in scan]
            + [('stocktake', p) for p in count])

    @FUZZ
    @given(data=st.data())
    def test_random_requests(self, data):
        draw = data.draw
        prefix, path = draw(st.sampled_from(self.paths()))
        if draw(st.integers(0, 9)) == 0:
            path = draw(st.text(string.printable, max_size=30))
        elif draw(st.integers(0, 9)) == 0:
            path += '/' + draw(st.text(max_size=8))
        url = '/%s/%s/%s' % (DB_NAME, prefix, quote(path, safe='/'))
        if draw(st.booleans()):
            url += '?language=' + quote(draw(st.sampled_from(
                        ['en', 'zh_CN', 'xx', '', '\u4e2d'])))
        method = draw(st.sampled_from(['GET', 'POST', 'POST', 'POST', 'PUT',
                    'DELETE', 'PATCH', 'HEAD', 'OPTIONS']))
        headers = {}
        authorization = draw(st.sampled_from(['scan', 'count', 'none',
                    'random', 'basic', 'session']))
        if authorization == 'scan':
            headers['Authorization'] = 'bearer ' + self.scan_key
        elif authorization == 'count':
            headers['Authorization'] = (
                'bearer ' + self.data['keys']['alice'])
        elif authorization == 'random':
            # No line break: HTTP cannot carry one in a header
            headers['Authorization'] = draw(st.text(
                    HEADER_CHARACTERS, max_size=300)).strip()
        elif authorization == 'basic':
            headers['Authorization'] = 'Basic YWxpY2U6eA=='
        elif authorization == 'session':
            headers['Authorization'] = 'Session ' + draw(
                st.sampled_from(['', 'xx', 'YWxpY2U6MTp0b2tlbg==']))
        content_type = draw(st.sampled_from(['application/json',
                    'application/json', 'text/xml', 'text/plain', None,
                    'application/json; charset=latin-1']))
        for name, values in [
                ('Accept-Language', ['zh-CN', 'zh', 'en;q=0.1', '*', ',,;',
                        'xx-YY']),
                ('Origin', ['https://evil.example', 'null']),
                ('Content-Encoding', ['gzip']),
                ('Accept', ['text/html', 'application/json'])]:
            if draw(st.integers(0, 5)) == 0:
                headers[name] = draw(st.sampled_from(values))
        body = self.body(draw)
        kwargs = {'headers': headers}
        if content_type:
            kwargs['content_type'] = content_type
        if body is not None and method not in {'GET', 'HEAD'}:
            kwargs['data'] = body
        before = self.rows()
        response = self.client().open(url, method=method, **kwargs)
        status = response.status_code
        self.assertIn(status // 100, {2, 4},
            (method, url, headers, body, response.data[:300]))
        if status >= 400:
            self.assertEqual(response.mimetype, 'application/json',
                (method, url, response.data[:300]))
            if method != 'HEAD':
                answer = json.loads(response.data)
                self.assertEqual(set(answer), {'error'}, answer)
                self.assertEqual(set(answer['error']), {'code', 'message'})
                self.assertIsInstance(answer['error']['code'], str)
                self.assertIsInstance(answer['error']['message'], str)
                self.assertNotIn('<html', response.data.decode().lower())
            self.assertEqual(self.rows(), before,
                (method, url, body, response.data[:300]))
        self.assertEqual(response.headers.get('X-Frame-Options'), 'DENY')

    def body(self, draw):
        kind = draw(st.sampled_from(['fields', 'fields', 'fields', 'raw',
                    'json', 'none', 'bytes']))
        if kind == 'none':
            return None
        if kind == 'bytes':
            return draw(st.binary(max_size=200))
        if kind == 'json':
            return json.dumps(draw(json_value))
        values = {}
        for name in draw(st.lists(st.sampled_from(FIELDS), max_size=8,
                    unique=True)):
            values[name] = draw(st.one_of(json_value, st.sampled_from(
                        self.valid(name))))
        text = json.dumps(values)
        if kind == 'raw' and values:
            name = draw(st.sampled_from(sorted(values)))
            text = text.replace(json.dumps(name) + ': ' + json.dumps(
                    values[name]), json.dumps(name) + ': ' + draw(
                    st.sampled_from(RAW_NUMBERS)), 1)
            if draw(st.booleans()):
                text = '[' * 3000 + text
        return text

    def valid(self, name):
        "Values that get past the type checks, to reach the models"
        return {
            'document': [self.document],
            'code': ['P001', 'P002', 'LOT-7', '4006381333931', 'NOPE'],
            'quantity': [1, 2, 0.5, 3],
            'location': ['B1', 'B2', 'X1', 'IN'],
            'lot': ['LOT-7', 'L-NEW'],
            'client_key': ['fuzz-1', 'fuzz-2', 'fuzz-3'],
            'device': ['HH-1'],
            'kind': ['receipt', 'putaway'],
            'counted_at': [1767225600000],
            }.get(name, [1])
