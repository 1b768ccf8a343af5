"""Shared pieces of the stock reports: which moves count, what they are
worth and how a report becomes a workbook.

The rules live here once so the three reports (stock at a date, 收发存
ledger, ageing) always agree with each other.
"""
from sql import Cast, Literal, Null
from sql.conditionals import Case, Coalesce
from sql.functions import Round

from trytond.model import ModelView, fields
from trytond.modules.factory_stock_ext import excel
from trytond.pool import Pool
from trytond.transaction import Transaction

# Values are rounded per move, as the stock accounting moves are, so every
# total of a report is the exact sum of its lines
VALUE_DIGITS = 2


def move_value(move):
    """SQL value of a move (always positive, company currency).

    quantity × cost price of the move; when the move carries no cost price
    (purchase returns before do, ...) its unit price; moves between two
    storage locations carry neither and take the last cost price known for
    the product at their date, so a transfer leaves a warehouse with the
    value it arrives with in the other one.
    """
    Move = Pool().get('stock.move')
    previous = Move.__table__()
    last_cost = previous.select(previous.cost_price,
        where=(previous.product == move.product)
        & (previous.company == move.company)
        & (previous.state == 'done')
        & (previous.cost_price != Null)
        & ((previous.effective_date < move.effective_date)
            | ((previous.effective_date == move.effective_date)
                & (previous.id <= move.id))),
        order_by=[previous.effective_date.desc, previous.id.desc],
        limit=1)
    quantity = numeric(move.internal_quantity)
    return Round(Coalesce(
            quantity * move.cost_price,
            numeric(move.quantity) * move.unit_price,
            quantity * last_cost,
            Literal(0)), VALUE_DIGITS)


def numeric(expression):
    "Cast a float column so that PostgreSQL can round it"
    return Cast(expression, 'NUMERIC')


def inside(location, warehouse=None):
    """SQL condition: the location holds stock of the warehouse (or of any
    warehouse of the company when none is given).

    Only storage locations count: a production or lost and found location
    below a warehouse is out of its stock.
    """
    condition = location.type == 'storage'
    if warehouse is not None:
        condition &= ((location.left >= warehouse.left)
            & (location.right <= warehouse.right))
    return condition


def moves_up_to(move, company, date):
    "SQL condition on the done moves of the company up to the date"
    return ((move.state == 'done')
        & (move.company == company)
        & (move.effective_date <= date))


def signed(condition, expression):
    "expression when condition, else its opposite"
    return Case((condition, expression), else_=-expression)


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
