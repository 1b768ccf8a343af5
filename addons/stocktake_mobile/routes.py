"""HTTP API and static page of the mobile counting screen.

The API never returns book quantities: blind counting is enforced here and by
the field access rules of stocktake.task.line.  Served by the HTTP API layer
of factory_stock_ext (docs/HTTP_API.md): key authentication, one error
shape, one language rule, size limits, strict field types.
"""
import datetime as dt
import functools
import gzip
import logging
import os

from trytond.config import config
from trytond.modules.factory_stock_ext import (
    http_api, http_signin, routes as scan_routes, routes_documents)
from trytond.pool import Pool
from trytond.protocols.wrappers import Response, set_max_request_size
from trytond.transaction import Transaction, without_check_access
from trytond.wsgi import app

from .exceptions import StocktakeError

logger = logging.getLogger(__name__)
STATIC = os.path.join(os.path.dirname(__file__), 'static')
FILES = {
    'stocktake.js': 'text/javascript; charset=utf-8',
    'stocktake.css': 'text/css; charset=utf-8',
    'i18n.js': 'text/javascript; charset=utf-8',
    'queue.js': 'text/javascript; charset=utf-8',
    'lookup.js': 'text/javascript; charset=utf-8',
    'home.js': 'text/javascript; charset=utf-8',
    'documents.js': 'text/javascript; charset=utf-8',
    'qc.js': 'text/javascript; charset=utf-8',
    'finished.js': 'text/javascript; charset=utf-8',
    'feedback.js': 'text/javascript; charset=utf-8',
    'camera.js': 'text/javascript; charset=utf-8',
    }
# Browser libraries installed by npm (`make web`, web/package.json), served
# as built by their authors: name -> (package, file in the package).
# barcode-detector (camera scanning where the browser has no
# BarcodeDetector) reads with ZXing-C++ compiled to WebAssembly: its .wasm
# comes from zxing-wasm, the exact version barcode-detector pins, and is
# served here, never fetched from the CDN the library defaults to
VENDOR = {
    'idb.js': ('idb', os.path.join('build', 'umd.js')),
    'barcode-detector.js': ('barcode-detector',
        os.path.join('dist', 'iife', 'ponyfill.js')),
    'zxing_reader.wasm': ('zxing-wasm',
        os.path.join('dist', 'reader', 'zxing_reader.wasm')),
    }
VENDOR_TYPES = {
    '.js': 'text/javascript; charset=utf-8',
    '.wasm': 'application/wasm',
    }
# The page only talks to its own origin; inline scripts are not allowed;
# WebAssembly may be compiled (the camera's barcode reader), nothing else
# evaluated; it is never shown in a frame of another page (clickjacking)
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
    "img-src 'self' data: blob:; "
    "media-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'")
COUNTING = 'stocktake_mobile'
API = '/<database_name>/stocktake/api/'
# Ids are 32-bit integers: a larger one is an unknown address, not a fault
TASK = '<int(max=2147483647):task_id>'
NOT_FOUND = {'task_not_found': 404}
# Offline scans keep their device time (ms since 1970), up to year 9999
MAX_TIMESTAMP_MS = 253402300799999
http_api.register_prefix('stocktake', page=True)


@functools.lru_cache(maxsize=64)
def _content(path, mtime, compressed):
    "The file's bytes, gzipped once per version (mtime 0: same bytes)"
    with open(path, 'rb') as fh:
        data = fh.read()
    return gzip.compress(data, 9, mtime=0) if compressed else data


def _static(request, name, content_type, folder=STATIC):
    """The file, gzipped for a browser that takes it (about a third of its
    size); with its ETag, so that a copy the browser has is only
    revalidated (304). Cache-Control no-cache: always revalidated, so a
    new version of the page is never mixed with old files"""
    path = os.path.join(folder, name)
    compressed = 'gzip' in request.accept_encodings
    response = Response(_content(path, os.stat(path).st_mtime_ns,
            compressed), content_type=content_type)
    response.headers['Cache-Control'] = 'no-cache'
    if compressed:
        response.headers['Content-Encoding'] = 'gzip'
    response.vary.add('Accept-Encoding')
    response.add_etag()
    return http_api.secure(response.make_conditional(request), CSP)


def node_modules():
    """The folders where npm installed the web packages: beside sao
    ([web] root is …/node_modules/tryton-sao), then web/node_modules of the
    source tree the addon is linked from (development, tests)"""
    folders = []
    root = config.get('web', 'root', default=None)
    if root:
        folders.append(os.path.dirname(os.path.abspath(root)))
    folders.append(os.path.join(os.path.dirname(os.path.realpath(__file__)),
            os.pardir, os.pardir, 'web', 'node_modules'))
    return folders


def vendor_file(name):
    "The path of a vendored browser library, None when npm did not install it"
    package, path = VENDOR[name]
    for folder in node_modules():
        candidate = os.path.join(folder, package, path)
        if os.path.isfile(candidate):
            return candidate
    return None


# A size of its own: trytond then never tries the Authorization header as a
# login (a page needs none)
@app.route('/<database_name>/stocktake/', methods=['GET'])
@set_max_request_size(http_api.MAX_BODY)
def page(request, database_name):
    return _static(request, 'stocktake.html', 'text/html; charset=utf-8')


@app.route('/<database_name>/stocktake/static/<name>', methods=['GET'])
@set_max_request_size(http_api.MAX_BODY)
def static(request, database_name, name):
    path = vendor_file(name) if name in VENDOR else None
    if path:
        return _static(request, os.path.basename(path),
            VENDOR_TYPES[os.path.splitext(name)[1]], os.path.dirname(path))
    if name not in FILES:
        if name in VENDOR:
            logger.error("%s is missing: run `make web` (npm install)", name)
        # The layer's middleware answers it in the JSON error shape
        return http_api.secure(http_api.error_response('not_found',
                'Not Found', status=404))
    return _static(request, name, FILES[name])


# The service worker of the offline page: served at the page's own path so
# that its scope is the page (/<database>/stocktake/), no wider
@app.route('/<database_name>/stocktake/sw.js', methods=['GET'])
@set_max_request_size(http_api.MAX_BODY)
def service_worker(request, database_name):
    return _static(request, 'sw.js', 'text/javascript; charset=utf-8')


def _task(pool, task_id, lock=False):
    "The task if the record rules let this user see it"
    Task = pool.get('stocktake.task')
    tasks = Task.search([('id', '=', task_id)], limit=1)
    if not tasks:
        raise StocktakeError('msg_task_not_found', task=task_id)
    if lock:
        # Serialise scans of one task: a replayed key is seen, not inserted
        Task.lock(tasks)
    return tasks[0]


def _task_json(task, lines=False):
    assignee = (task.recount_assignee if task.state == 'recount'
        else task.assignee)
    result = {
        'id': task.id, 'name': task.name, 'state': task.state,
        'kind': task.kind,
        'assignee': assignee.rec_name if assignee else None,
        'zone': task.zone.rec_name if task.zone else None,
        'due_date': task.due_date.isoformat() if task.due_date else None,
        }
    if lines:
        recount = task.state == 'recount'
        result['locations'] = [{'code': l.code, 'name': l.name}
            for l in task.locations]
        result['lines'] = _lines_json(task, recount)
    return result


def _lines_json(task, recount):
    """Blind: what to count and whether it was counted, never the books.
    Read without the user's field access: a counter may not read counted
    quantities over RPC, here only those of the running round are given"""
    Line = Pool().get('stocktake.task.line')
    with without_check_access():
        return [{
                'id': l.id,
                'location': l.location.code or str(l.location.id),
                'product_code': l.product.code,
                'product': l.product.name,
                'lot': l.lot.number if l.lot else None,
                'counted': l.round == (2 if recount else 1),
                'quantity': l.counted_quantity if l.round == (
                    2 if recount else 1) else None,
                } for l in Line.search([('task', '=', task.id)])
            if not recount or l.recount_required]


def flows(pool):
    """The screens of the page the user may use: count, look-up (a stock
    user's, as stock.lookup checks), QC (the QC group's), finished goods
    (who may change productions) and the kinds of document scanning; each
    route checks again"""
    ModelAccess = pool.get('ir.model.access')
    result = []
    if ModelAccess.check('stocktake.task', 'read', raise_exception=False):
        result.append('count')
    if ModelAccess.check('stock.move', 'read', raise_exception=False):
        result.append('lookup')
    if _in_group(pool, 'group_factory_qc'):
        result.append('qc')
    if ModelAccess.check('production', 'write', raise_exception=False):
        result.append('finished')
    return result + routes_documents.kinds()


def _in_group(pool, xml_id):
    "Whether the user is in the factory group (its model checks again)"
    ModelData = pool.get('ir.model.data')
    User = pool.get('res.user')
    return ModelData.get_id('factory_stock_ext', xml_id) in User.get_groups()


@http_api.route(API + 'me', ['GET'], COUNTING)
def me(request, pool, data):
    user = pool.get('res.user')(Transaction().user)
    return {'id': user.id, 'name': user.name or user.login,
        'language': user.language.code if user.language else 'en',
        'flows': flows(pool)}


# Documents are scanned through factory_stock_ext's scanning endpoints,
# under this page's API and key: one sign-in for every flow of the page
SCAN_API = API + 'scan/'
scan_routes.mount(SCAN_API, COUNTING)


# The person's own login and password give the device its key
http_signin.sign_in_route(API + 'signin', COUNTING)
# …or the one-time token of a QR code a supervisor shows (signin.py)
http_signin.token_sign_in_route(API + 'signin/token', COUNTING,
    'stocktake.signin_token')


@http_api.route(API + 'signout', ['POST'], COUNTING)
def sign_out(request, pool, data):
    "The device's key stops working (the user's own record)"
    UserApplication = pool.get('res.user.application')
    UserApplication.cancel(UserApplication.search([
                ('key', '=', http_api.bearer_key(request)),
                ('application', '=', COUNTING),
                ('user', '=', Transaction().user)]))
    return {}


@http_api.route(API + 'tasks', ['GET'], COUNTING)
def tasks(request, pool, data):
    """The open tasks assigned to the user (first count or recount); with
    ?scope=all every open task the record rules show (a deputy covering)"""
    Task = pool.get('stocktake.task')
    user = Transaction().user
    domain = [('state', 'in', ['open', 'recount'])]
    if request.args.get('scope') != 'all':
        domain.append(['OR',
                [('state', '=', 'open'), ('assignee', '=', user)],
                [('state', '=', 'recount'),
                    ('recount_assignee', '=', user)]])
    return [_task_json(t) for t in Task.search(domain)]


@http_api.route(API + 'tasks/' + TASK, ['GET'], COUNTING,
    statuses=NOT_FOUND)
def task(request, pool, data, task_id):
    return _task_json(_task(pool, task_id), lines=True)


@http_api.route(API + 'tasks/' + TASK + '/counts', ['POST'], COUNTING,
    statuses=NOT_FOUND)
def count(request, pool, data, task_id):
    Count = pool.get('stocktake.count')
    location = http_api.text(data, 'location', required=True)
    code = http_api.text(data, 'code', required=True)
    quantity = http_api.number(data, 'quantity', required=True)
    lot = http_api.text(data, 'lot')
    client_key = http_api.text(data, 'client_key')
    device = http_api.text(data, 'device')
    counted_at = http_api.number(data, 'counted_at')
    if counted_at is not None:
        if not 0 <= counted_at <= MAX_TIMESTAMP_MS:
            http_api.invalid('counted_at')
        counted_at = dt.datetime(1970, 1, 1) + dt.timedelta(
            milliseconds=int(counted_at))
    task = _task(pool, task_id)
    with without_check_access():
        record, created = Count.record(task, location, code, quantity,
            lot_code=lot or None, client_key=client_key, device=device,
            counted_at=counted_at)
        return {'status': 'recorded' if created else 'duplicate',
            'client_key': record.client_key, 'line': record.line.id,
            'quantity': record.quantity}


@http_api.route(API + 'tasks/' + TASK + '/finish', ['POST'], COUNTING,
    statuses=NOT_FOUND)
def finish(request, pool, data, task_id):
    Task = pool.get('stocktake.task')
    task = _task(pool, task_id, lock=True)
    with without_check_access():
        Task.finish([task])
        return _task_json(Task(task.id))
