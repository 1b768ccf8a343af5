# This file is part of factory_stock_ext.  JSON HTTP API for handheld
# scanners, authenticated by a validated `factory_scan` user application key
# (Authorization: bearer <key>).  Refused scans are answered 200 with the
# refusal logged; errors are 4xx with a stable `error` code, and the
# transaction is rolled back so nothing partial is written.
import json

from werkzeug.exceptions import abort

from trytond.exceptions import UserError, UserWarning
from trytond.protocols.wrappers import (
    Response, user_application, with_pool, with_transaction)
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wsgi import app

from . import scan_sql

factory_scan = user_application('factory_scan')
NOT_FOUND = {'unknown_document', 'unknown_session'}
DOCUMENT_MODELS = {'stock.shipment.in', 'stock.shipment.out',
    'stock.shipment.internal', 'production'}


def _reply(data, status=200):
    return Response(json.dumps(data), status=status,
        content_type='application/json')


def _fail(code, message, status=400):
    # Raising unwinds the transaction: the rollback drops partial writes
    abort(_reply({'error': code, 'message': message}, status))


def _language(request):
    header = request.headers.get('Accept-Language')
    if header:
        return header.split(',')[0].split(';')[0].strip().replace('-', '_')


def _api(func):
    "Decode the JSON body, set the language, map errors to stable codes"
    def wrapper(request, pool, *args, **kwargs):
        try:
            data = (json.loads(request.get_data() or b'null')
                if request.method == 'POST' else {})
        except ValueError:
            data = None
        if request.method == 'POST' and not isinstance(data, dict):
            _fail('bad_request', "A JSON object is expected.")
        context = {}
        if _language(request):
            context['language'] = _language(request)
        with Transaction().set_context(context):
            try:
                return func(request, pool, data, *args, **kwargs)
            except UserError as e:
                code = getattr(e, 'code', 'user_error')
                _fail(code, e.message, 404 if code in NOT_FOUND else 400)
            except UserWarning as e:
                _fail('warning', e.message)
            except (KeyError, ValueError, TypeError) as e:
                _fail('bad_request', str(e))
    wrapper.__name__ = func.__name__
    return wrapper


def _document(pool, data):
    "The session or document record; existence and access checked by _scan"
    if data.get('session'):
        return pool.get('stock.scan.session')(int(data['session']))
    model, _, id_ = str(data['document']).partition(',')
    if model not in DOCUMENT_MODELS:
        _fail('bad_request', "Unknown document model.")
    return pool.get(model)(int(id_))


def _location(value):
    "The (id, left, right) row of the scanned location (code or id)"
    if value in {None, ''}:
        return None
    Pool().get('ir.model.access').check('stock.location', 'read')
    if isinstance(value, int):
        row = scan_sql.location_row(location_id=value)
    else:
        row = scan_sql.location_row(code=str(value))
    if not row:
        _fail('unknown_location', "Unknown location code: %s." % value)
    return row


@app.route('/<database_name>/factory_scan/ping', methods=['GET'])
@with_pool
@with_transaction()
@factory_scan
def ping(request, pool):
    "Trivial authenticated call (reference for the benchmark)"
    return {'user': Transaction().user}


@app.route('/<database_name>/factory_scan/scan', methods=['POST'])
@with_pool
@with_transaction()
@factory_scan
@_api
def scan(request, pool, data):
    Session = pool.get('stock.scan.session')
    document = _document(pool, data)
    line, duplicate = Session._scan(document, str(data['code']),
        float(data.get('quantity', 1)),
        location=_location(data.get('location')),
        lot=data.get('lot') or None, client_key=data.get('client_key'),
        device=data.get('device'), kind=data.get('kind'))
    counted = line.result in {'accepted', 'approved'}
    return {
        # Values the scan just wrote (no read back of the line)
        'line': line.id, 'session': line.session.id,
        'result': line.result, 'duplicate': duplicate,
        'error': None if counted else line.result,
        'message': line.message,
        'product': line.product.id if line.product else None,
        'lot': line.lot.id if line.lot else None,
        'move': line.move.id if line.move else None,
        }


@app.route('/<database_name>/factory_scan/complete', methods=['POST'])
@with_pool
@with_transaction()
@factory_scan
@_api
def complete(request, pool, data):
    Session = pool.get('stock.scan.session')
    session = Session(int(data['session']))
    if data.get('override_reason'):
        Session.override([session], data['override_reason'])
    else:
        Session.complete([session])
    return {'session': session.id, 'state': Session(session.id).state}


@app.route('/<database_name>/factory_scan/approve', methods=['POST'])
@with_pool
@with_transaction()
@factory_scan
@_api
def approve(request, pool, data):
    Line = pool.get('stock.scan.line')
    line = Line(int(data['line']))
    Line.approve([line], data.get('reason'))
    return {'line': line.id, 'result': Line(line.id).result}
