# This file is part of factory_stock_ext.  The one Excel layer of the
# addons (openpyxl): every import reads through read_rows, every export
# writes through append/save.
#
# Reading refuses a workbook before openpyxl touches it when its file, its
# unpacked parts (as declared in the zip and as really unpacked) or its
# shared strings are beyond the limits: a 0.6 MB file whose shared strings
# unpack to 174 MB is refused in milliseconds, from the zip directory.
# Rows and columns are limited while streaming (read-only mode).
#
# Writing stores every text as a text cell (never a formula, never an error
# value) and marks the texts that a spreadsheet would take for a formula
# (= + - @ tab CR first) with the "quote prefix" style, as Excel does for a
# text typed with a leading apostrophe: the value is kept exactly (an
# export imports back unchanged) and is never evaluated, on opening or when
# the cell is edited.
import io
import struct
import zipfile
import zlib
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from trytond.i18n import gettext

from .exceptions import ExcelError

MiB = 1024 * 1024
MAX_FILE = 32 * MiB
MAX_UNPACKED = 256 * MiB
MAX_SHARED_STRINGS_PART = 32 * MiB
MAX_SHARED_STRINGS = 1000000
MAX_PARTS = 10000
MAX_ROWS = 1000000
MAX_COLUMNS = 200
SHARED_STRINGS = 'xl/sharedStrings.xml'
CHUNK = 1024 * 1024
# What a spreadsheet reads as the start of a formula
FORMULA_START = ('=', '+', '-', '@', '\t', '\r')
# Excel's limit of a cell's text
MAX_CELL_TEXT = 32767


def _damaged():
    "What openpyxl, zipfile and the XML parsers raise on a damaged file"
    from openpyxl.utils.exceptions import InvalidFileException
    return (InvalidFileException, zipfile.BadZipFile, zlib.error,
        ParseError, expat.ExpatError, LookupError, ValueError, TypeError,
        OSError, EOFError, AttributeError, struct.error,
        NotImplementedError, OverflowError, KeyError)


def error(code, **variables):
    return ExcelError(code, gettext('factory_stock_ext.msg_excel_' + code,
            **variables))


def size_text(size):
    return '%.1f MB' % (size / MiB) if size >= MiB / 10 else '%d B' % size


class Limits:
    "The limits of one import (class attributes are the defaults)"
    file = MAX_FILE
    unpacked = MAX_UNPACKED
    shared_strings_part = MAX_SHARED_STRINGS_PART
    shared_strings = MAX_SHARED_STRINGS
    parts = MAX_PARTS
    rows = MAX_ROWS
    columns = MAX_COLUMNS

    def __init__(self, **limits):
        for name, value in limits.items():
            if not hasattr(Limits, name):
                raise TypeError(name)
            setattr(self, name, value)


def check_package(data, limits=None):
    """Refuse (ExcelError) a workbook beyond the limits before it is read:
    the file size, the unpacked sizes declared by the zip directory, then
    the sizes really unpacked (streamed, never held) and the number of
    shared strings"""
    limits = limits or Limits()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise error('unreadable')
    if len(data) > limits.file:
        raise error('file_too_large', size=size_text(len(data)),
            limit=size_text(limits.file))
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        parts = package.infolist()
    except _damaged():
        raise error('unreadable')
    if len(parts) > limits.parts:
        raise error('unreadable')
    declared = 0
    for part in parts:
        _check_size(part.filename, part.file_size, declared + part.file_size,
            limits)
        declared += part.file_size
    unpacked = 0
    try:
        for part in parts:
            unpacked = _unpack(package, part, unpacked, limits)
    except ExcelError:
        raise
    except (expat.ExpatError, *_damaged()):
        raise error('unreadable')
    return unpacked


def _check_size(name, size, total, limits):
    if name == SHARED_STRINGS and size > limits.shared_strings_part:
        raise error('unpacked_too_large', part=name, size=size_text(size),
            limit=size_text(limits.shared_strings_part))
    if total > limits.unpacked:
        raise error('unpacked_too_large', part=name, size=size_text(total),
            limit=size_text(limits.unpacked))


def _unpack(package, part, unpacked, limits):
    """Unpack one part by chunks, counting its bytes (zipfile stops at the
    declared size and checks the CRC, so a part that lies is damaged) and
    the shared strings; return the total so far"""
    counter = _StringCounter(limits) if part.filename == SHARED_STRINGS \
        else None
    size = 0
    with package.open(part) as stream:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            size += len(chunk)
            _check_size(part.filename, size, unpacked + size, limits)
            if counter:
                counter.feed(chunk)
    if counter:
        counter.feed(b'', final=True)
    return unpacked + size


class _StringCounter:
    "Count the <si> of the shared strings part while it is unpacked"

    def __init__(self, limits):
        self.limit = limits.shared_strings
        self.count = 0
        self.parser = expat.ParserCreate(namespace_separator=' ')
        self.parser.StartElementHandler = self.start
        # No DTD in an OOXML part: refused rather than expanded
        self.parser.StartDoctypeDeclHandler = self.doctype

    def doctype(self, *args):
        raise expat.ExpatError('DOCTYPE')

    def start(self, name, attributes):
        if name == 'si' or name.endswith(' si'):
            self.count += 1
            if self.count > self.limit:
                raise error('too_many_strings', limit=self.limit)

    def feed(self, data, final=False):
        self.parser.Parse(data, final)


def read_rows(data, limits=None, sheet=0):
    """Yield (row number, tuple of values) of a worksheet (the first by
    default), values as openpyxl reads them (data only), at most
    limits.columns per row.  ExcelError for a file that is unreadable or
    beyond the limits, refused before openpyxl reads it when the package
    shows it, else as soon as a row or a column is too many."""
    from openpyxl import load_workbook
    limits = limits or Limits()
    check_package(data, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True,
            data_only=True, keep_links=False)
    except _damaged():
        raise error('unreadable')
    try:
        worksheets = workbook.worksheets
        if len(worksheets) <= sheet:
            raise error('unreadable')
        # One column more than allowed: shows a row that is too wide
        rows = worksheets[sheet].iter_rows(max_col=limits.columns + 1,
            values_only=True)
        for number, values in enumerate(rows, 1):
            if number > limits.rows:
                raise error('too_many_rows', limit=limits.rows)
            if len(values) > limits.columns:
                if values[limits.columns] not in {None, ''}:
                    raise error('too_many_columns', row=number,
                        limit=limits.columns)
                values = values[:limits.columns]
            yield number, tuple(values)
    except ExcelError:
        raise
    # A damaged sheet only fails when its rows are parsed, not when opened
    except _damaged():
        raise error('unreadable')
    finally:
        workbook.close()


def safe_text(value):
    "A text as a cell can hold it: no illegal character, at most 32767"
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    return ILLEGAL_CHARACTERS_RE.sub('', value)[:MAX_CELL_TEXT]


def cell(sheet, value):
    """A cell of the sheet for a value of user data: a text is always a
    text cell, and one a spreadsheet would read as a formula is marked
    with the quote prefix (shown and kept as typed, never evaluated)"""
    from openpyxl.cell.cell import Cell
    if isinstance(value, str):
        text = safe_text(value)
        result = Cell(sheet, value=text)
        # openpyxl reads '=…' as a formula and '#N/A' as an error value
        result.data_type = 's'
        if text.startswith(FORMULA_START):
            result.quotePrefix = True
        return result
    return Cell(sheet, value=value)


def append(sheet, values):
    "Append a row of values to the sheet, every text made safe"
    sheet.append([cell(sheet, v) for v in values])


def title(text, default='Sheet'):
    "A valid sheet title: without []:*?/\\ and at most 31 characters"
    text = ''.join(c for c in safe_text(str(text or ''))
        if c not in '[]:*?/\\').strip("'")[:31]
    return text or default


def workbook():
    "A new empty workbook (openpyxl)"
    from openpyxl import Workbook
    return Workbook()


def save(book):
    "xlsx bytes of the workbook"
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def styles():
    "openpyxl.styles, for the exports' fonts and fills"
    from openpyxl import styles
    return styles
