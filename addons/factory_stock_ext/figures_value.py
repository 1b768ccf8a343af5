# This file is part of factory_stock_ext.  The value side of the stock
# figures API (figures.py): which done moves count up to a date and what
# each is worth, as SQL expressions the reports of every addon build on.
from sql import Cast, Literal, Null, Window
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Abs, Round

from trytond.pool import Pool

# Values are rounded per move, as the stock accounting moves are, so every
# total of a report is the exact sum of its lines
VALUE_DIGITS = 2
# A quantity below this (in the default unit) is zero: quantities are
# floats summed move by move (0.1 + 0.2 - 0.3 kg is 5.6e-17, not 0)
ZERO_QUANTITY = 1e-6


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


def settle(flows, columns, partition):
    """flows with the value of each outgoing flow that empties its holding
    replaced by what is left of the holding's value: 0 kg is worth 0.

    flows is a query with the columns id, date, incoming (1/0), quantity
    and value (both positive) and those of the partition, which names the
    holding (['product'] for a warehouse or the company, ['product',
    'location'] for a bin, ...); columns are the ones returned.

    Each move is valued on its own and rounded to the cent, so the values
    of a stock received at uneven prices and issued piece by piece need
    not add up to zero when its quantity does (1 at 1.00 + 2 at 1.01 =
    3.02 in, three issues at the average 1.0067 = 3 × 1.01 = 3.03 out: 0 kg
    worth −0.01).  As an accountant does by hand (倒挤), the issue that
    empties the holding takes what is left of its value; the difference,
    cents of rounding, goes to the issue, that is to the cost of sales, of
    production or to the bin it moves to, not to a stock that no longer
    exists.  Each report settles at the level of its lines, so its lines
    at 0 are worth 0 and still add up (opening + in − out = closing).
    """
    names = columns + [k for k in partition if k not in columns]

    def window(query, *more):
        return Window([getattr(query, k) for k in partition] + list(more),
            order_by=[query.date.asc, query.id.asc])
    running = flows.select(*[getattr(flows, c) for c in names],
        Sum(signed(flows.incoming == 1, flows.quantity),
            window=window(flows)).as_('balance_quantity'))
    # An issue leaving the quantity at zero ends a run (a receipt keeps
    # its invoiced value, what it leaves goes to the next such issue); runs
    # are numbered by the number of such issues before them
    empties = Case(((running.incoming == 0)
            & (Abs(running.balance_quantity) < ZERO_QUANTITY), 1),
        else_=0)
    runs = running.select(*[getattr(running, c) for c in names],
        empties.as_('empties'),
        (Sum(empties, window=window(running)) - empties).as_('run'))
    # What the run leaves, that flow included: its value is given back
    left = Sum(signed(runs.incoming == 1, runs.value),
        window=window(runs, runs.run))
    value = Case((runs.empties == 1, Round(runs.value + left, VALUE_DIGITS)),
        else_=runs.value)
    return runs.select(*[value.as_('value') if c == 'value'
            else getattr(runs, c) for c in columns])


def is_zero(quantity):
    "SQL condition: the summed quantity is zero"
    return Abs(quantity) < ZERO_QUANTITY


def numeric(expression):
    "Cast a float column so that PostgreSQL can round it"
    return Cast(expression, 'NUMERIC')


def moves_up_to(move, company, date):
    "SQL condition on the done moves of the company up to the date"
    return ((move.state == 'done')
        & (move.company == company)
        & (move.effective_date <= date))


def signed(condition, expression):
    "expression when condition, else its opposite"
    return Case((condition, expression), else_=-expression)
