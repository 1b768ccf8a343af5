"""A backdated opening import (issue 17, finding 8): refused with the lots,
bins and dates it would leave negative"""
import datetime as dt

from trytond.exceptions import UserError
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from .sheets import sheet
from .test_opening import counts, quantities, setup

ROW = {'product_code': 'BOLT', 'unit': 'u', 'warehouse': 'WH',
    'location': 'A-01', 'lot': 'B-1', 'unit_cost': 1}


class OpeningBackdatedTestCase(DBTestCase):
    module = 'stock_ledger'

    @with_transaction()
    def test_backdated_opening_refused(self):
        pool = Pool()
        Import = pool.get('stock.opening.import')
        Move = pool.get('stock.move')
        Lot = pool.get('stock.lot')
        Location = pool.get('stock.location')
        company, warehouse, _, bin_a, _, _, _ = setup()
        with set_company(company):
            Import.import_file(sheet([dict(ROW, quantity=10)]),
                date=dt.date(2026, 1, 1), create_lots=True)
            lot, = Lot.search([('number', '=', 'B-1')])
            customer, = Location.search([('code', '=', 'CUS')])
            out, = Move.create([{'product': lot.product.id,
                        'unit': lot.product.default_uom.id, 'quantity': 8,
                        'lot': lot.id, 'from_location': bin_a.id,
                        'to_location': customer.id, 'company': company.id,
                        'unit_price': 1, 'currency': company.currency.id,
                        'effective_date': dt.date(2026, 1, 20)}])
            with Transaction().set_context(_skip_warnings=True):
                Move.do([out])  # no origin: a warning the clerk skips
            before = counts()
            # A sheet saying only 2 were there on the 10th: -6 from the 20th
            with self.assertRaises(UserError) as cm:
                Import.import_file(sheet([dict(ROW, quantity=2)]),
                    date=dt.date(2026, 1, 10))
            for text in ['B-1', 'A-01', '2026-01-20', '-6']:
                self.assertIn(text, cm.exception.message)
            self.assertEqual(counts()[4], before[4])  # no move posted
            self.assertEqual(list(quantities(bin_a).values()), [2])
            # The same count after the last move is an ordinary opening
            Import.import_file(sheet([dict(ROW, quantity=1)]),
                date=dt.date(2026, 1, 21))
            self.assertEqual(list(quantities(bin_a).values()), [1])


del DBTestCase
