# The opening-balance sheet: its columns, the downloadable template and a
# streaming reader, both through the Excel layer of factory_stock_ext (limits
# before reading, formula-safe cells). Kept free of database access so that
# it can be tested and fuzzed on its own.
from collections import namedtuple

from trytond.modules.factory_stock_ext import excel
from trytond.modules.factory_stock_ext.exceptions import ExcelError

Column = namedtuple('Column', ['key', 'zh', 'en', 'required', 'example'])

COLUMNS = [
    Column('product_code', "物料编码", "Product code", True, 'RM-0001'),
    Column('product_name', "物料名称", "Product name", False, "冷轧钢板 1.0mm"),
    Column('category', "物料分类", "Category", False, "原材料 Raw material"),
    Column('unit', "单位", "Unit", True, 'kg'),
    Column('warehouse', "仓库", "Warehouse", True, 'WH'),
    Column('location', "库位", "Bin location", False, 'A-01-01'),
    Column('lot', "批号", "Lot", False, 'L20260101'),
    Column('expiry', "有效期至", "Expiry date", False, '2027-12-31'),
    Column('quantity', "数量", "Quantity", True, 125.5),
    Column('unit_cost', "单位成本", "Unit cost", False, 6.25),
    ]
BY_KEY = {c.key: c for c in COLUMNS}
DATA_SHEET = "期初 Opening"
EXAMPLE_SHEET = "示例 Example"
# A row with a value beyond this column is refused: it protects the server
# from a file that claims a million columns.
MAX_COLUMNS = 200
# Opening balances of a whole factory: up to a million rows
LIMITS = excel.Limits(columns=MAX_COLUMNS)


class SheetError(Exception):
    "The file cannot be read as an opening sheet; args[0] is a message id"


def label(column):
    "Header text of a column, both languages"
    return f'{column.zh} {column.en}'


def _normalise(text):
    return ''.join(str(text).split()).casefold()


HEADERS = {}
for _column in COLUMNS:
    for _text in (_column.zh, _column.en, label(_column), _column.key):
        HEADERS[_normalise(_text)] = _column


def template():
    "Return the .xlsx template: an empty data sheet and a filled example"
    styles = excel.styles()
    workbook = excel.workbook()
    data = workbook.active
    data.title = DATA_SHEET
    example = workbook.create_sheet(EXAMPLE_SHEET)
    bold = styles.Font(bold=True)
    required = styles.PatternFill('solid', fgColor='FFF2CC')
    for sheet in (data, example):
        excel.append(sheet, [label(c) for c in COLUMNS])
        for cell, column in zip(sheet[1], COLUMNS):
            cell.font = bold
            if column.required:
                cell.fill = required
            sheet.column_dimensions[cell.column_letter].width = 22
        sheet.freeze_panes = 'A2'
    excel.append(example, [c.example for c in COLUMNS])
    excel.append(example, [])
    excel.append(example, ["必填列为黄色；库位为空时入仓库的存储库位；数量为绝对数量。",
            "Yellow columns are required; an empty bin means the warehouse "
            "storage location; quantities are absolute on-hand counts."])
    return excel.save(workbook)


def read_rows(data, required=None):
    """Yield (row number, {column key: raw value}) for each non-empty row of
    the first sheet, after a header row naming the columns.

    Raises SheetError for a file that is not a readable workbook or has no
    usable header, the Excel layer's ExcelError (a UserError) for one beyond
    its limits. Reading is streamed (read-only mode), so memory stays flat
    whatever the number of rows."""
    try:
        yield from _rows(excel.read_rows(data, LIMITS), required or [
                    c.key for c in COLUMNS if c.required])
    except ExcelError as error:
        if error.code != 'unreadable':
            raise
        raise SheetError('msg_opening_file_unreadable')


def _rows(rows, required):
    columns = None
    for number, values in rows:
        if all(_blank(v) for v in values):
            continue
        if columns is None:
            columns = _header(values, required)
            continue
        row = dict.fromkeys(BY_KEY)
        for index, key in columns.items():
            value = values[index] if index < len(values) else None
            row[key] = None if _blank(value) else value
        yield number, row
    if columns is None:
        raise SheetError('msg_opening_file_no_header')


def _header(values, required):
    columns = {}
    for index, value in enumerate(values):
        if isinstance(value, str):
            column = HEADERS.get(_normalise(value))
            if column and column.key not in columns.values():
                columns[index] = column.key
    missing = [k for k in required if k not in columns.values()]
    if missing:
        raise SheetError('msg_opening_file_no_header')
    return columns


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())
