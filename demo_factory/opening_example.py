"""python -m demo_factory.opening_example: (re)write the example opening-balance
workbook, demo_factory/examples/opening_balance_example.xlsx.

It is stock_ledger's own template (its columns, headers in Chinese and
English, the example sheet) with a filled data sheet: the spare parts of the
demo's assembly plant, a category and products the demo does not have yet
(import with "create missing products"), bins of the demo's WH2, lots with
expiry dates. `import_check(company)` is what the demo test runs on it.
"""
import datetime as dt
import io
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent
PATH = ROOT / 'examples' / 'opening_balance_example.xlsx'
CATEGORY = 'D01 Spare parts 备品备件'
ROWS = [
    # code, name, unit, warehouse, bin, lot, expiry, quantity, unit cost
    ('D01-0001', 'Bearing 6204 轴承', 'u', 'WH2', 'WH2-A-01-01', None, None,
        48, 12.5),
    ('D01-0002', 'V-belt A42 三角带', 'u', 'WH2', 'WH2-A-01-01', None, None,
        20, 18),
    ('D01-0003', 'Hydraulic oil 46 液压油', 'kg', 'WH2', 'WH2-A-01-02',
        'HO-2601', dt.date(2027, 6, 30), 180.5, 14.2),
    ('D01-0003', 'Hydraulic oil 46 液压油', 'kg', 'WH2', 'WH2-A-01-02',
        'HO-2602', dt.date(2027, 9, 30), 200, 14.2),
    ('D01-0004', 'Grease EP2 润滑脂', 'kg', 'WH2', 'WH2-A-02-01', 'GR-2601',
        dt.date(2027, 3, 31), 35.25, 32),
    ('D01-0005', 'Fuse 10A 保险丝', 'u', 'WH2', 'WH2-B-01-01', None, None,
        300, 0.8),
    ('D01-0006', 'Contactor 25A 接触器', 'u', 'WH2', 'WH2-B-01-01', None,
        None, 12, 86),
    ('D01-0007', 'Filter cartridge 滤芯', 'u', 'WH2', 'WH2-B-01-02', None,
        None, 40, 23.6),
    ('D01-0008', 'Sealing ring 密封圈', 'u', 'WH2', 'WH2-B-02-01', None,
        None, 500, 0.35),
    ('D01-0009', 'Cutting disc 切割片', 'u', 'WH2', 'WH2-B-02-01', None,
        None, 150, 4.2),
    ]


def workbook():
    "The template of stock_ledger with the rows above on its data sheet"
    from openpyxl import load_workbook

    from trytond.modules.stock_ledger import columns
    book = load_workbook(io.BytesIO(columns.template()))
    sheet = book[columns.DATA_SHEET]
    for code, name, unit, warehouse, bin_, lot, expiry, qty, cost in ROWS:
        sheet.append([code, name, CATEGORY, unit, warehouse, bin_, lot,
                expiry, qty, cost])
    # a fixed date: the file only changes when its rows do
    book.properties.created = book.properties.modified = dt.datetime(
        2026, 1, 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_check(company):
    "Problems the import would report on the example (in a demo database)"
    from trytond.pool import Pool
    Opening = Pool().get('stock.opening.import')
    _, _, checker = Opening.check_file(PATH.read_bytes(), company,
        create_products=True)
    return [str(p) for p in checker.problems]


def main():
    PATH.parent.mkdir(exist_ok=True)
    PATH.write_bytes(workbook())
    print(PATH)
    return 0


if __name__ == '__main__':
    sys.exit(main())
