"""收发存 ledger over a year against a ledger computed by hand.

setup_history() builds the small deterministic history the report tests
share (see the table in its docstring).
"""
import datetime as dt
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from ..exceptions import LedgerReportError

D = dt.date


def setup_history():
    """Two warehouses, bins B1 (zone Z1) and B2 (zone Z2 from its parent
    STO), products A (lots L1, L2) and B, and these done moves:

    ===  ==========  =====  ============  ===========  ===  ====  ======
    ref  date        prod.  from          to           lot  qty   cost
    ===  ==========  =====  ============  ===========  ===  ====  ======
    m1   2024-11-15  A      supplier      B1           L1   100   10
    m2   2025-01-10  A      supplier      B2           L2   50    12
    m3   2025-02-01  A      B1            production   L1   30    10
    m4   2025-03-05  A      B1            B2           L1   20    (10)
    m5   2025-04-10  A      B2            WH2 storage  L2   15    (10)
    m6   2025-05-20  A      B2            customer     L2   10    12
    m11  2025-07-01  B      supplier      B1                8     5
    m7   2025-07-15  A      lost & found  B1           L1   5     10
    m8   2025-09-15  A      B2            lost & found L1   2     11
    m9   2025-11-01  A      supplier      B1                40    11
    m12  2025-12-01  B      supplier      B1                3     6
    m10  2026-01-05  A      supplier      B1                7     11
    ===  ==========  =====  ============  ===========  ===  ====  ======

    m4 and m5 carry no cost price: they are worth the last cost price of
    the product at their date (m3's 10).
    """
    pool = Pool()
    Location = pool.get('stock.location')
    Zone = pool.get('stock.location.zone')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Move = pool.get('stock.move')
    Lot = pool.get('stock.lot')

    company = create_company()
    with set_company(company):
        warehouse, = Location.search([('code', '=', 'WH')])
        storage = warehouse.storage_location
        supplier, = Location.search([('code', '=', 'SUP')])
        customer, = Location.search([('code', '=', 'CUS')])
        lost_found, = Location.search([('type', '=', 'lost_found')],
            limit=1)
        production, = Location.create([{'name': 'Production',
                    'code': 'PROD', 'type': 'production'}])
        b1, b2 = Location.create([
                {'name': 'Bin 1', 'code': 'B1', 'type': 'storage',
                    'parent': storage.id},
                {'name': 'Bin 2', 'code': 'B2', 'type': 'storage',
                    'parent': storage.id}])
        input2, output2, storage2 = Location.create([
                {'name': f'{n} 2', 'code': f'{n[:3].upper()}2',
                    'type': 'storage'}
                for n in ['Input', 'Output', 'Storage']])
        warehouse2, = Location.create([{'name': 'Warehouse 2',
                    'code': 'WH2', 'type': 'warehouse',
                    'input_location': input2.id,
                    'output_location': output2.id,
                    'storage_location': storage2.id,
                    'production_location': production.id}])
        Location.write([input2, output2, storage2],
            {'parent': warehouse2.id})
        z1, z2 = Zone.create([
                {'name': 'Zone 1', 'code': 'Z1', 'warehouse': warehouse.id,
                    'locations': [('add', [b1.id])]},
                {'name': 'Zone 2', 'code': 'Z2', 'warehouse': warehouse.id,
                    'locations': [('add', [storage.id])]}])
        unit, = Uom.search([('name', '=', 'Unit')])
        template_a, template_b = Template.create([{
                    'name': name, 'code': code, 'type': 'goods',
                    'default_uom': unit.id,
                    'products': [('create', [{}])],
                    } for name, code in [('Part A', 'A'), ('Part B', 'B')]])
        a, = template_a.products
        b, = template_b.products
        l1, l2 = Lot.create([{'number': n, 'product': a.id}
                for n in ['L1', 'L2']])

        def move(ref, date, product, from_, to, lot, quantity, cost):
            values = {'product': product.id, 'unit': unit.id,
                'quantity': quantity, 'from_location': from_.id,
                'to_location': to.id, 'lot': lot.id if lot else None,
                'planned_date': date, 'effective_date': date,
                'company': company.id}
            if cost is not None:
                values['cost_price'] = Decimal(cost)
                if from_.type == 'supplier' or to.type == 'customer':
                    values['unit_price'] = Decimal(cost)
                    values['currency'] = company.currency.id
            return ref, values

        history = [
            move('m1', D(2024, 11, 15), a, supplier, b1, l1, 100, 10),
            move('m2', D(2025, 1, 10), a, supplier, b2, l2, 50, 12),
            move('m3', D(2025, 2, 1), a, b1, production, l1, 30, 10),
            move('m4', D(2025, 3, 5), a, b1, b2, l1, 20, None),
            move('m5', D(2025, 4, 10), a, b2, storage2, l2, 15, None),
            move('m6', D(2025, 5, 20), a, b2, customer, l2, 10, 12),
            move('m11', D(2025, 7, 1), b, supplier, b1, None, 8, 5),
            move('m7', D(2025, 7, 15), a, lost_found, b1, l1, 5, 10),
            move('m8', D(2025, 9, 15), a, b2, lost_found, l1, 2, 11),
            move('m9', D(2025, 11, 1), a, supplier, b1, None, 40, 11),
            move('m12', D(2025, 12, 1), b, supplier, b1, None, 3, 6),
            move('m10', D(2026, 1, 5), a, supplier, b1, None, 7, 11),
            ]
        moves = Move.create([v for _, v in history])
        with Transaction().set_context(_skip_warnings=True):
            Move.do(moves)
        ids = {ref: m.id for (ref, _), m in zip(history, moves)}
        ids.update(company=company.id, warehouse=warehouse.id,
            warehouse2=warehouse2.id, storage2=storage2.id, b1=b1.id,
            b2=b2.id, z1=z1.id, z2=z2.id, a=a.id, b=b.id, l1=l1.id,
            l2=l2.id)
        return ids


# Receipts at prices that do not divide evenly, issued one by one at their
# average (1.0067): the three issues are worth 3.03 rounded, 0.01 more
# than the 3.02 received. (date, from, to, quantity, cost); from/to are
# keys of setup_history() or the codes of core's locations.
UNEVEN = [
    (D(2025, 1, 10), 'SUP', 'b1', 1, '1.00'),
    (D(2025, 1, 11), 'SUP', 'b1', 2, '1.01'),
    (D(2025, 2, 1), 'b1', 'CUS', 1, '1.0067'),
    (D(2025, 2, 2), 'b1', 'CUS', 1, '1.0067'),
    (D(2025, 2, 3), 'b1', 'CUS', 1, '1.0067'),
    (D(2025, 7, 1), 'SUP', 'b1', 5, '2.00'),
    ]


def add_product(data, code, history, unit='Unit'):
    """A product of the company of setup_history() with its own done moves
    ((date, from, to, quantity, cost) as UNEVEN; a move between two bins
    carries no cost, as a transfer); returns the product"""
    pool = Pool()
    Location = pool.get('stock.location')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Move = pool.get('stock.move')
    company = pool.get('company.company')(data['company'])
    with set_company(company):
        unit, = Uom.search([('name', '=', unit)])
        template, = Template.create([{'name': f'Part {code}', 'code': code,
                    'type': 'goods', 'default_uom': unit.id,
                    'products': [('create', [{}])]}])
        product, = template.products

        def location(key):
            if key in data:
                return Location(data[key])
            found, = Location.search([('code', '=', key)])
            return found
        values = []
        for date, from_, to, quantity, cost in history:
            value = {'product': product.id, 'unit': unit.id,
                'quantity': quantity, 'from_location': location(from_).id,
                'to_location': location(to).id, 'planned_date': date,
                'effective_date': date, 'company': company.id}
            if cost is not None:
                value.update(cost_price=Decimal(cost),
                    unit_price=Decimal(cost),
                    currency=company.currency.id)
            values.append(value)
        moves = Move.create(values)
        with Transaction().set_context(_skip_warnings=True):
            Move.do(moves)
    return product


def run_wizard(name, state, values):
    "Execute the wizard up to the state, return its answer"
    Wizard = Pool().get(name, type='wizard')
    session_id, _, _ = Wizard.create()
    return session_id, Wizard.execute(session_id, values, state)


def read_workbook(answer):
    "The sheets of an export state answer as lists of row tuples"
    defaults = answer['view']['defaults']
    assert defaults['filename'].endswith('.xlsx'), defaults['filename']
    book = load_workbook(BytesIO(defaults['file']))
    return {s.title: list(s.iter_rows(values_only=True))
        for s in book.worksheets}


def year_context(data, warehouse=True, product=None):
    return {'company': data['company'],
        'ledger_from_date': D(2025, 1, 1),
        'ledger_to_date': D(2025, 12, 31),
        'ledger_warehouse': data['warehouse'] if warehouse else None,
        'ledger_product': product}


class ReportLedgerTestCase(DBTestCase):
    "The 收发存 summary and detail ledger"
    module = 'stock_ledger'

    def summary(self, context):
        Movement = Pool().get('stock.ledger.movement')
        with Transaction().set_context(context):
            return {m.product.code: (m.opening_quantity, m.opening_value,
                    m.in_quantity, m.in_value, m.out_quantity,
                    m.out_value, m.closing_quantity, m.closing_value)
                for m in Movement.search([])}

    def detail(self, context):
        Line = Pool().get('stock.ledger.movement.line')
        with Transaction().set_context(context):
            return [(l.product.code, l.kind, l.date,
                    l.move.id if l.move else None,
                    l.in_quantity, l.in_value, l.out_quantity, l.out_value,
                    l.quantity, l.value)
                for l in Line.search([])]

    @with_transaction()
    def test_summary_warehouse_year(self):
        "Opening, in, out, closing of 2025 for the warehouse"
        data = setup_history()
        self.assertEqual(self.summary(year_context(data)), {
                'A': (100, Decimal('1000.00'), 95, Decimal('1090.00'),
                    57, Decimal('592.00'), 138, Decimal('1498.00')),
                'B': (0, Decimal('0.00'), 11, Decimal('58.00'),
                    0, Decimal('0.00'), 11, Decimal('58.00')),
                })

    @with_transaction()
    def test_summary_company_year(self):
        "Without warehouse the transfer to WH2 is neither in nor out"
        data = setup_history()
        summary = self.summary(year_context(data, warehouse=False))
        self.assertEqual(summary['A'], (100, Decimal('1000.00'),
                95, Decimal('1090.00'), 42, Decimal('442.00'),
                153, Decimal('1648.00')))

    @with_transaction()
    def test_summary_other_warehouse(self):
        "The transfer is the only in of WH2, at its fallback value"
        data = setup_history()
        context = year_context(data)
        context['ledger_warehouse'] = data['warehouse2']
        self.assertEqual(self.summary(context), {
                'A': (0, Decimal('0.00'), 15, Decimal('150.00'),
                    0, Decimal('0.00'), 15, Decimal('150.00')),
                })

    @with_transaction()
    def test_detail_ledger(self):
        "Every line of the year's ledger of A, in date order"
        data = setup_history()
        m = data
        lines = self.detail(year_context(data, product=data['a']))
        d2 = Decimal
        self.assertEqual(lines, [
                ('A', 'opening', D(2025, 1, 1), None,
                    None, None, None, None, 100, d2('1000.00')),
                ('A', 'move', D(2025, 1, 10), m['m2'],
                    50, d2('600.00'), None, None, 150, d2('1600.00')),
                ('A', 'move', D(2025, 2, 1), m['m3'],
                    None, None, 30, d2('300.00'), 120, d2('1300.00')),
                ('A', 'move', D(2025, 4, 10), m['m5'],
                    None, None, 15, d2('150.00'), 105, d2('1150.00')),
                ('A', 'move', D(2025, 5, 20), m['m6'],
                    None, None, 10, d2('120.00'), 95, d2('1030.00')),
                ('A', 'move', D(2025, 7, 15), m['m7'],
                    5, d2('50.00'), None, None, 100, d2('1080.00')),
                ('A', 'move', D(2025, 9, 15), m['m8'],
                    None, None, 2, d2('22.00'), 98, d2('1058.00')),
                ('A', 'move', D(2025, 11, 1), m['m9'],
                    40, d2('440.00'), None, None, 138, d2('1498.00')),
                ('A', 'closing', D(2025, 12, 31), None,
                    95, d2('1090.00'), 57, d2('592.00'), 138,
                    d2('1498.00')),
                ])

    @with_transaction()
    def test_detail_short_period(self):
        "A period inside the year opens with the balance of its start"
        data = setup_history()
        context = year_context(data)
        context.update(ledger_from_date=D(2025, 5, 1),
            ledger_to_date=D(2025, 7, 31))
        lines = self.detail(context)
        self.assertEqual([l[:2] + l[4:] for l in lines], [
                ('A', 'opening', None, None, None, None,
                    105, Decimal('1150.00')),
                ('A', 'move', None, None, 10, Decimal('120.00'),
                    95, Decimal('1030.00')),
                ('A', 'move', 5, Decimal('50.00'), None, None,
                    100, Decimal('1080.00')),
                ('A', 'closing', 5, Decimal('50.00'), 10,
                    Decimal('120.00'), 100, Decimal('1080.00')),
                ('B', 'opening', None, None, None, None,
                    0, Decimal('0.00')),
                ('B', 'move', 8, Decimal('40.00'), None, None,
                    8, Decimal('40.00')),
                ('B', 'closing', 8, Decimal('40.00'), 0,
                    Decimal('0.00'), 8, Decimal('40.00')),
                ])

    @with_transaction()
    def test_wizard_export(self):
        "The workbook has the summary and the detail, headers translated"
        data = setup_history()
        with set_company(Pool().get('company.company')(data['company'])):
            _, answer = run_wizard('stock.ledger.movement.report', 'export',
                {'start': {'company': data['company'],
                        'from_date': D(2025, 1, 1),
                        'to_date': D(2025, 12, 31),
                        'warehouse': data['warehouse'], 'product': None}})
        summary, detail = read_workbook(answer).values()
        self.assertEqual(summary[0][:4], ('Product', 'Unit',
                'Opening Quantity', 'Opening Value'))
        self.assertEqual([r[2:] for r in summary[1:]], [
                (100, 1000, 95, 1090, 57, 592, 138, 1498),
                (0, 0, 11, 58, 0, 0, 11, 58)])
        self.assertEqual(summary[1][:2], ('[A] Part A', 'Unit'))
        self.assertEqual(len(detail), 1 + 9 + 4)
        self.assertEqual(detail[1][3], 'Opening Balance')
        self.assertEqual(detail[-1][3], 'Closing Balance')
        self.assertEqual(detail[-1][-2:], (11, 58))

    @with_transaction()
    def test_wizard_dates_checked(self):
        "A period ending before it starts is refused"
        data = setup_history()
        with self.assertRaises(LedgerReportError):
            run_wizard('stock.ledger.movement.report', 'summary',
                {'start': {'company': data['company'],
                        'from_date': D(2025, 12, 31),
                        'to_date': D(2025, 1, 1),
                        'warehouse': None, 'product': None}})

    @with_transaction()
    def test_opening_zero_quantity_zero_value(self):
        """Issue 18: 0 kg is worth 0.  Receipts of 1 at 1.00 and 2 at 1.01
        (3.02), issued one by one at the average 1.0067 (1.01 each once
        rounded, 3.03): the issue that empties the stock takes what is
        left (1.00), and a later period opens at 0 / 0.00, not −0.01"""
        data = setup_history()
        c = add_product(data, 'C', UNEVEN)
        later = year_context(data, product=c.id)
        later['ledger_from_date'] = D(2025, 6, 1)
        self.assertEqual(self.summary(later)['C'], (0, Decimal('0.00'),
                5, Decimal('10.00'), 0, Decimal('0.00'),
                5, Decimal('10.00')))
        opening, = [l for l in self.detail(later) if l[1] == 'opening']
        self.assertEqual(opening[-2:], (0, Decimal('0.00')))
        # Over the year every row still adds up: in 13.02, out 3.02
        self.assertEqual(self.summary(year_context(data, product=c.id))['C'],
            (0, Decimal('0.00'), 8, Decimal('13.02'), 3, Decimal('3.02'),
                5, Decimal('10.00')))
        issues = [l for l in self.detail(year_context(data, product=c.id))
            if l[1] == 'move' and l[6]]
        self.assertEqual([(l[7], l[8], l[9]) for l in issues], [
                (Decimal('1.01'), 2, Decimal('2.01')),
                (Decimal('1.01'), 1, Decimal('1.00')),
                (Decimal('1.00'), 0, Decimal('0.00'))])


del DBTestCase
