"Shared ORM fixture for the route and browser tests (no test case here)"
from decimal import Decimal

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.transaction import Transaction

XSS_NAME = '<img src=x onerror="window.__xss=1">Bolt & <b>nut</b>'


def create_user(login, group_xml_ids, company):
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    Application = pool.get('res.user.application')
    groups = [ModelData.get_id('factory_stock_ext', g) for g in group_xml_ids]
    user, = User.create([{'login': login, 'name': login.title(),
                'groups': [('add', groups)],
                'companies': [('add', [company.id])],
                'company': company.id}])
    application, = Application.create([{'user': user.id,
                'application': 'stocktake_mobile', 'state': 'validated'}])
    return user, application.key


def setup_stock(products=4, bins=3):
    """Company, warehouse bins in two zones, counters with keys, stock.

    Returns a dict of ids and keys usable after the transaction ends.
    """
    pool = Pool()
    Location = pool.get('stock.location')
    Zone = pool.get('stock.location.zone')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Move = pool.get('stock.move')
    Lot = pool.get('stock.lot')
    Identifier = pool.get('product.identifier')

    company = create_company()
    with set_company(company):
        warehouse, = Location.search([('code', '=', 'WH')])
        supplier, = Location.search([('code', '=', 'SUP')])
        storage = warehouse.storage_location
        alice, alice_key = create_user('alice', ['group_factory_clerk'],
            company)
        bob, bob_key = create_user('bob', ['group_factory_clerk'], company)
        carol, carol_key = create_user('carol', ['group_factory_clerk'],
            company)
        boss, boss_key = create_user('boss', ['group_factory_supervisor'],
            company)
        locations = Location.create([{'name': f'Bin {i}', 'code': f'B{i}',
                    'type': 'storage', 'parent': storage.id}
                for i in range(1, bins + 1)])
        other, = Location.create([{'name': 'Other bin', 'code': 'X1',
                    'type': 'storage', 'parent': storage.id}])
        zone, other_zone = Zone.create([{'name': 'Zone A', 'code': 'ZA',
                    'warehouse': warehouse.id, 'responsible': alice.id,
                    'deputies': [('add', [bob.id])],
                    'locations': [('add', [l.id for l in locations])]},
                {'name': 'Zone B', 'code': 'ZB', 'warehouse': warehouse.id,
                    'responsible': carol.id,
                    'locations': [('add', [other.id])]}])
        unit, = Uom.search([('name', '=', 'Unit')])
        templates = Template.create([{
                    'name': XSS_NAME if i == 1 else f'Part {i}',
                    'type': 'goods', 'default_uom': unit.id,
                    'code': f'P{i:03d}',
                    'products': [('create', [{
                                    'cost_price': Decimal(10)}])],
                    } for i in range(1, products + 1)])
        product_list = [t.products[0] for t in templates]
        Identifier.create([{'product': product_list[1].id,
                    'type': 'ean', 'code': '4006381333931'}])
        lot, = Lot.create([{'number': 'LOT-7', 'product': product_list[2].id}])
        moves = Move.create([{
                    'product': p.id, 'unit': unit.id, 'quantity': 10,
                    'from_location': supplier.id, 'to_location': l.id,
                    'unit_price': Decimal(10), 'currency': company.currency.id,
                    'company': company.id,
                    'lot': lot.id if p == product_list[2] else None,
                    } for p in product_list for l in locations + [other]])
        with Transaction().set_context(_skip_warnings=True):
            Move.do(moves)
    return {
        'company': company.id, 'warehouse': warehouse.id,
        'locations': [l.id for l in locations], 'other': other.id,
        'zone': zone.id, 'other_zone': other_zone.id,
        'products': [p.id for p in product_list], 'lot': lot.id,
        'users': {'alice': alice.id, 'bob': bob.id, 'carol': carol.id,
            'boss': boss.id},
        'keys': {'alice': alice_key, 'bob': bob_key, 'carol': carol_key,
            'boss': boss_key},
        }


def create_task(data, user='alice', strict=False):
    "An ad-hoc location task on the first two bins of zone A"
    pool = Pool()
    Task = pool.get('stocktake.task')
    Location = pool.get('stock.location')
    User = pool.get('res.user')
    Company = pool.get('company.company')
    with Transaction().set_context(company=data['company']):
        task = Task.create_adhoc('location',
            Location(data['warehouse']),
            locations=Location.browse(data['locations'][:2]),
            assignee=User(data['users'][user]), strict=strict)
        task.zone = data['zone']
        task.company = Company(data['company'])
        task.save()
    return task.id
