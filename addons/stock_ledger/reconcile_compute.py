"""Stock value against the stock accounts of account_stock_continental.

Stock side: per product and warehouse, the quantity on hand at the date
(done moves) times the product cost at the date.  Books side: the balance of
the categories' stock accounts (posted and draft account moves).

The difference is explained by lines that add up to it exactly:
- missing: done move that continental accounting books but has no entry;
- amount: booked amount differs from quantity x price of the move now;
- cost: quantity x cost differs from the moves' value plus booked
  revaluations (cost price changed without a stock account move);
- unaccounted: move in a fiscal year without account stock method;
- other: entries on the stock accounts not from stock moves or products.

Each move is valued like account_stock_continental does it: unit price for
supplier / production / warehouse receipts of non-fixed cost products,
cost price otherwise.  The SQL is set-based; Python only rounds and adds up
the fetched rows the way the continental code rounds them.
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce
from sql.operators import Exists

from trytond.modules.account_product.exceptions import AccountError
from trytond.modules.product import round_price
from trytond.pool import Pool
from trytond.transaction import Transaction

# (from type, to type) -> continental move type, only those crossing storage
MOVE_TYPES = {
    ('supplier', 'storage'): 'in_supplier',
    ('storage', 'supplier'): 'out_supplier',
    ('storage', 'customer'): 'out_customer',
    ('customer', 'storage'): 'in_customer',
    ('storage', 'lost_found'): 'out_lost_found',
    ('lost_found', 'storage'): 'in_lost_found',
    ('storage', 'production'): 'out_production',
    ('production', 'storage'): 'in_production',
    }
UNIT_PRICE_TYPES = {'in_supplier', 'out_supplier', 'in_production',
    'in_warehouse'}


def category_accounts(company):
    "Return {category id: stock account id or None} following parents"
    pool = Pool()
    Category = pool.get('product.category')
    result = {}
    with Transaction().set_context(company=company.id):
        for category in Category.search([('accounting', '=', True)]):
            try:
                account = category.account_stock_used
            except AccountError:
                account = None
            result[category.id] = account.id if account else None
    return result


def _moves_query(company, date):
    "Done goods moves of the company up to date that cross storage"
    pool = Pool()
    Move = pool.get('stock.move')
    Location = pool.get('stock.location')
    Product = pool.get('product.product')
    Template = pool.get('product.template')
    CostMethod = pool.get('product.cost_price_method')
    FiscalYear = pool.get('account.fiscalyear')
    move, from_, to = Move.__table__(), Location.__table__(), \
        Location.__table__()
    product, template = Product.__table__(), Template.__table__()
    method, fiscalyear = CostMethod.__table__(), FiscalYear.__table__()
    accounted = Exists(fiscalyear.select(Literal(1),
            where=(fiscalyear.company == company.id)
            & (fiscalyear.start_date <= move.effective_date)
            & (fiscalyear.end_date >= move.effective_date)
            & (fiscalyear.account_stock_method != Null)))
    query = (move
        .join(from_, condition=move.from_location == from_.id)
        .join(to, condition=move.to_location == to.id)
        .join(product, condition=move.product == product.id)
        .join(template, condition=product.template == template.id)
        .join(method, 'LEFT', condition=(method.template == template.id)
            & (method.company == company.id))
        .select(move.id, move.product, move.effective_date,
            move.quantity, move.unit, template.default_uom,
            move.cost_price, move.unit_price, move.currency,
            from_.type, to.type,
            Coalesce(method.cost_price_method, 'fixed'),
            Case((accounted, Literal(1)), else_=Literal(0)),
            where=(move.company == company.id)
            & (move.state == 'done')
            & (move.effective_date <= date)
            & (template.type == 'goods')
            & (((from_.type == 'storage') & (to.type != 'storage'))
                | ((from_.type != 'storage') & (to.type == 'storage'))),
            order_by=[move.product, move.effective_date, move.id]))
    return query


def move_values(company, date):
    """Yield (move id, product, date, move type or None, accounted, value)
    in done order per product, and the cost of the last move per product"""
    pool = Pool()
    Uom = pool.get('product.uom')
    Move = pool.get('stock.move')
    cursor = Transaction().connection.cursor()
    cursor.execute(*_moves_query(company, date))
    rows = cursor.fetchall()
    uoms = {}

    def uom(id_):
        if id_ not in uoms:
            uoms[id_] = Uom(id_)
        return uoms[id_]
    # unit_price_company needs currency rates: read it only for moves in
    # another currency
    foreign = [r[0] for r in rows
        if r[8] is not None and r[8] != company.currency.id]
    foreign = {m.id: m.unit_price_company for m in Move.browse(foreign)}
    last_cost = {}
    result = []
    for (id_, product, date_, quantity, unit, default_uom, cost_price,
            unit_price, currency, from_type, to_type, method,
            accounted) in rows:
        type_ = MOVE_TYPES.get((from_type, to_type))
        if type_ in UNIT_PRICE_TYPES and method != 'fixed':
            if id_ in foreign:
                price = foreign[id_]
            elif unit_price is not None:
                price = round_price(Uom.compute_price(
                        uom(unit), Decimal(str(unit_price)),
                        uom(default_uom)))
            else:
                price = None
        else:
            price = cost_price
        if price is not None:
            price = Uom.compute_price(
                uom(default_uom), Decimal(str(price)), uom(unit))
        value = company.currency.round(
            Decimal(str(quantity)) * (price or Decimal(0)))
        if to_type != 'storage':
            value = -value
        if cost_price is not None:
            last_cost[product] = Decimal(str(cost_price))
        result.append((id_, product, date_, type_, bool(accounted), value))
    return result, last_cost


def quantities(company, date):
    "Return {(product, warehouse): quantity in default unit} at date"
    pool = Pool()
    Move = pool.get('stock.move')
    Location = pool.get('stock.location')
    Product = pool.get('product.product')
    Template = pool.get('product.template')
    move, product, template = (Move.__table__(), Product.__table__(),
        Template.__table__())
    location, warehouse = Location.__table__(), Location.__table__()

    def side(column, sign):
        return (move
            .join(product, condition=move.product == product.id)
            .join(template, condition=product.template == template.id)
            .join(location, condition=column == location.id)
            .join(warehouse, 'LEFT',
                condition=(warehouse.type == 'warehouse')
                & (warehouse.left <= location.left)
                & (warehouse.right >= location.right))
            .select(move.product, warehouse.id.as_('warehouse'),
                (move.internal_quantity * sign).as_('quantity'),
                where=(move.company == company.id)
                & (move.state == 'done')
                & (move.effective_date <= date)
                & (template.type == 'goods')
                & (location.type == 'storage')))
    union = side(move.to_location, 1) | side(move.from_location, -1)
    union.all_ = True
    query = union.select(union.product, union.warehouse,
        Sum(union.quantity), group_by=[union.product, union.warehouse])
    cursor = Transaction().connection.cursor()
    cursor.execute(*query)
    return {(p, w): q for p, w, q in cursor.fetchall() if q}


def current_costs(company, products):
    pool = Pool()
    CostPrice = pool.get('product.cost_price')
    cost = CostPrice.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*cost.select(cost.product, cost.cost_price,
            where=(cost.company == company.id)))
    return {p: Decimal(str(c)) for p, c in cursor.fetchall()
        if p in products and c is not None}


def booked_entries(company, date, accounts):
    """Return rows (account move, origin, date, state, account, amount,
    number) for the stock accounts up to date"""
    pool = Pool()
    AccountMove = pool.get('account.move')
    Line = pool.get('account.move.line')
    am, line = AccountMove.__table__(), Line.__table__()
    if not accounts:
        return []
    query = (line.join(am, condition=line.move == am.id)
        .select(am.id, am.origin, am.date, am.state, line.account,
            Sum(Coalesce(line.debit, 0) - Coalesce(line.credit, 0)),
            am.number,
            where=(am.company == company.id) & (am.date <= date)
            & line.account.in_(list(accounts)),
            group_by=[am.id, am.origin, am.date, am.state, line.account,
                am.number]))
    cursor = Transaction().connection.cursor()
    cursor.execute(*query)
    # SQLite sums numerics as floats
    return [r[:5] + (company.currency.round(Decimal(str(r[5] or 0))),)
        + r[6:] for r in cursor.fetchall()]


def product_categories(products):
    "Return {product: account category id or None}"
    pool = Pool()
    Product = pool.get('product.product')
    Template = pool.get('product.template')
    product, template = Product.__table__(), Template.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*product.join(template,
            condition=product.template == template.id)
        .select(product.id, template.account_category))
    return {p: c for p, c in cursor.fetchall() if p in products}


def reconcile(company, date):
    """Return dict with 'values' [(warehouse, category, account, quantity,
    value)], 'accounts' [(account, value, balance, draft)] and
    'differences' [dict(kind, product, move, account_move, date, account,
    expected, booked, description)]"""
    pool = Pool()
    Date = pool.get('ir.date')
    round_ = company.currency.round
    with Transaction().set_context(company=company.id):
        today = Date.today()
    cat2account = category_accounts(company)
    stock_accounts = {a for a in cat2account.values() if a}

    moves, last_cost = move_values(company, date)
    qties = quantities(company, date)
    products = {p for p, _ in qties} | {m[1] for m in moves}
    prod2cat = product_categories(products)
    costs = current_costs(company, products)
    if date < today:
        # A done move stamps the product cost of its time on itself.
        costs.update(last_cost)

    def account_of(product):
        return cat2account.get(prod2cat.get(product))

    # stock side
    values = defaultdict(lambda: [0., Decimal(0)])
    product_value = defaultdict(Decimal)
    for (product, warehouse), quantity in qties.items():
        value = round_(Decimal(str(quantity)) * costs.get(product, 0))
        key = (warehouse, prod2cat.get(product), account_of(product))
        values[key][0] += quantity
        values[key][1] += value
        product_value[product] += value

    # books side
    by_move = defaultdict(Decimal)
    move_booked = set()
    revaluation = defaultdict(Decimal)
    others = []
    balance = defaultdict(lambda: [Decimal(0), Decimal(0)])
    move_ids = {m[0] for m in moves}
    for am, origin, am_date, state, account, amount, number in \
            booked_entries(company, date, stock_accounts):
        balance[account][0] += amount
        if state == 'draft':
            balance[account][1] += amount
        model, _, id_ = (origin or '').partition(',')
        if model == 'stock.move' and id_ and int(id_) in move_ids:
            by_move[int(id_)] += amount
            move_booked.add(int(id_))
        elif model == 'product.product' and id_ and int(id_) in products:
            revaluation[int(id_)] += amount
        elif amount:
            others.append(dict(kind='other', account_move=am, date=am_date,
                    account=account, expected=Decimal(0), booked=amount,
                    description=number or ''))

    differences = []
    move_value = defaultdict(Decimal)
    for id_, product, date_, type_, accounted, value in moves:
        move_value[product] += value
        booked = by_move.get(id_, Decimal(0))
        if value == booked:
            continue
        if id_ in move_booked:
            kind = 'amount'
        elif type_ and accounted:
            kind = 'missing'
        else:
            kind = 'unaccounted'
        differences.append(dict(kind=kind, product=product, move=id_,
                date=date_, account=account_of(product), expected=value,
                booked=booked, description=type_ or ''))
    for product in sorted(products):
        expected = product_value[product] - move_value[product]
        booked = revaluation.get(product, Decimal(0))
        if expected != booked:
            differences.append(dict(kind='cost', product=product,
                    date=date, account=account_of(product),
                    expected=expected, booked=booked,
                    description=str(costs.get(product, ''))))
    differences.extend(others)

    accounts = {}
    for (warehouse, category, account), (_, value) in values.items():
        accounts.setdefault(account, [Decimal(0)] * 3)[0] += value
    for account, (total, draft) in balance.items():
        line = accounts.setdefault(account, [Decimal(0)] * 3)
        line[1] += total
        line[2] += draft
    return {
        'values': [(w, c, a, q, v) for (w, c, a), (q, v) in values.items()],
        'accounts': [(a, v, b, d) for a, (v, b, d) in accounts.items()],
        'differences': differences,
        }
