import datetime as dt
import unittest
from decimal import Decimal

from trytond.modules.account.tests import create_chart, get_fiscalyear
from trytond.modules.account_invoice.tests import set_invoice_sequences
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.stock_ledger.exceptions import ReconciliationError
from trytond.modules.stock_ledger.reconcile_compute import (
    quantities, reconcile)
from trytond.pool import Pool
# The generic ModuleTestCase checks run in test_module; this class only
# needs the activated database.
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

today = dt.date.today()


def day(delta):
    return today + dt.timedelta(days=delta)


def make_books():
    """A company, its chart, a continental fiscal year with its periods and
    a stock category: what every test starts from, made once with the
    class's database (each test rolls its own changes back)"""
    pool = Pool()
    FiscalYear = pool.get('account.fiscalyear')
    Account = pool.get('account.account')
    Category = pool.get('product.category')
    company = create_company()
    with set_company(company):
        create_chart(company)
        fiscalyear = set_invoice_sequences(get_fiscalyear(company,
                start_date=day(-40), end_date=day(324)))
        fiscalyear.account_stock_method = 'continental'
        fiscalyear.save()
        FiscalYear.create_period([fiscalyear])
        stock, = Account.search([('code', '=', '1.3.1')])
        stock_in, = Account.search([('code', '=', '5.1.5')])
        Category(name="Raw", accounting=True, account_stock=stock,
            account_stock_in=stock_in, account_stock_out=stock_in).save()


class ReconcileTestCase(DBTestCase):
    "Test the stock to books reconciliation"
    module = 'stock_ledger'
    fixture = staticmethod(make_books)
    # the fiscal year is dated from today
    fixture_dated = True

    @staticmethod
    def books_company():
        "make_books' company (the only one)"
        company, = Pool().get('company.company').search([])
        return company

    def setup_books(self, company):
        "make_books' records as a test finds them"
        pool = Pool()
        Account = pool.get('account.account')
        Location = pool.get('stock.location')
        self.stock, = Account.search([('code', '=', '1.3.1')])
        self.stock_in, = Account.search([('code', '=', '5.1.5')])
        self.expense, = Account.search([('type.expense', '=', True),
                ('code', '!=', '5.1.5')], limit=1)
        self.category, = pool.get('product.category').search(
            [('name', '=', "Raw")])
        self.supplier, = Location.search([('code', '=', 'SUP')])
        self.customer, = Location.search([('code', '=', 'CUS')])
        self.warehouse, = Location.search([('code', '=', 'WH')])
        self.storage = self.warehouse.storage_location
        self.company = company

    def product(self, method, cost, uom='Unit'):
        pool = Pool()
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('name', '=', uom)])
        template = Template(name=method, type='goods', default_uom=unit,
            cost_price_method=method, account_category=self.category)
        template.save()
        product = template.products[0] if template.products else None
        if product is None:
            product = pool.get('product.product')(template=template)
        product.cost_price = cost
        product.save()
        return product

    def move(self, product, from_, to, quantity, date, unit_price=None,
            uom=None):
        pool = Pool()
        Move = pool.get('stock.move')
        move = Move(product=product, from_location=from_, to_location=to,
            quantity=quantity, unit=uom or product.default_uom,
            effective_date=date, company=self.company,
            unit_price=unit_price,
            currency=self.company.currency if unit_price else None)
        move.save()
        with Transaction().set_context(_skip_warnings=True):
            if move.assignation_required:
                Move.assign([move])
            Move.do([move])
        return move

    def differences(self, result):
        return sorted((d['kind'], d['expected'], d['booked'])
            for d in result['differences'])

    @with_transaction()
    def test_continental_values_balance(self):
        "Average cost, other units and lost and found reconcile to zero"
        pool = Pool()
        Uom = pool.get('product.uom')
        company = self.books_company()
        with set_company(company):
            self.setup_books(company)
            lost, = pool.get('stock.location').search(
                [('type', '=', 'lost_found')], limit=1)
            gram, = Uom.search([('name', '=', 'Gram')])
            average = self.product('average', Decimal(0), uom='Kilogram')
            fixed = self.product('fixed', Decimal('1.3333'))
            self.move(average, self.supplier, self.storage, 24000, day(-3),
                Decimal('0.0025'), uom=gram)
            self.move(average, self.supplier, self.storage, 7, day(-2),
                Decimal('3.17'))
            self.move(fixed, self.supplier, self.storage, 7, day(-2),
                Decimal('2'))
            self.move(average, self.storage, self.customer, 10, day(-1),
                Decimal('9'))
            self.move(fixed, self.storage, self.customer, 1, day(-1),
                Decimal('9'))
            self.move(average, self.storage, lost, 1, today)
            self.move(fixed, lost, self.storage, 2, today)

            result = reconcile(company, today)

            self.assertEqual(result['differences'], [])
            (account, value, balance, draft), = result['accounts']
            self.assertEqual(account, self.stock.id)
            self.assertEqual(value, balance)
            self.assertEqual(draft, Decimal(0))
            (warehouse, category, account, quantity, total), = (
                result['values'])
            self.assertEqual(
                (warehouse, category, account, quantity, total),
                (self.warehouse.id, self.category.id, self.stock.id,
                    20 + 8, value))

    @with_transaction()
    def test_opening_import_is_not_a_count_variance(self):
        "An opening import keeps the stock IN account and reconciles"
        from trytond.modules.stock_ledger.tests.sheets import sheet
        pool = Pool()
        Configuration = pool.get('account.configuration')
        Import = pool.get('stock.opening.import')
        Line = pool.get('account.move.line')
        company = self.books_company()
        with set_company(company):
            self.setup_books(company)
            configuration = Configuration(1)
            configuration.inventory_difference_account = self.expense
            configuration.save()
            product = self.product('average', Decimal(0))
            product.suffix_code = 'OPEN-1'
            product.save()
            Import.import_file(sheet([{'product_code': 'OPEN-1',
                            'unit': 'u', 'warehouse': 'WH', 'quantity': 4,
                            'unit_cost': '2.5'}]), date=day(-1))
            lines = Line.search([('move.origin', 'like', 'stock.move,%')])
            self.assertEqual(sorted((l.account, l.debit, l.credit)
                    for l in lines), sorted([
                        (self.stock, Decimal(10), Decimal(0)),
                        (self.stock_in, Decimal(0), Decimal(10))]))
            self.assertEqual(reconcile(company, today)['differences'], [])

    @with_transaction()
    def test_amount_other_and_cost_lines(self):
        "Changed booking, manual entry and direct cost write are explained"
        pool = Pool()
        AccountMove = pool.get('account.move')
        Line = pool.get('account.move.line')
        Period = pool.get('account.period')
        Configuration = pool.get('account.configuration')
        CostPrice = pool.get('product.cost_price')
        company = self.books_company()
        with set_company(company):
            self.setup_books(company)
            product = self.product('fixed', Decimal(5))
            self.move(product, self.supplier, self.storage, 10, day(-10),
                Decimal(5))
            issue = self.move(product, self.storage, self.customer, 4,
                day(-5), Decimal(9))
            # someone edited the booked amounts of the issue afterwards
            line = Line.__table__()
            account_move, = issue.account_moves
            cursor = Transaction().connection.cursor()
            for column, account in [
                    (line.credit, self.stock), (line.debit, self.stock_in)]:
                cursor.execute(*line.update([column], [Decimal(18)],
                        where=(line.move == account_move.id)
                        & (line.account == account.id)))
            manual = AccountMove(
                journal=Configuration(1).stock_journal,
                period=Period.find(company, date=day(-1)), date=day(-1),
                lines=[Line(account=self.stock, debit=Decimal(3),
                        credit=Decimal(0)),
                    Line(account=self.expense, debit=Decimal(0),
                        credit=Decimal(3))])
            manual.save()

            result = reconcile(company, today)

            (_, value, balance, draft), = result['accounts']
            self.assertEqual((value, balance, draft),
                (Decimal(30), Decimal(35), Decimal(3)))
            self.assertEqual(self.differences(result), [
                    ('amount', Decimal(-20), Decimal(-18)),
                    ('other', Decimal(0), Decimal(3)),
                    ])
            amount, = [d for d in result['differences']
                if d['kind'] == 'amount']
            self.assertEqual((amount['move'], amount['product']),
                (issue.id, product.id))

            CostPrice.write(CostPrice.search(
                    [('product', '=', product.id)]),
                {'cost_price': Decimal(7)})
            self.assertIn(('cost', Decimal(12), Decimal(0)),
                self.differences(reconcile(company, today)))
            # in the past the cost is the one stamped on the moves
            result = reconcile(company, day(-7))
            (_, value, balance, _), = result['accounts']
            self.assertEqual((value, balance), (Decimal(50), Decimal(50)))
            self.assertEqual(result['differences'], [])

    @with_transaction()
    def test_warehouses_and_missing(self):
        "Warehouses split the value; a move without booking is missing"
        pool = Pool()
        Location = pool.get('stock.location')
        FiscalYear = pool.get('account.fiscalyear')
        Reconcile = pool.get('stock.ledger.reconcile')
        company = self.books_company()
        with set_company(company):
            self.setup_books(company)
            storage2 = Location(name="S2", type='storage')
            storage2.save()
            input2 = Location(name="I2", type='storage')
            input2.save()
            output2 = Location(name="O2", type='storage')
            output2.save()
            warehouse2 = Location(name="WH2", type='warehouse',
                storage_location=storage2, input_location=input2,
                output_location=output2)
            if 'production_location' in Location._fields:
                warehouse2.production_location, = Location.search(
                    [('type', '=', 'production')], limit=1)
            warehouse2.save()
            product = self.product('fixed', Decimal(5))
            self.move(product, self.supplier, self.storage, 10, day(-3),
                Decimal(5))
            self.move(product, self.storage, storage2, 4, day(-2))
            fiscalyear, = FiscalYear.search([])
            fiscalyear.account_stock_method = None
            fiscalyear.save()
            unbooked = self.move(product, self.storage, self.customer, 1,
                day(-1), Decimal(9))
            fiscalyear.account_stock_method = 'continental'
            fiscalyear.save()

            self.assertEqual(quantities(company, today), {
                    (product.id, self.warehouse.id): 5,
                    (product.id, warehouse2.id): 4})
            self.assertEqual(quantities(company, day(-3)), {
                    (product.id, self.warehouse.id): 10})
            result = reconcile(company, today)
            self.assertEqual(sorted((w, v) for w, _, _, _, v in
                    result['values']), sorted([
                        (self.warehouse.id, Decimal(25)),
                        (warehouse2.id, Decimal(20))]))
            missing, = result['differences']
            self.assertEqual((missing['kind'], missing['move'],
                    missing['expected'], missing['booked']),
                ('missing', unbooked.id, Decimal(-5), Decimal(0)))

            record, = Reconcile.create([{'company': company.id,
                        'date': today}])
            Reconcile.compute([record])
            self.assertEqual((record.stock_value, record.account_balance,
                    record.difference),
                (Decimal(45), Decimal(50), Decimal(-5)))
            self.assertEqual(len(record.values), 2)
            record.date = day(1)
            record.save()
            with self.assertRaises(ReconciliationError):
                Reconcile.compute([record])


del DBTestCase

if __name__ == '__main__':
    unittest.main()
