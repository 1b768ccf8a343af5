"""Finished goods receipt on the handheld page: the running production
orders of the user's company, and the finished lot received from one into a
bin.  The rules are factory_stock_ext's (`production.receive_output`: state,
quantity, bin, lot; then the production's own `do` button under the user's
access rights, document_finish.py); served by the same HTTP API layer and
device key as the rest of the page."""
from trytond.modules.factory_stock_ext import (
    document_finish, http_api, inputs)
from trytond.modules.factory_stock_ext.exceptions_scan import scan_error
from trytond.transaction import Transaction

from .routes import API, COUNTING

# A handheld shows a short list; the oldest planned first
MAX_PRODUCTIONS = 100
NOT_FOUND = {'unknown_document': 404}


def _production_json(production):
    product = production.product
    return {'id': production.id, 'document': str(production),
        'name': production.rec_name, 'state': production.state,
        'product': {'id': product.id, 'code': product.code,
            'name': product.name} if product else None,
        'quantity': production.quantity,
        'unit': production.unit.symbol if production.unit else None,
        'date': production.planned_date.isoformat()
        if production.planned_date else None,
        'outputs': [{'product': m.product.code or m.product.name,
                'quantity': m.quantity, 'state': m.state,
                'lot': m.lot.number if m.lot else None,
                'location': m.to_location.code or m.to_location.name}
            for m in production.outputs]}


@http_api.route(API + 'production/running', ['GET'], COUNTING,
    readonly=True)
def running(request, pool, data):
    "The running production orders of the user's company"
    Production = pool.get('production')
    return [_production_json(p) for p in Production.search([
                ('state', '=', 'running'),
                ('company', '=', Transaction().context.get('company'))],
            order=[('planned_date', 'ASC NULLS FIRST'), ('id', 'ASC')],
            limit=MAX_PRODUCTIONS)]


@http_api.route(API + 'production/output', ['POST'], COUNTING,
    statuses={**NOT_FOUND, 'finish_access': 403})
def output(request, pool, data):
    """{production, quantity, lot, location}: the finished goods received
    (lot: its number, none for the product's lot sequence; location: a bin
    code, none for the warehouse's output location), then the production
    done"""
    Production = pool.get('production')
    Location = pool.get('stock.location')
    production_id = http_api.record_id(data, 'production', required=True)
    quantity = http_api.number(data, 'quantity', required=True)
    lot = inputs.text(data.get('lot'), 'lot', barcode=True)
    code = inputs.text(data.get('location'), 'location')
    productions = Production.search([('id', '=', production_id)], limit=1)
    if not productions:
        raise scan_error('unknown_document',
            document='production,%s' % production_id)
    location = None
    if code:
        locations = Location.search([('code', '=', code)], limit=1)
        if not locations:
            raise scan_error('unknown_location', location=code)
        location = locations[0].id
    Production.receive_output(productions[0], quantity, lot=lot,
        location=location)
    production = document_finish.finish(productions[0], 'finished')
    return _production_json(production)
