# This file is part of the factory addons.
"""Test Connection, auth errors stopping an endpoint, the SAP key length,
stock types in the comparison (issue 21 §2, §3, §5)."""
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from .tools import (
    commit, do_moves, locations, make_endpoint, make_products, map_warehouse,
    new_company, second_warehouse, set_company, start_fake)


class CheckTestCase(DBTestCase):
    module = 'erp_sync'

    @with_transaction()
    def test_check_connection_lists_findings_in_words(self):
        fake = start_fake(self, denied_forms=('PRD_PickMtrl',))
        company = new_company()
        with set_company(company):
            loc = locations()
            nameless = second_warehouse('WHX-%d' % company.id)
            nameless.code = None
            nameless.save()
            endpoint = make_endpoint(fake, company,
                warehouses=[('add', [loc['warehouse'].id, nameless.id])])
            map_warehouse(endpoint, loc['warehouse'])
            endpoint.check_connection([endpoint])
            status = endpoint.status
            self.assertIn('✔ Logged in as', status)
            self.assertIn('✔ STK_InStock can be read.', status)
            self.assertIn('✘ No access to PRD_PickMtrl (used for issue)',
                status)
            self.assertIn('would be posted as Save STK_InStock', status)
            self.assertIn(
                '✘ Warehouse %s has no code for the ERP' % nameless.rec_name,
                status)
            self.assertIn('2 problem(s) found', status)
            self.assertTrue(endpoint.attention)
            self.assertNotIn(fake.password, status)
            self.assertEqual(sum(fake.request_counts[op]
                    for op in ['Save', 'Submit', 'Audit']), 0)

    @with_transaction()
    def test_refused_credentials_stop_the_endpoint_not_the_records(self):
        "MsgCode 1 after a fresh login: stop, flag, no dead letter"
        Outbox = Pool().get('erp.sync.outbox')
        fake = start_fake(self)
        company = new_company()
        with set_company(company):
            loc = locations()
            products = make_products(3, fake=fake)
            endpoint = make_endpoint(fake, company)
            map_warehouse(endpoint, loc['warehouse'])
            do_moves(company, [(p, loc['supplier'], loc['input'], 2)
                    for p in products])
            commit()
            fake.revoked = True
            self.assertEqual(Outbox.process(endpoints=[endpoint]), 1)
            records = Outbox.search([('endpoint', '=', endpoint.id)],
                order=[('id', 'ASC')])
            first = records[0]
            self.assertEqual((first.state, first.attempts), ('pending', 0))
            self.assertIn('refused our credentials or rights',
                first.last_error)
            self.assertEqual([r.attempts for r in records[1:]], [0, 0])
            self.assertEqual(fake.logins, 2)          # one re-login, then stop
            endpoint = type(endpoint)(endpoint.id)
            self.assertTrue(endpoint.attention)
            self.assertIn('refused', endpoint.status)
            # Fixed: the next run posts everything, once
            fake.revoked = False
            Outbox.write(records, {'next_attempt': None})
            commit()
            Outbox.process(endpoints=[endpoint])
            self.assertEqual({r.state for r in Outbox.browse(records)},
                {'confirmed'})

    @with_transaction()
    def test_sap_key_prefix_fits_25_characters(self):
        fake = start_fake(self)
        company = new_company()
        with set_company(company):
            endpoint = make_endpoint(fake, company, system='sap')
            self.assertLessEqual(len(endpoint.key_prefix) + 10, 25)
            with self.assertRaises(UserError) as cm:
                make_endpoint(fake, company, system='sap',
                    key_prefix='TRYTON-FACTORYDB-MOVE-')
            self.assertIn('25', cm.exception.message)
            with self.assertRaises(UserError):
                make_endpoint(fake, company, options='[1, 2]')

    @with_transaction()
    def test_comparison_keeps_stock_types_apart(self):
        pool = Pool()
        Snapshot = pool.get('erp.sync.stock.snapshot')
        Comparison = pool.get('erp.sync.stock.comparison')
        from connectors.model import StockRow
        fake = start_fake(self)
        company = new_company()
        with set_company(company):
            loc = locations()
            product, = make_products(1)
            endpoint = make_endpoint(fake, company,
                warehouses=[('add', [loc['warehouse'].id])])
            map_warehouse(endpoint, loc['warehouse'])
            do_moves(company, [
                    (product, loc['supplier'], loc['storage'], 10)])
            rows = [StockRow(product.code, 'WH01', '', Decimal(q), '', t)
                for q, t in [(6, 'free'), (3, 'qc'), (1, 'blocked')]]
            Snapshot._replace(endpoint, iter(rows))
            with Transaction().set_context(company=company.id):
                Comparison.compare([endpoint])
            row, = Comparison.search([('endpoint', '=', endpoint.id)])
            self.assertEqual(
                (row.ours, row.theirs, row.theirs_free, row.theirs_qc,
                    row.theirs_blocked, row.difference),
                (10.0, 10.0, 6.0, 3.0, 1.0, 0.0))


del DBTestCase
