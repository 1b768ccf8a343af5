"""Look-up from the counting page: a bin -> what is in it; a material or a
lot (code, barcode, lot number or GS1 label) -> where it is, with its QC
state and expiry.  The rules are factory_stock_ext's (`stock.lookup.scan`,
under the user's access rights: a stock user's look-up); served by the same
HTTP API layer and device key as the counting API (docs/HTTP_API.md).

Blind counting holds on this page: the quantities in the bins of the user's
own running count tasks (and in the bins below them) are not given, only
what is there."""
from trytond.modules.factory_stock_ext import http_api, inputs
from trytond.transaction import Transaction, without_check_access

from .routes import API, COUNTING


def _counting_locations(pool):
    "The bins (and their children) of the user's open or recount tasks"
    Task = pool.get('stocktake.task')
    Location = pool.get('stock.location')
    user = Transaction().user
    with without_check_access():
        tasks = Task.search([['OR',
                    [('state', '=', 'open'), ('assignee', '=', user)],
                    [('state', '=', 'recount'),
                        ('recount_assignee', '=', user)]]])
        ids = list({l.id for t in tasks for l in t.locations})
        if not ids:
            return set()
        return {l.id for l in Location.search(
                [('parent', 'child_of', ids)])}


def _hides(pool, location_id, counting):
    "Whether a bin's content (children included) shows a counted bin"
    if not counting:
        return False
    if location_id in counting:
        return True
    Location = pool.get('stock.location')
    with without_check_access():
        return bool(Location.search([('id', 'in', list(counting)),
                    ('parent', 'child_of', [location_id])], limit=1))


def _location_json(location):
    return {'id': location.id, 'code': location.code,
        'name': location.name}


def _lines_json(pool, lines, counting, hidden=False):
    Product = pool.get('product.product')
    Lot = pool.get('stock.lot')
    Location = pool.get('stock.location')
    Uom = pool.get('product.uom')
    products = {p.id: p for p in Product.browse(
            list({l['product'] for l in lines}))}
    lots = {l.id: l for l in Lot.browse(
            list({l['lot'] for l in lines if l['lot']}))}
    locations = {l.id: l for l in Location.browse(
            list({l['location'] for l in lines if l.get('location')}))}
    units = {u.id: u for u in Uom.browse(list({l['unit'] for l in lines}))}
    result = []
    for line in lines:
        product = products[line['product']]
        lot = lots.get(line['lot'])
        blind = hidden or line.get('location') in counting
        expiration = line['expiration_date']
        row = {
            'product': {'id': product.id, 'code': product.code,
                'name': product.name},
            'lot': lot.number if lot else None,
            'quantity': None if blind else line['quantity'],
            'unit': units[line['unit']].symbol,
            'counting': blind,
            'qc_state': line['qc_state'],
            'expiration_date': expiration.isoformat() if expiration else None,
            }
        if line.get('location'):
            row['location'] = _location_json(locations[line['location']])
        result.append(row)
    return result


@http_api.route(API + 'lookup', ['POST'], COUNTING, readonly=True)
def lookup(request, pool, data):
    """{"code"} -> {"kind": "location", "location", "lines"} or
    {"kind": "product"|"lot", "product", "lot", "lines"}; a line's quantity
    is null where the user is counting"""
    Lookup = pool.get('stock.lookup')
    Location = pool.get('stock.location')
    Product = pool.get('product.product')
    Lot = pool.get('stock.lot')
    code = inputs.text(data.get('code'), 'code', required=True,
        barcode=True)
    found = Lookup.scan(code)
    counting = _counting_locations(pool)
    if found['kind'] == 'location':
        location = Location(found['location'])
        hidden = _hides(pool, location.id, counting)
        return {'kind': 'location', 'location': _location_json(location),
            'counting': hidden,
            'lines': _lines_json(pool, found['content'], counting, hidden)}
    product = Product(found['product'])
    lot = Lot(found['lot']) if found['lot'] else None
    return {'kind': found['kind'],
        'product': {'id': product.id, 'code': product.code,
            'name': product.name},
        'lot': lot.number if lot else None,
        'lines': _lines_json(pool, found['stock'], counting)}
