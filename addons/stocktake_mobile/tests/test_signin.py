"""Issue 18: a supervisor signs a handheld in with a one-time QR code
(stocktake.signin_token): who may make one, single use, expiry, the
user's state and company; the wizard's QR code and address"""
import datetime as dt
import json
import urllib.parse

from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.modules.factory_stock_ext.http_api import failed_keys
# The module, not its names: its test case would run here again
from trytond.modules.factory_stock_ext.tests import test_http_api
from trytond.tests.test_tryton import DB_NAME, RouteTestCase, with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from ..signin import LIFETIME, token_hash
from .tools import create_user


def setup_users():
    "A company with a clerk, a supervisor and an administrator"
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    company = create_company()
    users = {}
    with set_company(company):
        for login, groups in [('clerk', ['group_factory_clerk']),
                ('boss', ['group_factory_supervisor']),
                ('admin2', [])]:
            users[login], _ = create_user(login, groups, company)
    User.write([users['admin2']], {'groups': [('add', [
                        ModelData.get_id('res', 'group_admin')])]})
    return company, users


class SignInTokenTestCase(DBTestCase):
    module = 'stocktake_mobile'

    def client(self, user, company):
        "What a JSON-RPC call of `user` runs with"
        transaction = Transaction()
        return transaction.set_user(user.id), transaction.set_context(
            _check_access=True, company=company.id)

    @with_transaction()
    def test_only_supervisors_and_admins_issue(self):
        pool = Pool()
        Token = pool.get('stocktake.signin_token')
        company, users = setup_users()
        # A clerk may neither run the issue nor create by RPC
        as_user, context = self.client(users['clerk'], company)
        with as_user, context, self.assertRaises(AccessError):
            Token.issue(users['clerk'])
        with as_user, context, self.assertRaises(AccessError):
            Token.create([{'user': users['clerk'].id,
                        'company': company.id, 'token_hash': 'x' * 64,
                        'expires_at': dt.datetime.now()}])
        # …nor without the access check (the model checks the issuer)
        with Transaction().set_user(users['clerk'].id), \
                Transaction().set_context(company=company.id), \
                self.assertRaises(AccessError):
            Token.issue(users['clerk'])
        as_user, context = self.client(users['boss'], company)
        with as_user, context:
            record, token = Token.issue(users['clerk'])
            self.assertEqual(record.user, users['clerk'])
            self.assertEqual(record.company, company)
            # Only the hash is kept
            self.assertEqual(record.token_hash, token_hash(token))
            self.assertGreaterEqual(len(token), 40)
            # A supervisor may not sign in as an administrator…
            with self.assertRaises(AccessError):
                Token.issue(users['admin2'])
            # …nor make a code valid longer, or already used
            for values in [
                    {'expires_at': dt.datetime.now() + dt.timedelta(days=1)},
                    {'expires_at': dt.datetime.now(),
                        'used_at': dt.datetime.now()}]:
                with self.subTest(values=values), \
                        self.assertRaises(AccessError):
                    Token.create([{'user': users['clerk'].id,
                                'company': company.id,
                                'token_hash': 'y' * 64, **values}])
            # …nor change one
            with self.assertRaises(AccessError):
                Token.write([record], {'expires_at': dt.datetime.max})
        as_user, context = self.client(users['admin2'], company)
        with as_user, context:
            record, _ = Token.issue(users['admin2'])
        self.assertEqual(record.user, users['admin2'])

    @with_transaction()
    def test_inactive_user_refused(self):
        pool = Pool()
        Token = pool.get('stocktake.signin_token')
        User = pool.get('res.user')
        company, users = setup_users()
        as_user, context = self.client(users['boss'], company)
        with as_user, context:
            _, token = Token.issue(users['clerk'])
        User.write([users['clerk']], {'active': False})
        # At the exchange…
        self.assertEqual(Token.redeem(token), (None, 'token_invalid'))
        # …and at the issue
        with as_user, context, self.assertRaises(AccessError):
            Token.issue(User(users['clerk'].id))

    @with_transaction()
    def test_single_use(self):
        pool = Pool()
        Token = pool.get('stocktake.signin_token')
        company, users = setup_users()
        as_user, context = self.client(users['boss'], company)
        with as_user, context:
            _, token = Token.issue(users['clerk'])
        self.assertEqual(Token.redeem(token), (users['clerk'].id, None))
        self.assertEqual(Token.redeem(token), (None, 'token_used'))
        self.assertEqual(Token.redeem('unknown-token'),
            (None, 'token_invalid'))
        self.assertEqual(Token.redeem('bad token!'), (None, 'token_invalid'))
        self.assertEqual(Token.redeem(None), (None, 'token_invalid'))

    @with_transaction()
    def test_expiry(self):
        pool = Pool()
        Token = pool.get('stocktake.signin_token')
        company, users = setup_users()
        as_user, context = self.client(users['boss'], company)
        with as_user, context:
            record, token = Token.issue(users['clerk'])
        self.assertLessEqual(record.expires_at,
            dt.datetime.now() + LIFETIME)
        later = record.expires_at + dt.timedelta(seconds=1)
        self.assertEqual(Token.redeem(token, now=later),
            (None, 'token_expired'))
        # Still good before it expires (and then used up)
        self.assertEqual(Token.redeem(token), (users['clerk'].id, None))

    @with_transaction()
    def test_other_company_refused(self):
        pool = Pool()
        Token = pool.get('stocktake.signin_token')
        User = pool.get('res.user')
        company, users = setup_users()
        other = create_company(name="Other Co", currency=company.currency)
        as_user, context = self.client(users['boss'], company)
        with as_user, context:
            _, token = Token.issue(users['clerk'])
        User.write([users['clerk']], {
                'companies': [('add', [other.id])], 'company': other.id})
        self.assertEqual(Token.redeem(token), (None, 'token_invalid'))

    @with_transaction()
    def test_wizard_shows_qr_code(self):
        pool = Pool()
        Wizard = pool.get('stocktake.signin_token.wizard', type='wizard')
        Token = pool.get('stocktake.signin_token')
        company, users = setup_users()
        as_user, context = self.client(users['boss'], company)
        with as_user, context:
            session_id, _, _ = Wizard.create()
            wizard = Wizard(session_id)
            wizard.start.user = users['clerk']
            values = wizard.default_show(None)
        self.assertTrue(values['qr_code'].startswith(b'\x89PNG'))
        url = urllib.parse.urlsplit(values['url'])
        self.assertTrue(url.path.endswith('/stocktake/'))
        token, = urllib.parse.parse_qs(url.query)['token']
        record, = Token.search([('token_hash', '=', token_hash(token))])
        self.assertEqual((record.user, record.used_at),
            (users['clerk'], None))


class SignInTokenRouteTestCase(RouteTestCase):
    "POST stocktake/api/signin/token: the page's exchange of a QR code"
    module = 'stocktake_mobile'

    @classmethod
    def setUpDatabase(cls):
        company, users = setup_users()
        cls.company = company.id
        cls.users = {k: u.id for k, u in users.items()}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        test_http_api.load_zh_cn('factory_stock_ext')

    def setUp(self):
        super().setUp()
        failed_keys.clear()

    def issue(self, login='clerk', expired=False):
        with Transaction().start(DB_NAME, self.users['boss'], context={
                    'company': self.company}) as transaction:
            pool = Pool()
            Token, User = pool.get('stocktake.signin_token'), pool.get(
                'res.user')
            record, token = Token.issue(User(self.users[login]))
            if expired:
                with transaction.set_user(0):
                    Token.write([record], {'expires_at': dt.datetime.now()
                            - dt.timedelta(seconds=1)})
            transaction.commit()
        return token

    def exchange(self, token, language=None):
        query = f'?language={language}' if language else ''
        return self.client().post(
            f'/{self.db_name}/stocktake/api/signin/token{query}',
            data=json.dumps({'token': token, 'device': 'Phone Q'}),
            content_type='application/json')

    def test_token_gives_a_device_key_once(self):
        "A good token gives a device key like the password, once"
        token = self.issue()
        response = self.exchange(token)
        self.assertEqual(response.status_code, 200)
        body = json.loads(response.data)
        self.assertEqual(body['user']['id'], self.users['clerk'])
        me = self.client().get(f'/{self.db_name}/stocktake/api/me',
            headers={'Authorization': f"bearer {body['key']}"})
        self.assertEqual((me.status_code, json.loads(me.data)['id']),
            (200, self.users['clerk']))
        with Transaction().start(DB_NAME, 0):
            pool = Pool()
            Application = pool.get('res.user.application')
            Token = pool.get('stocktake.signin_token')
            device, = Application.search([('key', '=', body['key'])])
            self.assertEqual((device.device, device.state,
                    device.application, device.user.id),
                ('Phone Q', 'validated', 'stocktake_mobile',
                    self.users['clerk']))
            record, = Token.search([('device', '=', device.id)])
            self.assertTrue(record.used_at)
        # A second phone scanning the same code gets nothing
        self.assertEqual(test_http_api.error_of(self.exchange(token)),
            (401, 'token_used'))

    def devices(self):
        with Transaction().start(DB_NAME, 0):
            return Pool().get('res.user.application').search([], count=True)

    def test_refused_tokens(self):
        "Refused in the error shape, translated, and nothing issued"
        before = self.devices()
        expired = self.issue(expired=True)
        self.assertEqual(test_http_api.error_of(self.exchange(expired)),
            (401, 'token_expired'))
        self.assertEqual(test_http_api.error_of(self.exchange('no-such-token')),
            (401, 'token_invalid'))
        response = self.exchange('no-such-token', language='zh_CN')
        self.assertEqual(test_http_api.error_of(response), (401, 'token_invalid'))
        self.assertEqual(json.loads(response.data)['error']['message'],
            "此登录码无效，请向主管索取新的登录码。")
        for body in [{'device': 'x'}, {'token': 12}, {'token': ''}]:
            with self.subTest(body=body):
                response = self.client().post(
                    f'/{self.db_name}/stocktake/api/signin/token',
                    data=json.dumps(body), content_type='application/json')
                self.assertEqual(test_http_api.error_of(response),
                    (400, 'invalid_field'))
        self.assertEqual(self.devices(), before)

    def test_rate_limited(self):
        "Failures count as wrong keys: then even a good token waits"
        token = self.issue()
        for i in range(failed_keys.per_key):
            self.exchange(f'{token[:8]}wrong{i}')
        response = self.exchange(token)
        self.assertEqual(test_http_api.error_of(response), (429, 'too_many_requests'))
        self.assertTrue(response.headers['Retry-After'])
        failed_keys.clear()
        self.assertEqual(self.exchange(token).status_code, 200)
