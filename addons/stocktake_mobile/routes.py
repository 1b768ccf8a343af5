"""HTTP API and static page of the mobile counting screen.

The API never returns book quantities: blind counting is enforced here and by
the field access rules of stocktake.task.line.
"""
import datetime as dt
import json
import os
from http import HTTPStatus

from trytond import backend
from trytond.exceptions import UserError
from trytond.model.exceptions import SQLConstraintError
from trytond.protocols.wrappers import (
    Response, user_application, with_pool, with_transaction)
from trytond.transaction import Transaction, without_check_access
from trytond.wsgi import app

from .exceptions import StocktakeError

STATIC = os.path.join(os.path.dirname(__file__), 'static')
FILES = {
    'stocktake.js': 'text/javascript; charset=utf-8',
    'stocktake.css': 'text/css; charset=utf-8',
    'i18n.js': 'text/javascript; charset=utf-8',
    }
# The page only talks to its own origin; inline scripts are not allowed
CSP = ("default-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; object-src 'none'; base-uri 'none'")
counting = user_application('stocktake_mobile')


def _static(name, content_type):
    with open(os.path.join(STATIC, name), 'rb') as fh:
        response = Response(fh.read(), content_type=content_type)
    response.headers['Content-Security-Policy'] = CSP
    response.headers['X-Content-Type-Options'] = 'nosniff'
    response.headers['Cache-Control'] = 'no-cache'
    return response


@app.route('/<database_name>/stocktake/', methods=['GET'])
def page(request, database_name):
    return _static('stocktake.html', 'text/html; charset=utf-8')


@app.route('/<database_name>/stocktake/static/<name>', methods=['GET'])
def static(request, database_name, name):
    if name not in FILES:
        return Response('Not Found', status=HTTPStatus.NOT_FOUND)
    return _static(name, FILES[name])


def _error(exc, status=HTTPStatus.BAD_REQUEST):
    # Nothing partial is written: the whole request is rolled back
    Transaction().rollback()
    code = exc.code if isinstance(exc, StocktakeError) else 'user_error'
    return Response(json.dumps({'error': {
                    'code': code, 'message': exc.message}}),
        status=status, content_type='application/json')


def _api(func):
    "Run with the user's preferences and the language asked by the page"
    def wrapper(request, pool, *args, **kwargs):
        User = pool.get('res.user')
        context = User.get_preferences(context_only=True)
        language = request.args.get('language')
        if language in {'en', 'zh_CN'}:
            context['language'] = language
        with Transaction().set_context(context):
            try:
                return func(request, pool, *args, **kwargs)
            except StocktakeError as exc:
                status = (HTTPStatus.NOT_FOUND
                    if exc.code == 'task_not_found'
                    else HTTPStatus.BAD_REQUEST)
                return _error(exc, status)
            except UserError as exc:
                return _error(exc)
    wrapper.__name__ = func.__name__
    return wrapper


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
    result = {
        'id': task.id, 'name': task.name, 'state': task.state,
        'kind': task.kind,
        'zone': task.zone.rec_name if task.zone else None,
        'due_date': task.due_date.isoformat() if task.due_date else None,
        }
    if lines:
        recount = task.state == 'recount'
        result['locations'] = [{'code': l.code, 'name': l.name}
            for l in task.locations]
        # Blind: what to count and whether it was counted, never the books
        result['lines'] = [{
                'id': l.id,
                'location': l.location.code or str(l.location.id),
                'product_code': l.product.code,
                'product': l.product.name,
                'lot': l.lot.number if l.lot else None,
                'counted': l.round == (2 if recount else 1),
                'quantity': l.counted_quantity if l.round == (
                    2 if recount else 1) else None,
                } for l in task.lines
            if not recount or l.recount_required]
    return result


@app.route('/<database_name>/stocktake/api/me', methods=['GET'])
@with_pool
@with_transaction()
@counting
@_api
def me(request, pool):
    user = pool.get('res.user')(Transaction().user)
    return {'id': user.id, 'name': user.name or user.login,
        'language': user.language.code if user.language else 'en'}


@app.route('/<database_name>/stocktake/api/tasks', methods=['GET'])
@with_pool
@with_transaction()
@counting
@_api
def tasks(request, pool):
    Task = pool.get('stocktake.task')
    return [_task_json(t) for t in Task.search(
            [('state', 'in', ['open', 'recount'])])]


@app.route('/<database_name>/stocktake/api/tasks/<int:task_id>',
    methods=['GET'])
@with_pool
@with_transaction()
@counting
@_api
def task(request, pool, task_id):
    return _task_json(_task(pool, task_id), lines=True)


@app.route('/<database_name>/stocktake/api/tasks/<int:task_id>/counts',
    methods=['POST'])
@with_pool
@with_transaction()
@counting
@_api
def count(request, pool, task_id):
    Count = pool.get('stocktake.count')
    data = _json(request)
    # No task lock: a replayed key racing its original waits on the unique
    # index and is answered as a duplicate below
    task = _task(pool, task_id)
    counted_at = None
    if isinstance(data.get('counted_at'), (int, float)):
        counted_at = dt.datetime.utcfromtimestamp(data['counted_at'] / 1000)
    with without_check_access():
        try:
            record, created = Count.record(task, str(data.get('location', '')),
                str(data.get('code', '')), data.get('quantity'),
                lot_code=data.get('lot') or None,
                client_key=str(data['client_key'])[:64]
                if data.get('client_key') else None,
                device=str(data.get('device') or '')[:64] or None,
                counted_at=counted_at)
        except (backend.DatabaseIntegrityError, SQLConstraintError):
            # Same key committed concurrently by another request: a replay
            Transaction().rollback()
            return {'status': 'duplicate', 'client_key': data['client_key']}
        return {'status': 'recorded' if created else 'duplicate',
            'client_key': record.client_key, 'line': record.line.id,
            'quantity': record.quantity}


@app.route('/<database_name>/stocktake/api/tasks/<int:task_id>/finish',
    methods=['POST'])
@with_pool
@with_transaction()
@counting
@_api
def finish(request, pool, task_id):
    Task = pool.get('stocktake.task')
    task = _task(pool, task_id, lock=True)
    with without_check_access():
        Task.finish([task])
        return _task_json(Task(task.id))


def _json(request):
    try:
        data = json.loads(request.get_data(as_text=True) or '{}')
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise StocktakeError('msg_bad_request', field='body')
    return data
