"Workbooks that attack a reader, for the tests of every import"
import io
import zipfile

from openpyxl import Workbook

MiB = 1024 * 1024


def workbook_bytes(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def zip_bomb(unpacked=174 * MiB, rows=None):
    """A valid .xlsx (rows of the first sheet, strings inline) whose shared
    strings part unpacks to `unpacked` bytes: ~0.2 % of it once packed"""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes(
                rows or [['Location', 'Code', 'Product', 'Lot', 'Qty']])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != 'xl/sharedStrings.xml':
                target.writestr(item, source.read(item.filename))
        head = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns='
            b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        one = b'<si><t>' + b'A' * 1000 + b'</t></si>'
        with target.open('xl/sharedStrings.xml', 'w',
                force_zip64=True) as part:
            part.write(head)
            block = one * 1024
            written = len(head)
            while written < unpacked:
                part.write(block)
                written += len(block)
            part.write(b'</sst>')
    return out.getvalue()


def many_strings(count):
    "A valid .xlsx with `count` tiny shared strings"
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes([['a']])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != 'xl/sharedStrings.xml':
                target.writestr(item, source.read(item.filename))
        target.writestr('xl/sharedStrings.xml',
            b'<?xml version="1.0"?><sst xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main">'
            + b'<si><t>a</t></si>' * count + b'</sst>')
    return out.getvalue()
