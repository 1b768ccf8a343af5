"Count sheets: the blind printable sheet and the Excel round trip"
from contextlib import contextmanager
from decimal import Decimal
from io import BytesIO
import zipfile

from openpyxl import load_workbook

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from trytond.modules.factory_stock_ext.tests.tools_excel import zip_bomb

from ..exceptions import SheetError
from .tools import create_task, setup_stock

# A book quantity nobody would type: it must never reach a sheet
ODD_BOOK = 4321


class SheetTestCase(DBTestCase):
    module = 'stocktake_mobile'

    def setup(self):
        "Stock, an odd book quantity of P001 in B1 and alice's task"
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        data = setup_stock()
        supplier, = Location.search([('code', '=', 'SUP')])
        product = pool.get('product.product')(data['products'][0])
        move, = Move.create([{'product': product.id,
                    'unit': product.default_uom.id,
                    'quantity': ODD_BOOK - 10, 'from_location': supplier.id,
                    'to_location': data['locations'][0],
                    'unit_price': Decimal(1), 'company': data['company'],
                    'currency': pool.get('company.company')(
                        data['company']).currency.id}])
        with Transaction().set_context(_skip_warnings=True):
            Move.do([move])
        return data, create_task(data)

    @contextmanager
    def as_user(self, data, login='alice'):
        "Act as the counter, with access rights and record rules"
        with Transaction().set_user(data['users'][login]), \
                Transaction().set_context(_check_access=True,
                    company=data['company']):
            yield

    def run_wizard(self, name, task_id, state, values=None):
        Wizard = Pool().get(name, type='wizard')
        session_id, _, _ = Wizard.create()
        with Transaction().set_context(active_model='stocktake.task',
                active_id=task_id, active_ids=[task_id]):
            return Wizard.execute(session_id, values or {}, state)

    def export(self, task_id):
        result = self.run_wizard('stocktake.task.export', task_id, 'result')
        defaults = result['view']['defaults']
        self.assertTrue(defaults['filename'].endswith('.xlsx'))
        return load_workbook(BytesIO(defaults['file']))

    def import_(self, task_id, book):
        data = BytesIO()
        book.save(data)
        return self.run_wizard('stocktake.task.import', task_id, 'import_',
            {'start': {'file': data.getvalue()}})

    def counts(self, task_id):
        Count = Pool().get('stocktake.count')
        return Count.search([('task', '=', task_id)])

    @with_transaction()
    def test_printed_sheet_is_blind(self):
        "The counter prints the lines to count, without book quantities"
        data, task_id = self.setup()
        with self.as_user(data):
            Report = Pool().get('stocktake.task.sheet', type='report')
            ext, content, _, name = Report.execute([task_id], {})
        self.assertEqual(ext, 'odt')
        if zipfile.is_zipfile(BytesIO(content)):  # else flat ODT, as core
            with zipfile.ZipFile(BytesIO(content)) as odt:
                content = odt.read('content.xml')
        text = content.decode() if isinstance(content, bytes) else content
        for expected in ['B1', 'B2', 'P001', 'P004', 'LOT-7', 'Part 2']:
            self.assertIn(expected, text)
        self.assertNotIn('X1', text)  # not a location of the task
        self.assertNotIn(str(ODD_BOOK), text)
        self.assertNotIn('for each', text)  # every directive was rendered

    @with_transaction()
    def test_export_import_round_trip(self):
        "Counts typed in the exported workbook are recorded like scans"
        pool = Pool()
        Line = pool.get('stocktake.task.line')
        Task = pool.get('stocktake.task')
        data, task_id = self.setup()
        with self.as_user(data):
            book = self.export(task_id)
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(len(rows[0]), 5)
        self.assertEqual(len(rows) - 1, len(Task(task_id).lines))
        self.assertEqual({r[4] for r in rows[1:]}, {None})  # blind
        cells = {v for r in rows for v in r if v is not None}
        self.assertNotIn(ODD_BOOK, cells)
        self.assertNotIn(float(ODD_BOOK), cells)
        self.assertIn(('B1', 'P003', 'LOT-7'), {r[:2] + r[3:4] for r in rows})
        for index, row in enumerate(sheet.iter_rows(min_row=2), 1):
            row[4].value = index  # absolute quantities
        # The last value wins when a row is typed twice
        sheet.append(list(rows[1][:4]) + ['7'])
        with self.as_user(data):
            self.import_(task_id, book)
        counts = self.counts(task_id)
        self.assertEqual(len(counts), len(rows))
        self.assertEqual({c.device for c in counts}, {'sheet'})
        self.assertEqual({c.counter.id for c in counts},
            {data['users']['alice']})
        lines = Line.search([('task', '=', task_id)])
        self.assertTrue(all(l.counted_quantity is not None for l in lines))
        first = [l for l in lines if l.location.code == rows[1][0]
            and l.product.code == rows[1][1]]
        self.assertEqual(first[0].counted_quantity, 7)
        with self.as_user(data):
            Task.finish([Task(task_id)])
        self.assertIn(Task(task_id).state, {'counted', 'recount'})

    @with_transaction()
    def test_import_errors_write_nothing(self):
        "Unknown rows, unknown codes and negative quantities: all refused"
        data, task_id = self.setup()
        with self.as_user(data):
            good = self.export(task_id)
        bad_rows = [
            (['X1', 'P001', 'Part 1', '', 3], 'msg_sheet_unknown_row'),
            (['B1', 'NOPE', 'Nope', '', 3], 'msg_sheet_row'),
            (['B1', 'P001', 'Part 1', '', -2], 'msg_sheet_row'),
            (['B1', 'P001', 'Part 1', '', 'many'], 'msg_sheet_row'),
            ]
        for row, message in bad_rows:
            with self.subTest(row=row):
                book = load_workbook(BytesIO(self.save(good)))
                sheet = book.worksheets[0]
                sheet.cell(row=2, column=5).value = 5  # a good row first
                sheet.append(row)
                with self.as_user(data), self.assertRaises(SheetError) as cm:
                    self.import_(task_id, book)
                self.assertEqual(cm.exception.code, message[len('msg_'):])
                self.assertIn(f'Row {sheet.max_row}', cm.exception.message)
                self.assertIn('Nothing was imported', cm.exception.message)
                self.assertEqual(self.counts(task_id), [])
        with self.as_user(data):
            with self.assertRaises(SheetError) as cm:
                self.import_(task_id, good)  # no count typed at all
            self.assertEqual(cm.exception.code, 'sheet_empty')
            with self.assertRaises(SheetError) as cm:
                self.run_wizard('stocktake.task.import', task_id, 'import_',
                    {'start': {'file': b'not a workbook'}})
            self.assertEqual(cm.exception.code, 'sheet_invalid_file')
        self.assertEqual(self.counts(task_id), [])

    @with_transaction()
    def test_import_in_recount_only_flagged_lines(self):
        "In recount, the sheet has the flagged lines only"
        pool = Pool()
        Task = pool.get('stocktake.task')
        data, task_id = self.setup()
        with self.as_user(data):
            book = self.export(task_id)
            for row in book.worksheets[0].iter_rows(min_row=2):
                row[4].value = 10
            book.worksheets[0].cell(row=2, column=5).value = 1
            self.import_(task_id, book)
            Task.finish([Task(task_id)])
        self.assertEqual(Task(task_id).state, 'recount')
        with self.as_user(data, 'bob'):
            book = self.export(task_id)
            rows = list(book.worksheets[0].iter_rows(values_only=True))
            self.assertEqual(len(rows), 2)
            book.worksheets[0].cell(row=2, column=5).value = 2
            self.import_(task_id, book)
        line, = [l for l in Task(task_id).lines if l.recount_required]
        self.assertEqual((line.first_quantity, line.counted_quantity),
            (1, 2))

    @with_transaction()
    def test_zip_bomb_refused(self):
        "Finding 5: a workbook unpacking to 174 MiB is refused unread"
        data, task_id = self.setup()
        with self.as_user(data), self.assertRaises(UserError) as cm:
            self.run_wizard('stocktake.task.import', task_id, 'import_',
                {'start': {'file': zip_bomb()}})
        self.assertEqual(cm.exception.code, 'unpacked_too_large')
        self.assertIn('174.6 MB', cm.exception.message)
        self.assertEqual(self.counts(task_id), [])

    @with_transaction()
    def test_export_formula_safe(self):
        "Finding 5: names that look like formulas are exported as texts"
        pool = Pool()
        Template = pool.get('product.template')
        data, task_id = self.setup()
        product = pool.get('product.product')(data['products'][1])
        Template.write([product.template],
            {'name': '=HYPERLINK("http://evil.example","x")'})
        with self.as_user(data):
            book = self.export(task_id)
        cells = [c for row in book.worksheets[0].iter_rows()
            for c in row if isinstance(c.value, str)
            and c.value.startswith('=')]
        self.assertTrue(cells)
        for cell in cells:
            self.assertEqual(cell.data_type, 's')
            self.assertTrue(cell.quotePrefix)

    @staticmethod
    def save(book):
        data = BytesIO()
        book.save(data)
        return data.getvalue()
