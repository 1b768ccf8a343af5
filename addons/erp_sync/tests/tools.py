# This file is part of the factory addons.
"""Helpers shared by the erp_sync DB tests (not a test module).

The worker commits per record in its own transaction, so the tests commit
their setup: on PostgreSQL a new transaction does not see uncommitted rows.
Each test therefore creates its own company, products and endpoint.
"""
import itertools
import os
from decimal import Decimal

from trytond import config
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.transaction import Transaction

from connectors.fakes.kingdee import FakeKingdee

_counter = itertools.count(1)
# The fault tests' read timeout: each "timeout" fault (an answer held for
# HOLD, longer) costs it in wall time, ~40 of them a run (0.5 s made a fault
# test wait 18 s of its 26); answers of the fake take a few ms, and one late
# beyond it is only one more fault the outbox must survive
TIMEOUT = 0.2
HOLD = 0.6
# The server's key for the credentials ([erp_sync] secret_key); worker
# subprocesses get it through the environment (TRYTOND_ERP_SYNC__SECRET_KEY).
TEST_KEY = 'mJ1kq0Xc7w3H7l1pB1yq1c3PqCz3uYc5o0b3wJx2m5k='


def ensure_secret_key(key=TEST_KEY):
    if not config.has_section('erp_sync'):
        config.add_section('erp_sync')
    config.set('erp_sync', 'secret_key', key)
    os.environ['TRYTOND_ERP_SYNC__SECRET_KEY'] = key


ensure_secret_key()


def start_fake(testcase, **options):
    "A fresh fake K3Cloud on 127.0.0.1, stopped when the test ends"
    options.setdefault('stock_rows', 0)
    options.setdefault('materials', 0)
    fake = FakeKingdee(**options).start()
    testcase.addCleanup(fake.stop)
    return fake


def new_company():
    return create_company(name='Factory %d' % next(_counter))


def locations():
    Location = Pool().get('stock.location')

    def get(code):
        location, = Location.search([('code', '=', code)])
        return location
    warehouse = get('WH')
    production = [warehouse.production_location]
    lost_found, = Location.search([('type', '=', 'lost_found')], limit=1)
    return {
        'warehouse': warehouse,
        'input': warehouse.input_location,
        'storage': warehouse.storage_location,
        'output': warehouse.output_location,
        'supplier': get('SUP'),
        'customer': get('CUS'),
        'lost_found': lost_found,
        'production': production[0],
        }


def second_warehouse(code):
    Location = Pool().get('stock.location')
    main, = Location.search([('code', '=', 'WH')])
    storage, input_, output = Location.create([
            {'name': code + ' Storage', 'type': 'storage'},
            {'name': code + ' Input', 'type': 'storage'},
            {'name': code + ' Output', 'type': 'storage'},
            ])
    warehouse, = Location.create([{
                'name': code, 'code': code, 'type': 'warehouse',
                'storage_location': storage.id, 'input_location': input_.id,
                'output_location': output.id,
                'production_location': main.production_location.id,
                }])
    Location.write([storage, input_, output], {'parent': warehouse.id})
    return warehouse


def make_products(count, prefix=None, fake=None):
    pool = Pool()
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    unit, = Uom.search([('name', '=', 'Unit')])
    prefix = prefix or 'T%03d-' % next(_counter)
    templates = Template.create([{
                'name': 'Product %s%04d' % (prefix, i),
                'code': '%s%04d' % (prefix, i),
                'type': 'goods',
                'default_uom': unit.id,
                'list_price': Decimal(10),
                'products': [('create', [{}])],
                } for i in range(count)])
    products = [t.products[0] for t in templates]
    if fake is not None:
        for product in products:
            fake.materials.add(product.code, product.name)
    return products


def make_endpoint(fake, company, **values):
    Endpoint = Pool().get('erp.sync.endpoint')
    values = dict({
            'name': 'K3Cloud %d' % next(_counter),
            'company': company.id,
            'system': 'kingdee',
            'base_url': fake.url,
            'database': fake.acct_id,
            'username': fake.username,
            'password': fake.password,
            'supplier_code': 'SUP01',
            'customer_code': 'CUS01',
            'retry_delay': 0,
            'call_backoff': 0,
            'timeout': 2,
            }, **values)
    endpoint, = Endpoint.create([values])
    return endpoint


def map_warehouse(endpoint, warehouse, code='WH01'):
    Mapping = Pool().get('erp.sync.mapping')
    Mapping.create([{
                'endpoint': endpoint.id, 'type': 'location',
                'location': warehouse.id, 'remote_code': code}])


def do_moves(company, specs):
    "Create and do moves from (product, from, to, quantity) tuples"
    Move = Pool().get('stock.move')
    moves = []
    for p, f, t, q in specs:
        move = Move(product=p, unit=p.default_uom, quantity=q,
            from_location=f, to_location=t, company=company)
        if move.on_change_with_unit_price_required():
            move.unit_price = Decimal(1)
            move.currency = company.currency
        moves.append(move)
    Move.save(moves)
    # Moves without a shipment warn about their missing origin
    with Transaction().set_context(_skip_warnings=True):
        Move.do(moves)
    return moves


def commit():
    Transaction().commit()


__all__ = ['set_company']
