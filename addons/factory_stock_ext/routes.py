# This file is part of factory_stock_ext.  JSON HTTP API for handheld
# scanners, authenticated by a validated `factory_scan` user application key
# (Authorization: bearer <key>), served by the HTTP API layer (http_api.py;
# endpoints, errors and limits in docs/HTTP_API.md).  Refused scans are
# answered 200 with the refusal logged; errors are 4xx in the error shape
# and roll the transaction back, so nothing partial is written.
from . import http_api, routes_documents

SCAN = 'factory_scan'
PREFIX = '/<database_name>/factory_scan/'
NOT_FOUND = {'unknown_document': 404, 'unknown_session': 404,
    'unknown_line': 404}


def ping(request, pool, data):
    "Trivial authenticated call (reference for the benchmark)"
    from trytond.transaction import Transaction
    return {'user': Transaction().user}


def _target(pool, data):
    "The session (by id) or the document ('model,id') scanned"
    session = http_api.record_id(data, 'session')
    if session:
        return pool.get('stock.scan.session')(session)
    return http_api.text(data, 'document', required=True)


def scan(request, pool, data):
    Session = pool.get('stock.scan.session')
    quantity = http_api.number(data, 'quantity', default=1)
    line, duplicate = Session.record_scan(_target(pool, data),
        http_api.text(data, 'code', required=True), quantity,
        location=http_api.code_or_id(data, 'location'),
        lot=http_api.code_or_id(data, 'lot'),
        client_key=http_api.text(data, 'client_key'),
        device=http_api.text(data, 'device'),
        kind=http_api.text(data, 'kind'))
    return _line_json(line, duplicate)


def _line_json(line, duplicate):
    "The answer of a scan line"
    return {
        'line': line.id, 'session': line.session.id,
        'result': line.result, 'duplicate': duplicate,
        'accepted': line.result in {'accepted', 'approved'},
        'message': line.message,
        'product': line.product.id if line.product else None,
        'lot': line.lot.id if line.lot else None,
        'move': line.move.id if line.move else None,
        }


def return_material(request, pool, data):
    """Unused material of a production back to stock (a negative scan on
    its issue session, Production.return_material); answered as a scan"""
    Production = pool.get('production')
    production = routes_documents.readable_document(
        http_api.text(data, 'document', required=True), 'issue')
    line = Production.return_material(production,
        http_api.text(data, 'code', required=True),
        http_api.number(data, 'quantity', default=1),
        location=http_api.code_or_id(data, 'location'),
        lot=http_api.code_or_id(data, 'lot'),
        client_key=http_api.text(data, 'client_key'),
        device=http_api.text(data, 'device'))
    # A replayed client key answers the first line (as a scan's)
    return dict(_line_json(line, False), quantity=line.quantity)


def complete(request, pool, data):
    Session = pool.get('stock.scan.session')
    session = Session.open_session(
        http_api.record_id(data, 'session', required=True))
    reason = http_api.text(data, 'override_reason')
    if reason:
        Session.override([session], reason)
    else:
        Session.complete([session])
    return {'session': session.id, 'state': Session(session.id).state}


def approve(request, pool, data):
    Line = pool.get('stock.scan.line')
    line = Line.readable_line(http_api.record_id(data, 'line', required=True))
    Line.approve([line], http_api.text(data, 'reason'))
    return {'line': line.id, 'result': Line(line.id).result}


def mount(prefix, application):
    """Serve the scanning endpoints under prefix to keys of application:
    here for factory_scan keys; the handheld page mounts them under its own
    API, so that its one sign-in serves counting and documents alike (the
    rules are the models', whoever calls)"""
    http_api.route(prefix + 'ping', ['GET'], application)(ping)
    for name, func in [('scan', scan), ('complete', complete),
            ('approve', approve), ('return', return_material)]:
        http_api.route(prefix + name, ['POST'], application,
            statuses=NOT_FOUND)(func)
    routes_documents.mount(prefix, application)


mount(PREFIX, SCAN)
