# This file is part of the factory addons.
"Outbox: classification, opt-in, states, dead letters, retry, access"
import datetime as dt
import json

from sql.aggregate import Count

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from .tools import (
    commit, do_moves, locations, make_endpoint, make_products, map_warehouse,
    new_company, second_warehouse, set_company, start_fake)


class OutboxTestCase(DBTestCase):
    module = 'erp_sync'

    def setUp(self):
        super().setUp()
        self.fake = start_fake(self)

    def outbox(self, endpoint, **domain):
        Outbox = Pool().get('erp.sync.outbox')
        return Outbox.search([('endpoint', '=', endpoint.id)]
            + [(k, '=', v) for k, v in domain.items()], order=[('id', 'ASC')])

    def count_rows(self):
        "All outbox rows, whatever the record rules"
        table = Pool().get('erp.sync.outbox').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(Count(table.id)))
        return cursor.fetchone()[0]

    @with_transaction()
    def test_no_endpoint_no_outbox(self):
        "Without an endpoint, done moves write nothing (opt-in)"
        company = new_company()
        with set_company(company):
            loc = locations()
            product, = make_products(1)
            before = self.count_rows()
            do_moves(company, [(product, loc['supplier'], loc['input'], 5)])
            self.assertEqual(self.count_rows(), before)

    @with_transaction()
    def test_classification(self):
        "Each location pair gives its kind; moves inside a warehouse none"
        company = new_company()
        with set_company(company):
            loc = locations()
            other = second_warehouse('WH2-%d' % company.id)
            product, = make_products(1, fake=self.fake)
            endpoint = make_endpoint(self.fake, company)
            map_warehouse(endpoint, loc['warehouse'])
            do_moves(company, [
                    (product, loc['supplier'], loc['input'], 10),
                    (product, loc['input'], loc['storage'], 10),
                    (product, loc['storage'], loc['production'], 1),
                    (product, loc['output'], loc['customer'], 1),
                    (product, loc['lost_found'], loc['storage'], 2),
                    (product, loc['storage'], loc['lost_found'], 1),
                    (product, loc['storage'], other.storage_location, 3),
                    ])
            records = self.outbox(endpoint)
            self.assertEqual([r.kind for r in records], [
                    'receipt', 'issue', 'delivery', 'count_gain',
                    'count_loss', 'transfer'])
            transfer = json.loads(records[-1].payload)['lines'][0]
            self.assertEqual(transfer['warehouse_code'], 'WH01')
            # No mapping for the second warehouse: its own code
            self.assertEqual(transfer['to_warehouse_code'], other.code)
            receipt = json.loads(records[0].payload)
            self.assertEqual(receipt['lines'][0]['product_code'], product.code)
            self.assertEqual(receipt['lines'][0]['location_code'], 'IN')
            self.assertEqual(receipt['key'], records[0].key)
            self.assertEqual(receipt['key'],
                endpoint.key_prefix + str(records[0].move.id))

    @with_transaction()
    def test_kinds_and_warehouses_filter(self):
        "Only the selected kinds and warehouses are written"
        pool = Pool()
        Mapping = pool.get('erp.sync.mapping')
        company = new_company()
        with set_company(company):
            loc = locations()
            other = second_warehouse('WH3-%d' % company.id)
            product, = make_products(1)
            endpoint = make_endpoint(
                self.fake, company, kinds=['issue'],
                warehouses=[('add', [other.id])])
            Mapping.create([{
                        'endpoint': endpoint.id, 'type': 'product',
                        'product': product.id, 'remote_code': 'MAT-X'}])
            do_moves(company, [
                    (product, loc['supplier'], loc['input'], 10),
                    (product, loc['storage'], loc['production'], 1),
                    (product, other.storage_location, loc['production'], 1),
                    ])
            record, = self.outbox(endpoint)
            line = json.loads(record.payload)['lines'][0]
            self.assertEqual(record.kind, 'issue')
            self.assertEqual(line['product_code'], 'MAT-X')
            self.assertEqual(line['warehouse_code'], other.code)

    @with_transaction()
    def test_business_error_dead_letter_and_retry(self):
        "A refusal is a dead letter at once; retry posts it once fixed"
        Outbox = Pool().get('erp.sync.outbox')
        company = new_company()
        with set_company(company):
            loc = locations()
            product, = make_products(1)  # unknown to the ERP
            endpoint = make_endpoint(self.fake, company)
            map_warehouse(endpoint, loc['warehouse'])
            do_moves(company, [(product, loc['supplier'], loc['input'], 3)])
            commit()
            Outbox.process(endpoints=[endpoint])
            record, = self.outbox(endpoint)
            self.assertEqual(record.state, 'failed')
            self.assertEqual(record.attempts, 1)
            self.assertIn(product.code, record.last_error)
            self.assertEqual(self.fake.applied_total, 0)

            self.fake.materials.add(product.code, product.name)
            Outbox.retry([record])
            self.assertEqual(record.state, 'pending')
            commit()
            Outbox.process(endpoints=[endpoint])
            record, = self.outbox(endpoint)
            self.assertEqual(record.state, 'confirmed')
            self.assertEqual(self.fake.applied_counts[record.key], 1)
            Outbox.retry([record])  # only failed records move back
            self.assertEqual(record.state, 'confirmed')

    @with_transaction()
    def test_transport_errors_backoff_then_dead_letter(self):
        "Transport errors: sent with backoff, failed after max attempts"
        Outbox = Pool().get('erp.sync.outbox')
        company = new_company()
        with set_company(company):
            loc = locations()
            product, = make_products(1, fake=self.fake)
            endpoint = make_endpoint(
                self.fake, company, call_attempts=1, max_attempts=2,
                retry_delay=3600)
            map_warehouse(endpoint, loc['warehouse'])
            do_moves(company, [(product, loc['supplier'], loc['input'], 3)])
            commit()
            self.fake.faults.push('server_error', times=100)
            start = dt.datetime.now().replace(microsecond=0)
            self.assertEqual(Outbox.process(endpoints=[endpoint]), 1)
            record, = self.outbox(endpoint)
            self.assertEqual(
                (record.state, record.attempts), ('sent', 1))
            self.assertEqual(record.error_code, 'server_error')
            self.assertGreaterEqual(
                record.next_attempt, start + dt.timedelta(seconds=3600))
            # Backing off: the next run leaves it alone
            self.assertEqual(Outbox.process(endpoints=[endpoint]), 0)

            Outbox.write([record], {'next_attempt': None})
            commit()
            Outbox.process(endpoints=[endpoint])
            record, = self.outbox(endpoint)
            self.assertEqual(
                (record.state, record.attempts), ('failed', 2))
            self.assertIn('2', record.last_error)
            self.assertEqual(self.fake.applied_total, 0)

    @with_transaction()
    def test_lost_answer_is_not_posted_twice(self):
        "Commit then fail: the next run finds the bill, no second posting"
        Outbox = Pool().get('erp.sync.outbox')
        company = new_company()
        with set_company(company):
            loc = locations()
            product, = make_products(1, fake=self.fake)
            endpoint = make_endpoint(self.fake, company, call_attempts=1)
            map_warehouse(endpoint, loc['warehouse'])
            do_moves(company, [(product, loc['supplier'], loc['input'], 3)])
            commit()
            self.fake.faults.push('commit_then_fail', match='Audit')
            Outbox.process(endpoints=[endpoint])
            record, = self.outbox(endpoint)
            self.assertEqual(record.state, 'confirmed')
            self.assertEqual(record.attempts, 2)
            self.assertTrue(record.already_existed)
            self.assertEqual(self.fake.applied_counts[record.key], 1)
            self.assertEqual(
                self.fake.documents_per_key('STK_InStock')[record.key], 1)

    @with_transaction()
    def test_rollback_writes_no_outbox(self):
        "The outbox row lives and dies with the move's transaction"
        company = new_company()
        with set_company(company):
            loc = locations()
            product, = make_products(1)
            before = self.count_rows()
            endpoint = make_endpoint(self.fake, company)
            do_moves(company, [(product, loc['supplier'], loc['input'], 1)])
            self.assertEqual(len(self.outbox(endpoint)), 1)
        Transaction().rollback()
        self.assertEqual(self.count_rows(), before)

    @with_transaction()
    def test_outbox_cannot_be_deleted(self):
        Outbox = Pool().get('erp.sync.outbox')
        company = new_company()
        with set_company(company):
            loc = locations()
            product, = make_products(1)
            endpoint = make_endpoint(self.fake, company)
            do_moves(company, [(product, loc['supplier'], loc['input'], 1)])
            records = self.outbox(endpoint)
            with self.assertRaises(UserError):
                Outbox.delete(records)
            with self.assertRaises(UserError):
                Outbox.copy(records)

    @with_transaction()
    def test_password_hidden_from_clerks(self):
        "Clerks cannot even read the mask; nobody reads the password back"
        pool = Pool()
        Endpoint = pool.get('erp.sync.endpoint')
        Group = pool.get('res.group')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        company = new_company()
        with set_company(company):
            endpoint = make_endpoint(self.fake, company)
        clerk_group = Group(ModelData.get_id(
                'factory_stock_ext', 'group_factory_clerk'))
        clerk, = User.create([{
                    'name': 'Clerk', 'login': 'clerk-%d' % company.id,
                    'groups': [('add', [clerk_group.id])],
                    'companies': [('add', [company.id])],
                    'company': company.id}])
        with Transaction().set_user(clerk.id), \
                Transaction().set_context(_check_access=True,
                    company=company.id, companies=[company.id]):
            names = {e['name'] for e in Endpoint.read(
                    [endpoint.id], ['name'])}
            self.assertEqual(names, {endpoint.name})
            with self.assertRaises(AccessError):
                Endpoint.read([endpoint.id], ['password'])
            with self.assertRaises(AccessError):
                Endpoint.write([Endpoint(endpoint.id)], {'name': 'x'})
        admin = User(1)
        with Transaction().set_user(admin.id), \
                Transaction().set_context(_check_access=True,
                    company=company.id, companies=[company.id]):
            value, = Endpoint.read([endpoint.id], ['password'])
            self.assertEqual(value['password'], '*' * 10)

    @with_transaction()
    def test_endpoint_needs_credentials(self):
        company = new_company()
        with set_company(company):
            with self.assertRaises(UserError):
                make_endpoint(self.fake, company, password=None)


del DBTestCase
