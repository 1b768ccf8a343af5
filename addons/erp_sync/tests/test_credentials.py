# This file is part of the factory addons.
"""Credentials encrypted at rest, write-only, never in a stored or logged text
(issue 21 §4, issue 17 item 11)."""
import io
import logging
import socket

from trytond import config
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from .tools import (
    TEST_KEY, commit, do_moves, ensure_secret_key, locations, make_endpoint,
    make_products, map_warehouse, new_company, set_company, start_fake)

SECRET = 'Pw-Endpoint-66120'
APP_SECRET = 'AppSecret-U8-40917'


def closed_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def raw(endpoint, column):
    "The column as stored, past the ORM"
    table = Pool().get('erp.sync.endpoint').__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(getattr(table, column),
            where=table.id == endpoint.id))
    return cursor.fetchone()[0]


class CredentialsTestCase(DBTestCase):
    module = 'erp_sync'

    def setUp(self):
        super().setUp()
        self.fake = start_fake(self)
        self.addCleanup(ensure_secret_key)

    @with_transaction()
    def test_encrypted_at_rest_and_write_only(self):
        Endpoint = Pool().get('erp.sync.endpoint')
        company = new_company()
        with set_company(company):
            endpoint = make_endpoint(self.fake, company, password=SECRET)
        stored = raw(endpoint, 'password_encrypted')
        self.assertTrue(stored)
        self.assertNotIn(SECRET, stored)
        from connectors.credentials import SecretBox
        self.assertEqual(SecretBox(TEST_KEY).decrypt(stored), SECRET)
        # Read back: only a mask; writing the mask back changes nothing
        value, = Endpoint.read([endpoint.id], ['password'])
        self.assertEqual(value['password'], '*' * 10)
        Endpoint.write([endpoint], {'password': '*' * 10, 'name': 'x'})
        self.assertEqual(raw(endpoint, 'password_encrypted'), stored)
        self.assertEqual(endpoint.plain_credentials(), (SECRET, None))
        # A new value is encrypted again, with a fresh token
        Endpoint.write([endpoint], {'password': 'Other-Pw-2'})
        self.assertNotEqual(raw(endpoint, 'password_encrypted'), stored)
        self.assertEqual(endpoint.plain_credentials()[0], 'Other-Pw-2')

    @with_transaction()
    def test_ciphertext_unreadable_over_rpc(self):
        pool = Pool()
        Endpoint = pool.get('erp.sync.endpoint')
        User = pool.get('res.user')
        company = new_company()
        with set_company(company):
            endpoint = make_endpoint(self.fake, company)
        admin = User(1)
        with Transaction().set_user(admin.id), \
                Transaction().set_context(_check_access=True,
                    company=company.id, companies=[company.id]):
            for name in ['password_encrypted', 'app_secret_encrypted']:
                with self.assertRaises(AccessError):
                    Endpoint.read([endpoint.id], [name])
                with self.assertRaises(AccessError):
                    Endpoint.write([Endpoint(endpoint.id)], {name: 'x'})

    @with_transaction()
    def test_missing_key_is_a_clear_error(self):
        company = new_company()
        config.set('erp_sync', 'secret_key', '')
        with set_company(company):
            with self.assertRaises(UserError) as cm:
                make_endpoint(self.fake, company)
        self.assertIn('secret_key', cm.exception.message)
        self.assertIn('[erp_sync]', cm.exception.message)
        config.set('erp_sync', 'secret_key', 'not-a-key')
        with set_company(company):
            with self.assertRaises(UserError) as cm:
                make_endpoint(self.fake, company)
        self.assertIn('Fernet', cm.exception.message)

    @with_transaction()
    def test_no_secret_in_outbox_status_or_logs_unreachable_host(self):
        "Post through each client to a closed port, then search every text"
        Outbox = Pool().get('erp.sync.outbox')
        log = io.StringIO()
        handler = logging.StreamHandler(log)
        root = logging.getLogger()
        root.addHandler(handler)
        self.addCleanup(root.removeHandler, handler)
        self.addCleanup(root.setLevel, root.level)
        root.setLevel(logging.DEBUG)
        url = 'http://127.0.0.1:%d/' % closed_port()
        systems = {
            'kingdee': {'base_url': url + 'k3cloud/', 'password': SECRET},
            'yonyou': {'base_url': url, 'app_id': 'appkey1',
                'app_secret': APP_SECRET, 'password': None,
                'options': '{"vouchers": {"delivery": "otherout"}}'},
            'sap': {'base_url': url + 'sap/opu/odata/sap/',
                'password': SECRET, 'key_prefix': 'T-'},
            }
        texts = []
        for system, values in systems.items():
            company = new_company()
            with set_company(company):
                loc = locations()
                product, = make_products(1, fake=self.fake)
                endpoint = make_endpoint(self.fake, company, system=system,
                    call_attempts=1, timeout=0.5, **values)
                map_warehouse(endpoint, loc['warehouse'])
                do_moves(company, [
                        (product, loc['supplier'], loc['input'], 2)])
                commit()
                Outbox.process(endpoints=[endpoint])
                endpoint.check_connection([endpoint])
                record, = Outbox.search([('endpoint', '=', endpoint.id)])
                self.assertEqual(record.error_code, 'transport_error',
                    record.last_error)
                self.assertIn('cannot reach', record.last_error)
                texts += [record.last_error, endpoint.status]
        texts.append(log.getvalue())
        for text in texts:
            for secret in [SECRET, APP_SECRET]:
                self.assertNotIn(secret, text)

    @with_transaction()
    def test_stored_error_redacts_a_secret_echoed_by_the_remote(self):
        "A remote that quotes our credentials back never gets them stored"
        Outbox = Pool().get('erp.sync.outbox')
        company = new_company()
        self.fake.password = SECRET + '-wrong'       # refuses our login
        with set_company(company):
            loc = locations()
            product, = make_products(1, fake=self.fake)
            endpoint = make_endpoint(self.fake, company, password=SECRET)
            map_warehouse(endpoint, loc['warehouse'])
            do_moves(company, [(product, loc['supplier'], loc['input'], 2)])
            commit()
            # The fake's refusal names the user; make it echo the password
            self.fake.username = SECRET
            Endpoint = Pool().get('erp.sync.endpoint')
            Endpoint.write([endpoint], {'username': SECRET})
            commit()
            Outbox.process(endpoints=[endpoint])
            record, = Outbox.search([('endpoint', '=', endpoint.id)])
            self.assertNotIn(SECRET, record.last_error)
            self.assertIn('***', record.last_error)


del DBTestCase
