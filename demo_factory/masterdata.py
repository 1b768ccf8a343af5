"""Master data of the demo factory, created through the Tryton ORM.

The ORM is used here (not SQL) because these records are few and carry the
defaults, translations and multi-company values Tryton computes on create.
"""
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

from . import names



@dataclass
class Item:
    "What the history simulation needs to know about one product"
    id: int
    code: str
    kind: str            # raw, component, finished
    unit: int
    cost: Decimal
    price: Decimal
    lots: bool
    shelf_life: int
    supplier: int = None
    lead_time: int = 0
    warehouse: int = None  # finished goods: where they are made and shipped
    bins: dict = field(default_factory=dict)  # warehouse id -> bin id
    bom: list = field(default_factory=list)   # [(item index, qty per unit)]


@dataclass
class Site:
    warehouse: int
    input: int
    output: int
    storage: int
    production: int
    zones: dict          # kind -> zone location id
    bins: dict           # kind -> [bin ids]


def _ref(module, xml_id):
    return Pool().get('ir.model.data').get_id(module, xml_id)


def create_company(options):
    pool = Pool()
    Currency = pool.get('currency.currency')
    Rate = pool.get('currency.currency.rate')
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    User = pool.get('res.user')
    currency, = Currency.create([{'name': 'Chinese Yuan', 'symbol': '¥',
                'code': 'CNY', 'rounding': Decimal('0.01'), 'digits': 2}])
    Rate.create([{'currency': currency.id, 'rate': Decimal(1),
                'date': options.start_date - dt.timedelta(days=1)}])
    party, = Party.create([{'name': 'Demo Factory Co. 示范制造有限公司',
                'addresses': [('create', [{'city': 'Suzhou 苏州'}])]}])
    company, = Company.create([{'party': party.id, 'currency': currency.id}])
    admin = User(_ref('res', 'user_admin'))
    User.write([admin], {'companies': [('add', [company.id])],
            'company': company.id})
    return company


def create_accounting(company, today):
    """A minimal chart, and continental stock accounting on the category of
    every product, for the fiscal years of the history; returns the
    category and where the history's stock account moves go"""
    from trytond.modules.account.tests import create_chart, get_fiscalyear

    from .loader import StockAccounts
    pool = Pool()
    Account = pool.get('account.account')
    FiscalYear = pool.get('account.fiscalyear')
    Period = pool.get('account.period')
    Category = pool.get('product.category')
    create_chart(company)
    for year in [today.year - 1, today.year]:
        fiscalyear = get_fiscalyear(company, today=dt.date(year, 6, 30))
        fiscalyear.account_stock_method = 'continental'
        fiscalyear.save()
        FiscalYear.create_period([fiscalyear])

    def account(domain):
        found, = Account.search([('company', '=', company.id),
                ('closed', '!=', True)] + domain, limit=1,
            order=[('code', 'ASC'), ('id', 'ASC')])
        return found
    expense = account([('type.expense', '=', True)])
    revenue = account([('type.revenue', '=', True)])
    # the accounts core's continental scenario uses
    stock = account([('code', '=', '1.3.1')])
    stock_in = account([('code', '=', '5.1.5')])
    stock_out, = Account.copy([stock_in], default={
            'name': 'Stock Out 存货发出', 'code': '5.1.6'})
    category, = Category.create([{'name': 'Stock items 存货',
                'accounting': True, 'account_expense': expense.id,
                'account_revenue': revenue.id, 'account_stock': stock.id,
                'account_stock_in': stock_in.id,
                'account_stock_out': stock_out.id}])
    periods = sorted((p.start_date, p.end_date, p.id) for p in Period.search(
            [('fiscalyear.company', '=', company.id),
                ('type', '=', 'standard')]))
    return category, StockAccounts(stock.id, stock_in.id, stock_out.id,
        _ref('account', 'journal_stock'), periods)


def create_users(company):
    pool = Pool()
    User = pool.get('res.user')
    Lang = pool.get('ir.lang')
    langs = {l.code: l.id for l in Lang.search([])}
    users = {}
    for login, name, lang, groups in names.USERS:
        user, = User.create([{'login': login, 'name': name,
                    'password': 'factory', 'language': langs.get(lang),
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'groups': [('add', [_ref('factory_stock_ext', g)
                                for g in groups])]}])
        users[login] = user.id
    return users


def _site(warehouse, input_, output, storage, production, rng, code, bins):
    Location = Pool().get('stock.location')
    zones, zone_bins = {}, {}
    for kind, letter in [('raw', 'A'), ('component', 'B'),
            ('finished', 'C')]:
        zone, = Location.create([{'name': f'{code}-{letter}',
                    'code': f'{code}-{letter}', 'type': 'storage',
                    'parent': storage}])
        zones[kind] = zone.id
        zone_bins[kind] = [b.id for b in Location.create([{
                        'name': f'{code}-{letter}-{r:02d}-{c:02d}',
                        'code': f'{code}-{letter}-{r:02d}-{c:02d}',
                        'type': 'storage', 'parent': zone.id}
                    for r in range(1, bins + 1) for c in (1, 2)])]
    return Site(warehouse, input_, output, storage, production, zones,
        zone_bins)


def create_warehouses(options, rng):
    pool = Pool()
    Location = pool.get('stock.location')
    main = Location(_ref('stock', 'location_warehouse'))
    Location.write([main], {'name': 'WH1 Main plant 一厂主仓', 'code': 'WH1'})
    prod1 = _ref('production', 'location_production')
    bins = max(4, min(40, options.products // 30))
    site1 = _site(main.id, main.input_location.id, main.output_location.id,
        main.storage_location.id, prod1, rng, 'WH1', bins)
    # a warehouse needs its zones at creation, and they need it as parent
    input_, output, storage = Location.create([
            {'name': 'WH2 Input 收货区', 'code': 'WH2-IN', 'type': 'storage'},
            {'name': 'WH2 Output 发货区', 'code': 'WH2-OUT',
                'type': 'storage'},
            {'name': 'WH2 Storage 存储区', 'code': 'WH2-STO',
                'type': 'storage'}])
    prod2, = Location.create([{'name': 'WH2 Production 二厂生产',
                'code': 'WH2-PROD', 'type': 'production'}])
    wh2, = Location.create([{'name': 'WH2 Assembly plant 二厂仓',
                'code': 'WH2', 'type': 'warehouse',
                'input_location': input_.id, 'output_location': output.id,
                'storage_location': storage.id,
                'production_location': prod2.id}])
    Location.write([input_, output, storage], {'parent': wh2.id})
    site2 = _site(wh2.id, input_.id, output.id, storage.id, prod2.id, rng,
        'WH2', max(2, bins // 2))
    return [site1, site2]


def create_parties(rng):
    Party = Pool().get('party.party')
    suppliers = Party.create([{'name': n, 'code': f'S{i + 1:03d}',
                'addresses': [('create', [{}])]}
            for i, n in enumerate(names.SUPPLIERS)])
    customers = Party.create([{'name': n, 'code': f'C{i + 1:03d}',
                'addresses': [('create', [{}])]}
            for i, n in enumerate(names.CUSTOMERS)])
    return [p.id for p in suppliers], [p.id for p in customers]
