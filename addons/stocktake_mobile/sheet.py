"""Count sheets: a printable blind sheet and an Excel round trip per task.

Neither carries book quantities (blind counting). The import records each
filled row through Count.record, the path of the mobile scans, so a sheet
count and a scan count are the same thing.
"""
from trytond.model import ModelView, fields
from trytond.modules.factory_stock_ext import excel
from trytond.modules.factory_stock_ext.exceptions import (
    CodedError, ExcelError)
from trytond.modules.company import CompanyReport
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import ScanError, SheetError
from .line import _absolute, _resolve

# Column order of the workbook; the import reads by position, not by the
# (translated) header, so a sheet exported in zh_CN imports anywhere
COLUMNS = ['location', 'code', 'product', 'lot', 'quantity']
DEVICE = 'sheet'
# A count sheet is one task: far fewer rows than the opening import
LIMITS = excel.Limits(rows=100000, columns=50)


def sheet_lines(task):
    "Lines to count on paper: all of them, or the flagged ones in recount"
    lines = [l for l in task.lines
        if task.state != 'recount' or l.recount_required]
    return sorted(lines, key=lambda l: (l.location.rec_name,
            l.product.code or '', l.product.rec_name,
            l.lot.number if l.lot else '', l.id))


def location_key(location):
    # Count.record accepts a location by code or by id
    return location.code or str(location.id)


class TaskSheet(CompanyReport):
    __name__ = 'stocktake.task.sheet'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['sheet_lines'] = sheet_lines
        return context


class TaskExportResult(ModelView):
    __name__ = 'stocktake.task.export.result'
    file = fields.Binary("File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)


class TaskExport(Wizard):
    "Export the lines of a task to count into an Excel workbook"
    __name__ = 'stocktake.task.export'
    start_state = 'result'
    result = StateView('stocktake.task.export.result',
        'stocktake_mobile.task_export_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_result(self, fields):
        return {'file': workbook(self.record),
            'filename': f'{self.record.rec_name}.xlsx'}


def workbook(task):
    "xlsx bytes: one row per line to count and an empty count column"
    pool = Pool()
    Line = pool.get('stocktake.task.line')
    Product = pool.get('product.product')
    strings = Line.fields_get(['location', 'product', 'lot',
            'counted_quantity'])
    headers = [strings['location']['string'],
        Product.fields_get(['code'])['code']['string'],
        strings['product']['string'], strings['lot']['string'],
        strings['counted_quantity']['string']]
    book = excel.workbook()
    sheet = book.active
    sheet.title = excel.title(task.rec_name)
    excel.append(sheet, headers)
    for line in sheet_lines(task):
        # Names and codes are user data: written formula-safe
        excel.append(sheet, [location_key(line.location),
                line.product.code or '', line.product.name,
                line.lot.number if line.lot else '', None])
    for column, width in zip('ABCDE', [14, 16, 40, 16, 16]):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = 'A2'
    return excel.save(book)


class TaskImportStart(ModelView):
    __name__ = 'stocktake.task.import.start'
    file = fields.Binary("File", required=True,
        help="The workbook exported for this task, with the counted "
        "quantities filled in.")


class TaskImport(Wizard):
    "Record the counts of a filled-in Excel sheet"
    __name__ = 'stocktake.task.import'
    start = StateView('stocktake.task.import.start',
        'stocktake_mobile.task_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()

    def transition_import_(self):
        import_counts(self.record, self.start.file)
        return 'end'


def read_rows(data):
    """[(row number, [location, code, lot, quantity])] of the filled rows,
    read through the Excel layer (limits checked before reading)"""
    rows = []
    try:
        for number, row in excel.read_rows(data, LIMITS):
            if number == 1:
                continue  # header
            row = (list(row) + [None] * len(COLUMNS))[:len(COLUMNS)]
            location, code, _, lot, quantity = [
                v.strip() if isinstance(v, str) else v for v in row]
            if quantity is None or quantity == '':
                continue  # not counted (yet)
            rows.append((number, [_text(location), _text(code), _text(lot),
                        _number(quantity)]))
    except ExcelError as exc:
        if exc.code != 'unreadable':
            raise  # beyond the limits: the layer's message says which
        raise SheetError('msg_sheet_invalid_file', error=exc.message) from exc
    return rows


def _number(value):
    "A quantity typed as text in a cell is read as the number it shows"
    if isinstance(value, str):
        try:
            return float(value.replace(',', ''))
        except ValueError:
            return value
    return value


def _text(value):
    # Codes typed as numbers come back as int/float from Excel
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return '' if value is None else str(value)


def import_counts(task, data):
    """Validate every row, then record them all: an error names its row and
    leaves the task as it was (nothing partial is written)"""
    pool = Pool()
    Count = pool.get('stocktake.count')
    Task = pool.get('stocktake.task')
    User = pool.get('res.user')
    # Same visibility as a scan: the user's record rules decide
    if not Task.search([('id', '=', task.id)], limit=1):
        raise ScanError('msg_task_not_found', task=task.id)
    if task.state not in {'open', 'recount'}:
        raise ScanError('msg_task_not_counting',
            task=task.rec_name, state=task.state)
    rows = read_rows(data)
    if not rows:
        raise SheetError('msg_sheet_empty', task=task.rec_name)
    known = {(location_key(l.location), l.product.code or '',
            l.lot.number if l.lot else ''): l for l in sheet_lines(task)}
    user = User(Transaction().user)
    valid = []
    with without_check_access():
        for number, (location, code, lot, quantity) in rows:
            try:
                product, _ = _resolve(code, lot or None)
                quantity = _absolute(quantity, product)
                line = known.get((location, code, lot))
                if line and task.state == 'recount' and (
                        line.first_counted_by == user):
                    raise ScanError('msg_recount_same_user',
                        line=line.rec_name, user=user.rec_name)
            except (ScanError, CodedError) as exc:
                raise SheetError('msg_sheet_row', row=number,
                    error=exc.message) from exc
            if not line:
                raise SheetError('msg_sheet_unknown_row', row=number,
                    location=location, code=code, lot=lot or '-',
                    task=task.rec_name)
            valid.append((location, code, lot, quantity))
        for location, code, lot, quantity in valid:
            Count.record(task, location, code, quantity,
                lot_code=lot or None, device=DEVICE)
    return len(valid)
