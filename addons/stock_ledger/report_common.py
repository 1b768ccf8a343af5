"""Shared pieces of the stock reports: which locations count and how a
report becomes a workbook.  Which moves count and what they are worth are
the rules of the stock figures API (factory_stock_ext figures and
figures_value), so the three reports (stock at a date, 收发存 ledger,
ageing) agree with each other and with every other addon.
"""
from trytond.model import ModelView, fields
from trytond.modules.factory_stock_ext import excel, figures
from trytond.pool import Pool
from trytond.transaction import Transaction


def inside(location, warehouse=None):
    """SQL condition: the location holds stock of the warehouse (a
    stock_location table; any warehouse of the company when None), by the
    one rule of stock.figures: only storage locations count, a production
    or lost and found location below a warehouse is out of its stock.
    """
    return figures.counted(location, None if warehouse is None
        else (warehouse.left, warehouse.right))


def strings(model, names):
    "Field labels in the user's language, for the workbook headers"
    Model = Pool().get(model)
    description = Model.fields_get(names)
    return [description[n]['string'] for n in names]


def workbook(sheets):
    """xlsx bytes of [(title, headers, rows)]: one sheet each, header frozen,
    through the Excel layer (texts formula-safe, titles valid)."""
    book = excel.workbook()
    book.remove(book.active)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(excel.title(title))
        excel.append(sheet, headers)
        for row in rows:
            excel.append(sheet, [cell(v) for v in row])
        for column in sheet.iter_cols(min_row=1, max_row=1):
            width = max(len(str(column[0].value or '')) + 4, 12)
            sheet.column_dimensions[column[0].column_letter].width = width
        sheet.freeze_panes = 'A2'
    return excel.save(book)


def cell(value):
    "Records as their name, numbers kept as numbers"
    if value is None:
        return None
    if hasattr(value, 'rec_name'):
        return value.rec_name
    return value


def company_date(company):
    "Today in the company's timezone"
    Date = Pool().get('ir.date')
    with Transaction().set_context(company=company):
        return Date.today()


class ReportExport(ModelView):
    __name__ = 'stock.ledger.report.export'
    __string__ = "Stock Report Export"
    file = fields.Binary("File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)
