"The sheet reader and template, without a database"
import io
import unittest
import zipfile

from openpyxl import Workbook, load_workbook

from ..columns import (
    COLUMNS, DATA_SHEET, EXAMPLE_SHEET, SheetError, label, read_rows,
    template)
from .sheets import sheet


def rows_of(data):
    return list(read_rows(data))


class ColumnsTestCase(unittest.TestCase):

    def test_template_has_both_languages_and_an_example(self):
        workbook = load_workbook(io.BytesIO(template()))
        self.assertEqual(workbook.sheetnames, [DATA_SHEET, EXAMPLE_SHEET])
        header = [c.value for c in workbook[DATA_SHEET][1]]
        self.assertEqual(header, [label(c) for c in COLUMNS])
        self.assertIn("物料编码 Product code", header)
        example = [c.value for c in workbook[EXAMPLE_SHEET][2]]
        self.assertEqual(example, [c.example for c in COLUMNS])
        # The data sheet of the template holds no row to import
        self.assertEqual(rows_of(template()), [])

    def test_rows_numbered_as_in_excel_blank_rows_skipped(self):
        data = sheet([{'product_code': 'A', 'quantity': 1}, {},
                {'product_code': 'B', 'quantity': '2'}])
        self.assertEqual([(n, r['product_code'], r['quantity'])
                for n, r in rows_of(data)], [(2, 'A', 1), (4, 'B', '2')])

    def test_header_in_one_language_any_order(self):
        workbook = Workbook()
        worksheet = workbook.active
        worksheet.append([])
        worksheet.append(['数量', 'Warehouse', '单位', 'product code'])
        worksheet.append([3, 'WH', 'u', 'X-1'])
        out = io.BytesIO()
        workbook.save(out)
        (number, row), = rows_of(out.getvalue())
        self.assertEqual(number, 3)
        self.assertEqual((row['product_code'], row['unit'], row['warehouse'],
                row['quantity'], row['lot']), ('X-1', 'u', 'WH', 3, None))

    def test_missing_required_header_refused(self):
        with self.assertRaises(SheetError) as context:
            rows_of(sheet([], header=['Product code', 'Unit']))
        self.assertEqual(context.exception.args[0],
            'msg_opening_file_no_header')

    def test_not_a_workbook_refused(self):
        for data in [b'', b'not a zip', b'PK\x03\x04broken']:
            with self.subTest(data=data):
                with self.assertRaises(SheetError):
                    rows_of(data)

    def test_damaged_sheet_xml_refused_while_streaming(self):
        data = sheet([{'product_code': 'A', 'quantity': 1}] * 3)
        source = zipfile.ZipFile(io.BytesIO(data))
        out = io.BytesIO()
        with zipfile.ZipFile(out, 'w') as target:
            for item in source.infolist():
                content = source.read(item.filename)
                if item.filename.startswith('xl/worksheets/sheet'):
                    content = content.replace(b'</row>', b'</rw>', 2)
                target.writestr(item, content)
        with self.assertRaises(SheetError):
            rows_of(out.getvalue())
