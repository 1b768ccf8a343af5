"""Fuzzed sheets never cause an unhandled error, and a refused import writes
nothing. Derandomized so that a CI run is repeatable; a failure prints the
smallest sheet that shows it."""
import datetime as dt
import io
import unittest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from trytond.exceptions import UserError
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)

from ..columns import COLUMNS, SheetError, label, read_rows
from .sheets import KEYS, sheet
from .test_opening import counts, setup

FUZZ = settings(derandomize=True, deadline=None, database=None,
    suppress_health_check=list(HealthCheck))

text = st.text(max_size=30).map(lambda t: ILLEGAL_CHARACTERS_RE.sub('', t))
# Chinese text that was saved as GBK and read back as Latin-1
mojibake = st.sampled_from(['物料', '仓库', '批号']).map(
    lambda t: t.encode('gbk').decode('latin-1'))
cell = st.one_of(
    st.none(), text, mojibake, st.booleans(),
    st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1900, 3, 1)),
    st.sampled_from(['=1/0', '=A1+B1', '=SUM(I:I)', '#N/A', '1,234.5',
            '1e400', '-0', '2027-02-30', 'BOLT', 'WH', 'A-01', 'u', 'kg']),
    )
# Values drawn mostly from what exists, so that rows get past the first check
known = {
    'product_code': ['BOLT', 'SHEET', 'SERV', 'NEW-1', 'NEW-2'],
    'product_name': ['Bolt', "新物料", None],
    'category': ['Steel', 'New category', None],
    'unit': ['u', 'kg', 'furlong'],
    'warehouse': ['WH', 'WH2', 'Nowhere'],
    'location': ['A-01', 'B-01', 'A-VIEW', 'A-NEW', None],
    'lot': ['L1', 'L2', None],
    'expiry': ['2027-01-01', None, dt.date(2030, 1, 1)],
    'quantity': [1, 2.5, 0, -1, 10**13, '7'],
    'unit_cost': [1, 0.5, '0.12345', None, -2],
    }
row = st.fixed_dictionaries({k: st.one_of(st.sampled_from(v), cell)
        for k, v in known.items()})


def workbook_bytes(rows, merges, header=True):
    workbook = Workbook()
    worksheet = workbook.active
    if header:
        worksheet.append([label(c) for c in COLUMNS])
    for values in rows:
        worksheet.append(values)
    for first, height, width in merges:
        worksheet.merge_cells(start_row=first, start_column=1,
            end_row=first + height, end_column=1 + width)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_all(data):
    try:
        return list(read_rows(data))
    except SheetError:
        return None


class FuzzSheetTestCase(unittest.TestCase):
    "The reader alone: any workbook or bytes give rows or a SheetError"

    @FUZZ
    @given(st.lists(st.lists(cell, max_size=12), max_size=15),
        st.lists(st.tuples(st.integers(1, 12), st.integers(0, 3),
                st.integers(0, 3)), max_size=3),
        st.booleans())
    def test_any_workbook(self, rows, merges, header):
        read_all(workbook_bytes(rows, merges, header))

    @FUZZ
    @given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)),
            min_size=1, max_size=8))
    def test_damaged_bytes(self, changes):
        data = bytearray(sheet([{k: 'x' for k in KEYS}] * 5))
        for position, value in changes:
            data[position % len(data)] = value
        read_all(bytes(data))

    @FUZZ
    @given(st.binary(max_size=2000))
    def test_random_bytes(self, data):
        self.assertIsNone(read_all(data))


class FuzzImportTestCase(DBTestCase):
    "Whole imports: success or a UserError, and a refusal writes nothing"
    module = 'stock_ledger'

    @with_transaction()
    def test_fuzzed_imports(self):
        Import = Pool().get('stock.opening.import')
        company = setup()[0]
        outcomes = []

        @FUZZ
        @given(st.lists(row, min_size=1, max_size=6), st.booleans(),
            st.booleans())
        def run(rows, create_products, create_locations):
            before = counts()
            try:
                Import.import_file(sheet(rows), date=dt.date(2026, 1, 1),
                    create_products=create_products,
                    create_locations=create_locations)
                outcomes.append('imported')
            except UserError:
                self.assertEqual(counts(), before)
                outcomes.append('refused')

        with set_company(company):
            run()
        # The strategy reaches both outcomes, or it tests too little
        self.assertIn('imported', outcomes)
        self.assertIn('refused', outcomes)

