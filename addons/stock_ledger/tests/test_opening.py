"Opening balances from Excel, against a real database"
import datetime as dt
from decimal import Decimal
from unittest.mock import patch

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from .. import opening
from ..columns import template
from .sheets import fill_template, sheet

DATE = dt.date(2026, 1, 1)


def setup():
    "A company, a bin A-01 in WH, a bin B-01 in a second warehouse, products"
    pool = Pool()
    Location = pool.get('stock.location')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Category = pool.get('product.category')
    company = create_company()
    warehouse, = Location.search([('code', '=', 'WH')])
    bin_a, bin_view = Location.create([
            {'name': 'A-01', 'code': 'A-01', 'type': 'storage',
                'parent': warehouse.storage_location.id},
            {'name': 'A-VIEW', 'code': 'A-VIEW', 'type': 'view',
                'parent': warehouse.storage_location.id}])
    other, = Location.copy([warehouse], default={'name': 'Second',
            'code': 'WH2'})
    bin_b, = Location.create([{'name': 'B-01', 'code': 'B-01',
                'type': 'storage', 'parent': other.storage_location.id}])
    unit, = Uom.search([('symbol', '=', 'u')])
    kg, = Uom.search([('symbol', '=', 'kg')])
    category, = Category.create([{'name': 'Steel'}])
    templates = Template.create([
            {'name': 'Bolt', 'type': 'goods', 'default_uom': unit.id,
                'products': [('create', [{'suffix_code': 'BOLT'}])]},
            {'name': 'Sheet', 'type': 'goods', 'default_uom': kg.id,
                'categories': [('add', [category.id])],
                'products': [('create', [{'suffix_code': 'SHEET'}])]},
            {'name': 'Service', 'type': 'service', 'default_uom': unit.id,
                'products': [('create', [{'suffix_code': 'SERV'}])]},
            ])
    return company, warehouse, other, bin_a, bin_view, bin_b, templates


def quantities(location, grouping=('product', 'lot')):
    Product = Pool().get('product.product')
    with Transaction().set_context(stock_date_end=dt.date.max):
        return {k[1:]: v for k, v in Product.products_by_location(
                [location.id], grouping=grouping).items() if v}


def counts():
    pool = Pool()
    return tuple(len(pool.get(m).search([])) for m in [
            'product.product', 'stock.lot', 'stock.location',
            'stock.inventory', 'stock.move', 'product.category',
            'stock.opening.import'])


class OpeningTestCase(DBTestCase):
    module = 'stock_ledger'

    def import_(self, data, **options):
        Import = Pool().get('stock.opening.import')
        options.setdefault('date', DATE)
        return Import.import_file(data, file_name='t.xlsx', **options)

    @with_transaction()
    def test_template_round_trip(self):
        pool = Pool()
        Product = pool.get('product.product')
        Lot = pool.get('stock.lot')
        company, warehouse, _, bin_a, _, _, _ = setup()
        with set_company(company):
            data = fill_template(template(), [
                    {'product_code': 'BOLT', 'unit': 'u', 'warehouse': 'WH',
                        'location': 'A-01', 'quantity': 100,
                        'unit_cost': 0.25},
                    {'product_code': 'NEW-1', 'product_name': "新钢管",
                        'category': 'Pipes', 'unit': 'kg',
                        'warehouse': 'WH', 'lot': 'L1',
                        'expiry': dt.datetime(2027, 3, 31),
                        'quantity': '12.5', 'unit_cost': '8.1234'},
                    {'product_code': 'SHEET', 'unit': 'kg',
                        'warehouse': 'Warehouse', 'location': 'A-NEW',
                        'quantity': 3, 'unit_cost': 2},
                    ])
            record = self.import_(data, create_products=True,
                create_locations=True)

            new, = Product.search([('code', '=', 'NEW-1')])
            bolt, = Product.search([('code', '=', 'BOLT')])
            sheet_, = Product.search([('code', '=', 'SHEET')])
            lot, = Lot.search([('number', '=', 'L1')])
            self.assertEqual(lot.product, new)
            self.assertEqual(lot.expiration_date, dt.date(2027, 3, 31))
            self.assertEqual(new.categories[0].name, 'Pipes')
            self.assertEqual(quantities(bin_a), {(bolt.id, None): 100})
            self.assertEqual(quantities(warehouse.storage_location),
                {(new.id, lot.id): 12.5})
            self.assertEqual(record.rows, 3)
            self.assertEqual(record.value, Decimal('132.54'))
            self.assertEqual(len(record.inventories), 3)
            self.assertTrue(all(i.state == 'done'
                    for i in record.inventories))
            moves = [m for i in record.inventories for l in i.lines
                for m in l.moves]
            self.assertEqual(sorted((m.product.code, m.quantity,
                        m.cost_price, m.effective_date) for m in moves), [
                    ('BOLT', 100, Decimal('0.25'), DATE),
                    ('NEW-1', 12.5, Decimal('8.1234'), DATE),
                    ('SHEET', 3, Decimal('2'), DATE)])
            self.assertEqual(new.cost_price, Decimal('8.1234'))
            self.assertEqual(bolt.cost_price, Decimal('0.25'))
            self.assertEqual(record.created,
                'categories: 1, products: 1, locations: 1, lots: 1')

    @with_transaction()
    def test_every_problem_reported_nothing_written(self):
        pool = Pool()
        Lot = pool.get('stock.lot')
        Product = pool.get('product.product')
        company, _, _, _, _, _, _ = setup()
        with set_company(company):
            sheet_product, = Product.search([('code', '=', 'SHEET')])
            Lot.create([{'number': 'TAKEN', 'product': sheet_product.id}])
            ok = {'product_code': 'BOLT', 'unit': 'u', 'warehouse': 'WH',
                'quantity': 1}
            rows = [
                # row 2: unknown unit
                dict(ok, unit='furlong'),
                # 3: duplicate lot (lot of another product)
                dict(ok, lot='TAKEN'),
                # 4: negative quantity
                dict(ok, quantity=-5, location='A-01'),
                # 5: bin of another warehouse
                dict(ok, location='B-01'),
                # 6: bad date
                dict(ok, lot='L6', expiry='31/02/2027'),
                # 7: unknown product (creation not allowed)
                dict(ok, product_code='NOPE'),
                # 8: not a number
                dict(ok, quantity='twelve', location='A-01'),
                # 9: unit cost with too many decimals
                dict(ok, unit_cost=0.123456, lot='L9'),
                # 10: unknown warehouse
                dict(ok, warehouse='Atlantis'),
                # 11: a view location as bin
                dict(ok, location='A-VIEW'),
                # 12: expiry without lot
                dict(ok, expiry='2027-01-01', location='A-01'),
                # 13: service product
                dict(ok, product_code='SERV'),
                # 14: missing warehouse
                dict(ok, warehouse=None, location='A-01'),
                # 15: unit differs from the product's
                dict(ok, unit='kg', lot='L15'),
                # 16: quantity finer than the unit rounding
                dict(ok, quantity=1.5, lot='L16'),
                # 17 and 18: the same product, bin and lot twice
                dict(ok, lot='L17'),
                dict(ok, lot='L17'),
                # 19: unknown bin (creation not allowed)
                dict(ok, location='Z-99'),
                ]
            before = counts()
            with self.assertRaises(UserError) as context:
                self.import_(sheet(rows))
            message = context.exception.message
            expected = [
                (2, "单位 Unit", "furlong"),
                (3, "批号 Lot", "TAKEN"),
                (4, "数量 Quantity", "-5"),
                (5, "库位 Bin location", "B-01"),
                (6, "有效期至 Expiry date", "31/02/2027"),
                (7, "物料编码 Product code", "NOPE"),
                (8, "数量 Quantity", "twelve"),
                (9, "单位成本 Unit cost", "0.123456"),
                (10, "仓库 Warehouse", "Atlantis"),
                (11, "库位 Bin location", "A-VIEW"),
                (12, "有效期至 Expiry date", "lot"),
                (13, "物料编码 Product code", "SERV"),
                (14, "仓库 Warehouse", "required"),
                (15, "单位 Unit", "kg"),
                (16, "数量 Quantity", "1.5"),
                (18, "物料编码 Product code", "row 17"),
                (19, "库位 Bin location", "Z-99"),
                ]
            lines = message.splitlines()[1:]
            self.assertEqual(len(lines), len(expected), message)
            for line, (row, column, text) in zip(lines, expected):
                self.assertTrue(line.startswith(f'Row {row}, {column}:'),
                    line)
                self.assertIn(text, line)
            self.assertIn(f'because of {len(expected)} problems', message)
            self.assertEqual(counts(), before)

    @with_transaction()
    def test_same_rows_twice_never_double(self):
        company, warehouse, _, _, _, _, _ = setup()
        with set_company(company):
            rows = [{'product_code': 'BOLT', 'unit': 'u', 'warehouse': 'WH',
                    'quantity': 40, 'unit_cost': 1}]
            self.import_(sheet(rows))
            before = counts()
            # The same file, and the same rows saved again (other bytes)
            for data in [sheet(rows), fill_template(template(), rows)]:
                with self.assertRaises(UserError) as context:
                    self.import_(data)
                self.assertIn('already imported', context.exception.message)
            self.assertEqual(counts(), before)
            self.assertEqual(list(quantities(
                        warehouse.storage_location).values()), [40])

    @with_transaction()
    def test_quantity_is_absolute_and_cost_is_averaged(self):
        pool = Pool()
        Product = pool.get('product.product')
        company, warehouse, _, bin_a, _, _, _ = setup()
        with set_company(company):
            self.import_(sheet([{'product_code': 'BOLT', 'unit': 'u',
                            'warehouse': 'WH', 'location': 'A-01',
                            'quantity': 10, 'unit_cost': 1}]))
            # A later sheet saying 30 are in A-01 and 10 in the storage
            self.import_(sheet([
                        {'product_code': 'BOLT', 'unit': 'u',
                            'warehouse': 'WH', 'location': 'A-01',
                            'quantity': 30, 'unit_cost': 4},
                        {'product_code': 'BOLT', 'unit': 'u',
                            'warehouse': 'WH', 'quantity': 10,
                            'unit_cost': 4}]))
            bolt, = Product.search([('code', '=', 'BOLT')])
            self.assertEqual(list(quantities(bin_a).values()), [30])
            # 10 at 1 + 20 at 4 + 10 at 4 = 130 for 40
            self.assertEqual(bolt.cost_price, Decimal('3.25'))

    @with_transaction()
    def test_products_and_bins_alone(self):
        pool = Pool()
        Product = pool.get('product.product')
        Location = pool.get('stock.location')
        company, _, other, _, _, _, _ = setup()
        with set_company(company):
            record = self.import_(sheet([
                        {'product_code': 'P-1', 'product_name': 'One',
                            'unit': 'kg', 'category': 'Steel'},
                        {'product_code': 'BOLT', 'product_name': 'Bolt',
                            'unit': 'u'}]), kind='products')
            self.assertEqual(record.created, 'products: 1')
            p1, = Product.search([('code', '=', 'P-1')])
            self.assertEqual(p1.categories[0].name, 'Steel')
            self.import_(sheet([
                        {'warehouse': 'WH2', 'location': 'B-02'},
                        {'warehouse': 'WH2', 'location': 'B-01'}]),
                kind='locations')
            b02, = Location.search([('code', '=', 'B-02')])
            self.assertEqual(b02.parent, other.storage_location)
            self.assertEqual(b02.type, 'storage')
            with self.assertRaises(UserError):
                self.import_(sheet([{'product_code': 'P-2', 'unit': 'kg'}]),
                    kind='products')

    @with_transaction()
    def test_wizard_reports_problems_then_imports(self):
        pool = Pool()
        Wizard = pool.get('stock.opening.import.wizard', type='wizard')
        company, _, _, _, _, _, _ = setup()
        with set_company(company):
            session_id, _, _ = Wizard.create()
            wizard = Wizard(session_id)
            wizard.start.company = company
            wizard.start.kind = 'opening'
            wizard.start.date = DATE
            wizard.start.file_name = 'bad.xlsx'
            wizard.start.file = sheet([{'product_code': 'BOLT',
                        'unit': 'u', 'warehouse': 'WH', 'quantity': 0}])
            wizard.start.create_products = False
            wizard.start.create_lots = True
            wizard.start.create_locations = False
            self.assertEqual(wizard.transition_import_(), 'result')
            self.assertEqual(wizard.result.problem_count, 1)
            self.assertIn('Row 2, 数量 Quantity', wizard.result.problems)
            wizard.start.file = sheet([{'product_code': 'BOLT',
                        'unit': 'u', 'warehouse': 'WH', 'quantity': 2}])
            self.assertEqual(wizard.transition_import_(), 'open_')
            self.assertEqual(wizard.result.opening_import.rows, 1)

    @with_transaction()
    def test_supervisor_runs_the_wizard(self):
        "A warehouse supervisor imports through the wizard; a clerk may not"
        pool = Pool()
        User = pool.get('res.user')
        Data = pool.get('ir.model.data')
        Product = pool.get('product.product')
        Wizard = pool.get('stock.opening.import.wizard', type='wizard')
        company, _, _, _, _, _, _ = setup()
        supervisor, clerk = User.create([{'login': login, 'name': login,
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'groups': [('add', [Data.get_id(
                                    'factory_stock_ext', group)])],
                    } for login, group in [
                    ('zhang', 'group_factory_supervisor'),
                    ('li', 'group_factory_clerk')]])
        data = {'start': {'company': company.id, 'kind': 'opening',
                'date': DATE, 'file_name': 'new.xlsx',
                'file': sheet([{'product_code': 'NEW-1', 'unit': 'u',
                            'product_name': 'New', 'warehouse': 'WH',
                            'quantity': 3, 'unit_cost': 2}]),
                'create_products': True, 'create_lots': False,
                'create_locations': False}}
        context = {'_check_access': True, 'company': company.id}
        with Transaction().set_user(clerk.id), \
                Transaction().set_context(context):
            with self.assertRaises(AccessError):
                Wizard.create()
        with Transaction().set_user(supervisor.id), \
                Transaction().set_context(context):
            session_id, start, _ = Wizard.create()
            result = Wizard.execute(session_id, data, 'import_')
        self.assertEqual(result['actions'][0][0]['res_model'],
            'stock.opening.import')
        self.assertEqual(len(Product.search([('code', '=', 'NEW-1')])), 1)

    @with_transaction()
    def test_many_rows(self):
        """250 rows with batches of 40 lines (50 products): a bin's lines
        split over two batches, bins sharing a batch, products and lots
        created in several batches; stock equals the sheet. The same paths
        as 1,200 rows with the batches of 500; the 100,000-row volume is
        bench/bench_opening_import.py"""
        pool = Pool()
        Move = pool.get('stock.move')
        size = 250
        company, warehouse, _, _, _, _, _ = setup()
        self.enterContext(patch.object(opening, 'BATCH', 40))
        rows = [{'product_code': f'M-{i // 5:05d}',
                'product_name': f'Material {i // 5}', 'unit': 'kg',
                'warehouse': 'WH', 'location': f'R-{i % 5}',
                'lot': f'LOT-{i}', 'quantity': (i % 97) + 0.5,
                'unit_cost': Decimal(i % 13) + Decimal('0.0625')}
            for i in range(size)]
        with set_company(company):
            record = self.import_(sheet(rows), create_products=True,
                create_locations=True)
            moves = Move.search([('state', '=', 'done')])
            self.assertEqual(len(moves), size)
            self.assertEqual(sum(m.quantity for m in moves),
                sum(r['quantity'] for r in rows))
            self.assertEqual(sum(Decimal(str(m.quantity)) * m.cost_price
                    for m in moves),
                sum(Decimal(str(r['quantity'])) * r['unit_cost']
                    for r in rows))
            self.assertEqual(record.rows, size)

