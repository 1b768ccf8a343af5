"""Switch on our addons' features in the demo factory, as a site would.

Zones get their responsible people on the first day, a cycle-count program
runs over the year (counting.py), the main plant holds receipts for QC and
posts to the (fake) Kingdee ERP for the live days (live.py), and on the last
day the nightly jobs compute ABC classes, safety stock, order points, alerts
and the purchase requests they raise. Everything goes through the addons'
own models and scheduled-task methods.
"""
import datetime as dt

from trytond.pool import Pool
from trytond.transaction import Transaction

from . import erp

ZONE_OWNERS = {
    # zone location code: (responsible, deputies); the supervisor zhang
    # approves the main plant's counts, so he counts none of them there
    'WH1-A': ('li', ['zhao']),
    'WH1-B': ('zhao', ['li']),
    'WH1-C': ('li', ['zhao']),
    'WH2-A': ('zhao', ['zhang']),
    'WH2-B': ('zhao', ['zhang']),
    'WH2-C': ('zhang', ['zhao']),
    }
ZONE_NAMES = {'A': 'Raw materials 原材料区', 'B': 'Components 外购件区',
    'C': 'Finished goods 成品区'}
# Category code -> safety-stock method (the others take the configuration's
# default): every method of the addon has products to show
CATEGORY_METHODS = {'A02': 'service_lt', 'B02': 'seed', 'B03': 'fixed'}
# The Kingdee fake's warehouse and first materials (connectors/fakes/store)
ERP_WAREHOUSE = 'WH01'
# one in UNMAPPED_EVERY of the materials received in the live days has no
# mapping: the ERP refuses their receipts
UNMAPPED_EVERY = 4


def create_zones(sites, users):
    pool = Pool()
    Zone = pool.get('stock.location.zone')
    Location = pool.get('stock.location')
    values = []
    for site in sites:
        for location in Location.browse(site.zones.values()):
            responsible, deputies = ZONE_OWNERS[location.code]
            values.append({'code': location.code,
                    'name': ZONE_NAMES[location.code[-1]],
                    'warehouse': site.warehouse,
                    'responsible': users[responsible],
                    'deputies': [('add', [users[d] for d in deputies])],
                    'locations': [('add', [location.id])]})
    return Zone.create(values)


def hold_receipts_for_qc(site):
    "The main plant inspects every supplier receipt before put-away"
    Location = Pool().get('stock.location')
    qc, rejected = Location.create([
            {'name': 'WH1 QC hold 待检区', 'code': 'WH1-QC',
                'type': 'storage', 'parent': site.warehouse},
            {'name': 'WH1 Rejected 不合格品区', 'code': 'WH1-REJ',
                'type': 'storage', 'parent': site.warehouse}])
    Location.write([Location(site.warehouse)], {'qc_required': True,
            'qc_location': qc.id, 'rejected_location': rejected.id})


def configure_safety(items):
    """Methods for every product (configuration default and per category),
    fixed limits for the packaging, idle-stock days that a year shows"""
    pool = Pool()
    Config = pool.get('stock.safety.configuration')
    Category = pool.get('product.category')
    Template = pool.get('product.template')
    Product = pool.get('product.product')
    Config.write([Config(1)], {'default_method': 'service',
            'slow_days': 45, 'dead_days': 120, 'overstock_days': 90,
            'expiry_days': 45, 'qc_hold_days': 3,
            'order_cost': 200, 'holding_rate': 0.2})
    for category in Category.search([('material_code_prefix', 'in',
                    list(CATEGORY_METHODS))], order=[('id', 'ASC')]):
        Category.write([category], {'safety_method':
                CATEGORY_METHODS[category.material_code_prefix]})
    fixed = [it for it in items if it.code[:3] == 'B03']
    for item in fixed:
        template = Product(item.id).template
        Template.write([template], {'safety_min_quantity': 100,
                'safety_max_quantity': 400})


def count_program(site, company, start_date):
    "Cycle counts of the main plant: A monthly, B quarterly, C twice a year"
    Program = Pool().get('stocktake.program')
    program, = Program.create([{'name': 'WH1 cycle counts 一厂循环盘点',
                'company': company.id, 'warehouse': site.warehouse,
                'start_date': start_date, 'horizon': 7,
                'classes': [('create', [
                            {'abc_class': 'A', 'frequency': 30,
                                'tolerance_quantity': 0,
                                'tolerance_value': 0},
                            {'abc_class': 'B', 'frequency': 91,
                                'tolerance_quantity': 2,
                                'tolerance_value': 50},
                            {'abc_class': 'C', 'frequency': 182,
                                'tolerance_quantity': 5,
                                'tolerance_value': 200}])]}])
    return program


def erp_endpoint(company, site, items, url, unmapped):
    "Kingdee endpoint of the main plant with the codes the ERP knows"
    pool = Pool()
    Endpoint = pool.get('erp.sync.endpoint')
    Mapping = pool.get('erp.sync.mapping')
    endpoint, = Endpoint.create([{'name': 'Kingdee K3Cloud (demo fake)',
                'company': company.id, 'system': 'kingdee', 'base_url': url,
                'database': erp.ACCOUNT, 'username': erp.USERNAME,
                'password': erp.PASSWORD, 'supplier_code': 'VEN001',
                'customer_code': 'CUST001', 'key_prefix': 'DEMO-',
                'warehouses': [('add', [site.warehouse])],
                'max_attempts': 3, 'retry_delay': 600, 'timeout': 5,
                'call_attempts': 1, 'call_backoff': 0}])
    # The ERP knows most materials: the others are refused by it and end
    # as dead letters until someone maps them
    mapped = [it for it in items
        if it.kind != 'finished' and it.id not in unmapped]
    Mapping.create([{'endpoint': endpoint.id, 'type': 'location',
                'location': site.warehouse,
                'remote_code': ERP_WAREHOUSE}]
        + [{'endpoint': endpoint.id, 'type': 'product', 'product': it.id,
                'remote_code': f'P{it.id:06d}'} for it in mapped])
    return endpoint


def nightly():
    """The last night's scheduled tasks (as root): ABC classes, statistics,
    safety stock and order points, alerts"""
    pool = Pool()
    ProductABC = pool.get('stock.product.abc')
    Usage = pool.get('stock.safety.usage')
    Balance = pool.get('stock.safety.balance')
    ProductABC.compute()
    # the history was written in bulk: the kept usage and balance are
    # rebuilt from the moves (stock_safety_alert README)
    Usage.rebuild()
    Balance.rebuild()
    pool.get('stock.safety.nightly').run()


def close_stock_periods(start_date, end_date, open_months=2):
    """The month-end routine: core's stock periods closed for every month of
    the history but the last open_months (late receipts, counts and cost
    revisions still land there), and none that core refuses (see below).
    Stock figures (stock.figures) then start from the closed period's
    caches instead of summing the whole history; returns the dates closed"""
    pool = Pool()
    Period = pool.get('stock.period')
    Move = pool.get('stock.move')
    company = Transaction().context['company']
    month = end_date.replace(day=1)
    for _ in range(open_months - 1):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    last = month - dt.timedelta(days=1)
    # core refuses to close a period on or after an assigned move's date,
    # and (stock_lot_sled) after a move of a lot whose shelf life has not
    # ended yet
    assigned = Move.search([('company', '=', company),
            ('state', '=', 'assigned')])
    fresh = [('company', '=', company),
        ('lot.shelf_life_expiration_date', '>=', end_date)]
    dates = [m.effective_date or m.planned_date for m in assigned]
    for name in ['effective_date', 'planned_date']:
        dates += [getattr(m, name) for m in Move.search(
                fresh + [(name, '!=', None)],
                order=[(name, 'ASC')], limit=1)]
    waiting = min(filter(None, dates), default=None)
    dates, day = [], start_date
    while True:
        # the last day of day's month
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) \
            - dt.timedelta(days=1)
        if day > last or (waiting and day >= waiting):
            break
        dates.append(day)
        day += dt.timedelta(days=1)
    periods = Period.create([{'company': company, 'date': d} for d in dates])
    Period.close(periods)
    return dates


def purchase_requests(warehouse_ids):
    "Core stock_supply: the purchase requests the order points call for"
    pool = Pool()
    Request = pool.get('purchase.request')
    Location = pool.get('stock.location')
    Request.generate_requests(warehouses=Location.browse(warehouse_ids))


def reconcile(date):
    "The accountant reconciles the stock value with the stock accounts"
    pool = Pool()
    Reconcile = pool.get('stock.ledger.reconcile')
    record, = Reconcile.create([{'date': date}])
    Reconcile.compute([record])
    return record.id


def average_cost(product_id):
    "One material is valued at its average cost (the others at fixed cost)"
    pool = Pool()
    Product = pool.get('product.product')
    Template = pool.get('product.template')
    Template.write([Product(product_id).template],
        {'cost_price_method': 'average'})


def change_cost(product_id, date, expression):
    """A cost revision dated back to `date` of an average-cost product,
    through core's Modify Cost Price wizard: core recomputes the cost of the
    moves since then and books no stock revaluation for them, which the
    reconciliation's drill-down then shows (moves and product)"""
    pool = Pool()
    Modify = pool.get('product.modify_cost_price', type='wizard')
    session, _, _ = Modify.create()
    with Transaction().set_context(active_model='product.product',
            active_id=product_id, active_ids=[product_id]):
        Modify.execute(session, {'start': {'date': date,
                    'cost_price': expression}}, 'modify')
    Modify.delete(session)


def write_down(date, amount):
    """The accountant writes stock down by a manual entry on the stock
    account: the reconciliation's drill-down names it. (A cost revision
    through the wizard is booked by account_stock_continental itself and
    leaves no difference.)"""
    pool = Pool()
    Move = pool.get('account.move')
    Period = pool.get('account.period')
    Category = pool.get('product.category')
    Data = pool.get('ir.model.data')
    Company = pool.get('company.company')
    company = Company(Transaction().context['company'])
    category, = Category.search([('accounting', '=', True)], limit=1)
    move, = Move.create([{
                'journal': Data.get_id('account', 'journal_miscellaneous'),
                'period': Period.find(company, date=date).id,
                'date': date,
                'description': 'Write-down of damaged stock 存货跌价',
                'lines': [('create', [
                            {'account': category.account_stock.id,
                                'debit': 0, 'credit': amount},
                            {'account': category.account_expense.id,
                                'debit': amount, 'credit': 0}])]}])
    Move.post([move])
