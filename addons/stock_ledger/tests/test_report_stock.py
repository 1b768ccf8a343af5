"""Stock at a date (by warehouse, zone, bin, lot) and the stock ageing,
against the history of test_report_ledger computed by hand."""
import datetime as dt
import pathlib
from decimal import Decimal

from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from ..exceptions import LedgerReportError
from ..report_stock import GROUPINGS
from .test_report_ledger import (
    UNEVEN, add_product, read_workbook, run_wizard, setup_history,
    year_context)

D = dt.date
WH = '[WH] Warehouse'
SESSION = 4242
LOCATIONS = ['warehouse', 'warehouse2', 'b1', 'b2', 'storage2']


def name(data, record, keys):
    "The key of the fixture naming the record (ids of one model only)"
    if record:
        key, = [k for k in keys if data[k] == record.id]
        return key


class ReportStockTestCase(DBTestCase):
    "Stock at a date and ageing"
    module = 'stock_ledger'

    def stock(self, data, grouping, warehouse=True, date=D(2025, 7, 31)):
        pool = Pool()
        Line = pool.get('stock.ledger.stock_date')
        Location = pool.get('stock.location')
        Line.fill(SESSION, data['company'], date, grouping,
            warehouse=Location(data['warehouse']) if warehouse else None)
        return sorted(
            (l.product.code, name(data, l.warehouse, LOCATIONS),
                name(data, l.zone, ['z1', 'z2']),
                name(data, l.location, LOCATIONS),
                name(data, l.lot, ['l1', 'l2']), l.quantity, l.value)
            for l in Line.search([('session', '=', SESSION)]))

    @with_transaction()
    def test_stock_by_lot(self):
        "Bin and lot at a past date: later moves are left out"
        data = setup_history()
        self.assertEqual(self.stock(data, 'lot'), [
                ('A', 'warehouse', 'z1', 'b1', 'l1', 55, Decimal('550')),
                ('A', 'warehouse', 'z2', 'b2', 'l1', 20, Decimal('200')),
                ('A', 'warehouse', 'z2', 'b2', 'l2', 25, Decimal('330')),
                ('B', 'warehouse', 'z1', 'b1', None, 8, Decimal('40')),
                ])

    @with_transaction()
    def test_stock_by_bin(self):
        "Lots of a bin summed up"
        data = setup_history()
        self.assertEqual(self.stock(data, 'location'), [
                ('A', 'warehouse', 'z1', 'b1', None, 55, Decimal('550')),
                ('A', 'warehouse', 'z2', 'b2', None, 45, Decimal('530')),
                ('B', 'warehouse', 'z1', 'b1', None, 8, Decimal('40')),
                ])

    @with_transaction()
    def test_stock_by_zone(self):
        "B2 inherits the zone of its parent STO"
        data = setup_history()
        self.assertEqual(self.stock(data, 'zone'), [
                ('A', 'warehouse', 'z1', None, None, 55, Decimal('550')),
                ('A', 'warehouse', 'z2', None, None, 45, Decimal('530')),
                ('B', 'warehouse', 'z1', None, None, 8, Decimal('40')),
                ])

    @with_transaction()
    def test_stock_by_warehouse(self):
        "Every warehouse of the company, the transfer in WH2"
        data = setup_history()
        self.assertEqual(self.stock(data, 'warehouse', warehouse=False), [
                ('A', 'warehouse', None, None, None, 100, Decimal('1080')),
                ('A', 'warehouse2', None, None, None, 15, Decimal('150')),
                ('B', 'warehouse', None, None, None, 8, Decimal('40')),
                ])
        self.assertEqual(self.stock(data, 'product', warehouse=False), [
                ('A', None, None, None, None, 115, Decimal('1230')),
                ('B', None, None, None, None, 8, Decimal('40')),
                ])

    @with_transaction()
    def test_stock_end_of_year(self):
        "The ledger's closing is the stock at the end of the period"
        data = setup_history()
        lines = self.stock(data, 'warehouse', date=D(2025, 12, 31))
        self.assertEqual(lines, [
                ('A', 'warehouse', None, None, None, 138, Decimal('1498')),
                ('B', 'warehouse', None, None, None, 11, Decimal('58')),
                ])

    @with_transaction()
    def test_stock_wizard_open_and_export(self):
        "The wizard opens the lines of its session and exports them"
        pool = Pool()
        Line = pool.get('stock.ledger.stock_date')
        data = setup_history()
        values = {'start': {'company': data['company'],
                'warehouse': data['warehouse'], 'date': D(2025, 7, 31),
                'grouping': 'zone'}}
        with set_company(pool.get('company.company')(data['company'])):
            session, answer = run_wizard(
                'stock.ledger.stock_date.report', 'open_', values)
            action, = answer['actions']
            self.assertIn(str(session), action[0]['pyson_domain'])
            self.assertEqual(len(Line.search([('session', '=', session)])),
                3)
            _, answer = run_wizard(
                'stock.ledger.stock_date.report', 'export', values)
        rows, = read_workbook(answer).values()
        self.assertEqual(rows, [
                ('Product', 'Unit', 'Warehouse', 'Zone', 'Quantity',
                    'Value'),
                ('[A] Part A', 'Unit', WH, '[Z1] Zone 1', 55, 550),
                ('[A] Part A', 'Unit', WH, '[Z2] Zone 2', 45, 530),
                ('[B] Part B', 'Unit', WH, '[Z1] Zone 1', 8, 40),
                ])

    @with_transaction()
    def test_stock_zero_quantity_zero_value(self):
        """Issue 18: a bin, a warehouse or a company at 0 is worth 0 at every
        grouping: the flow that empties it takes what is left of its value
        (the ledger's rule), so no 0 / −0.01 line, and a later receipt is
        worth what it cost (10.00, not 9.99)"""
        data = setup_history()
        add_product(data, 'C', UNEVEN)
        for grouping in GROUPINGS:
            with self.subTest(grouping=grouping):
                self.assertEqual(self.lines(data, grouping, 'C',
                        D(2025, 3, 1)), [])
                self.assertEqual([l[-2:] for l in self.lines(data, grouping,
                            'C', D(2025, 7, 31))], [(5, Decimal('10.00'))])

    @with_transaction()
    def test_stock_bin_emptied_by_transfer(self):
        """A bin emptied by a transfer is worth 0; the warehouse line is the
        ledger's closing (3.02, what was received); the bin that received
        the transfer holds it at the move's value (3 × the last cost 1.01)"""
        data = setup_history()
        d = add_product(data, 'D', UNEVEN[:2] + [
                (D(2025, 2, 1), 'b1', 'b2', 3, None)])
        date = D(2025, 3, 1)
        self.assertEqual(self.lines(data, 'location', 'D', date), [
                ('D', 'warehouse', 'z2', 'b2', None, 3, Decimal('3.03'))])
        self.assertEqual(self.lines(data, 'warehouse', 'D', date), [
                ('D', 'warehouse', None, None, None, 3, Decimal('3.02'))])
        Movement = Pool().get('stock.ledger.movement')
        context = year_context(data, product=d.id)
        context['ledger_to_date'] = date
        with Transaction().set_context(context):
            movement, = Movement.search([])
        self.assertEqual(movement.closing_value, Decimal('3.02'))

    @with_transaction()
    def test_zero_quantity_float_residue(self):
        """0.1 + 0.2 − 0.3 kg is not exactly 0 in floating point: neither
        the stock at a date nor the ageing shows a line for it"""
        data = setup_history()
        add_product(data, 'E', [
                (D(2025, 1, 10), 'SUP', 'b1', 0.1, '1.00'),
                (D(2025, 1, 11), 'SUP', 'b1', 0.2, '1.10'),
                (D(2025, 2, 1), 'b1', 'CUS', 0.3, '1.09')], unit='Kilogram')
        for grouping in GROUPINGS:
            with self.subTest(grouping=grouping):
                self.assertEqual(self.lines(data, grouping, 'E',
                        D(2025, 3, 1)), [])
        self.assertEqual([a for a in self.ageing(data) if a[0] == 'E'], [])

    def lines(self, data, grouping, code, date):
        "The stock lines of one product, in every warehouse"
        return [l for l in self.stock(data, grouping, warehouse=False,
                date=date) if l[0] == code]

    def ageing(self, data, limits=None, warehouse=True):
        Ageing = Pool().get('stock.ledger.ageing')
        context = {'company': data['company'],
            'ageing_date': D(2025, 12, 31),
            'ageing_warehouse': data['warehouse'] if warehouse else None,
            'ageing_limits': limits}
        with Transaction().set_context(context):
            return sorted((a.product.code,
                    name(data, a.warehouse, LOCATIONS),
                    a.quantity, a.value,
                    *((getattr(a, f'quantity_{i}'), getattr(a, f'value_{i}'))
                        for i in range(1, 6)))
                for a in Ageing.search([]))

    @with_transaction()
    def test_ageing_default_buckets(self):
        """FIFO: the 138 A left are m9 (60 days), m7 (169), m2 (355) and
        43 of m1 (411); B is m12 (30 days, the limit) and m11 (183)"""
        data = setup_history()
        d = Decimal
        self.assertEqual(self.ageing(data), [
                ('A', 'warehouse', 138, d(1520),
                    (0, d(0)), (40, d(440)), (5, d(50)), (50, d(600)),
                    (43, d(430))),
                ('B', 'warehouse', 11, d(58),
                    (3, d(18)), (0, d(0)), (0, d(0)), (8, d(40)),
                    (0, d(0))),
                ])

    @with_transaction()
    def test_ageing_edited_buckets(self):
        "Limits of the wizard; every warehouse when none is given"
        data = setup_history()
        d = Decimal
        self.assertEqual(self.ageing(data, [10, 20, 30, 40], False), [
                ('A', 'warehouse', 138, d(1520),
                    (0, d(0)), (0, d(0)), (0, d(0)), (0, d(0)),
                    (138, d(1520))),
                ('A', 'warehouse2', 15, d(150),
                    (0, d(0)), (0, d(0)), (0, d(0)), (0, d(0)),
                    (15, d(150))),
                ('B', 'warehouse', 11, d(58),
                    (0, d(0)), (0, d(0)), (3, d(18)), (0, d(0)),
                    (8, d(40))),
                ])

    @with_transaction()
    def test_ageing_wizard_export(self):
        "Headers name the days of each bucket; bad limits are refused"
        pool = Pool()
        data = setup_history()
        values = {'start': {'company': data['company'],
                'warehouse': data['warehouse'], 'date': D(2025, 12, 31),
                'limit_1': 30, 'limit_2': 90, 'limit_3': 180,
                'limit_4': 365}}
        with set_company(pool.get('company.company')(data['company'])):
            _, answer = run_wizard('stock.ledger.ageing.report', 'export',
                values)
            rows, = read_workbook(answer).values()
            self.assertEqual(rows[0], ('Product', 'Unit', 'Warehouse',
                    'Quantity', 'Value',
                    '0–30 Quantity', '0–30 Value',
                    '31–90 Quantity', '31–90 Value',
                    '91–180 Quantity', '91–180 Value',
                    '181–365 Quantity', '181–365 Value',
                    '>365 Quantity', '>365 Value'))
            self.assertEqual(rows[1][3:], (138, 1520, 0, 0, 40, 440, 5, 50,
                    50, 600, 43, 430))
            values['start']['limit_3'] = 90
            with self.assertRaises(LedgerReportError):
                run_wizard('stock.ledger.ageing.report', 'open_', values)

    @with_transaction()
    def test_ageing_tab_title(self):
        """The tab of the opened ageing is named after the report in both
        languages: sao shows what follows the last ' / ' of an action name
        (it read ">365)" in zh_CN)"""
        pool = Pool()
        Lang = pool.get('ir.lang')
        Translation = pool.get('ir.translation')
        Lang.write(Lang.search([('code', '=', 'zh_CN')]),
            {'translatable': True})
        Translation.translation_import('zh_CN', 'stock_ledger',
            [str(pathlib.Path(__file__).resolve().parents[1]
                    / 'locale' / 'zh_CN.po')])
        data = setup_history()
        values = {'start': {'company': data['company'],
                'warehouse': data['warehouse'], 'date': D(2025, 12, 31),
                'limit_1': 30, 'limit_2': 90, 'limit_3': 180,
                'limit_4': 365}}
        for language, title in [
                ('en', "Stock Ageing @ 2025-12-31 "
                    "(days 0–30, 31–90, 91–180, 181–365, >365)"),
                ('zh_CN', "库龄分析 @ 2025-12-31"
                    "（库龄天数 0–30, 31–90, 91–180, 181–365, >365）")]:
            with self.subTest(language=language), \
                    set_company(pool.get('company.company')(
                        data['company'])), \
                    Transaction().set_context(language=language):
                _, answer = run_wizard('stock.ledger.ageing.report',
                    'open_', values)
                (action, _), = answer['actions']
                self.assertEqual(action['name'], title)
                # sao's tab: name.split(' / ').pop()
                self.assertEqual(action['name'].split(' / ')[-1], title)


del DBTestCase
