"Build opening sheets for tests and benchmarks"
import datetime as dt
import io

from openpyxl import Workbook, load_workbook

from ..columns import COLUMNS, label

KEYS = [c.key for c in COLUMNS]
STAMP = dt.datetime(2026, 1, 1)


def sheet(rows, header=None):
    """Return .xlsx bytes: a header row (both languages by default) then one
    row per dict of rows (missing keys are empty cells)."""
    workbook = Workbook(write_only=True)
    # Fixed timestamps: the same rows give the same bytes
    workbook.properties.created = workbook.properties.modified = STAMP
    worksheet = workbook.create_sheet()
    worksheet.append(header or [label(c) for c in COLUMNS])
    for row in rows:
        worksheet.append([row.get(k) for k in KEYS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def fill_template(template, rows):
    "Write rows below the header of the template's first sheet"
    workbook = load_workbook(io.BytesIO(template))
    worksheet = workbook.worksheets[0]
    for row in rows:
        worksheet.append([row.get(k) for k in KEYS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
