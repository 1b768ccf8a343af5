# This file is part of factory_stock_ext.  The one HTTP API layer of the
# addons' JSON routes (factory_scan, stocktake): key authentication that
# refuses revoked keys and inactive users, a rate limit on failed keys, one
# JSON error shape {"error": {"code", "message"}} with a translated message,
# one language rule, request size limits and security headers.  Documented
# in docs/HTTP_API.md.
import copy
import json
import logging
import threading
import time
from functools import wraps
from http import HTTPStatus

from werkzeug.exceptions import HTTPException

from trytond import backend
from trytond.exceptions import UserError, UserWarning
from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.protocols.wrappers import Response, with_transaction
from trytond.transaction import Transaction, check_access
from trytond.wsgi import app

from . import inputs

logger = logging.getLogger(__name__)

# A scan or a count is a few hundred bytes
MAX_BODY = 16 * 1024
MAX_ID = 2 ** 31 - 1
KEY_MAX_LENGTH = 256
# The user's preferences are computed again after this time (at once when
# the user record changes)
PREFERENCES_SECONDS = 60
# Path segments after /<database>/ served by this layer
API_PREFIXES = {'factory_scan'}
PAGE_PREFIXES = set()
FRAME_HEADERS = {
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    }
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Codes answered with another status than 400
STATUS = {
    'unauthorized': 401,
    'wrong_login': 401,
    'token_invalid': 401,
    'token_expired': 401,
    'token_used': 401,
    'access_denied': 403,
    'forbidden': 403,
    'not_found': 404,
    'method_not_allowed': 405,
    'client_key_conflict': 409,
    'request_too_large': 413,
    'too_many_requests': 429,
    'server_error': 500,
    'unavailable': 503,
    }
# Error codes of a werkzeug HTTP error under our prefixes
HTTP_CODES = {
    400: 'bad_json', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found',
    405: 'method_not_allowed', 413: 'request_too_large',
    429: 'too_many_requests', 503: 'unavailable',
    }


class FailedKeys:
    """Counters of failed keys, in this process, per remote address and key
    prefix (one bad device behind a NAT does not lock the others out) and
    per address (a flood of random keys).  Several WSGI workers each keep
    their own: the limit is per worker (docs/HTTP_API.md)."""
    window = 300  # seconds
    per_key = 10
    per_address = 100
    prefix = 8
    max_entries = 10000

    def __init__(self):
        self._lock = threading.Lock()
        self._counts = {}  # (address, prefix or None): (count, start)

    def _keys(self, address, key):
        return [(address, (key or '')[:self.prefix]), (address, None)]

    def _limits(self):
        return [self.per_key, self.per_address]

    def wait(self, address, key, now=None):
        "Seconds to wait before this key may be tried again (0: go on)"
        now = time.monotonic() if now is None else now
        with self._lock:
            for bucket, limit in zip(self._keys(address, key),
                    self._limits()):
                count, start = self._counts.get(bucket, (0, now))
                if now - start >= self.window:
                    self._counts.pop(bucket, None)
                elif count >= limit:
                    return int(self.window - (now - start)) + 1
        return 0

    def failed(self, address, key, now=None):
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._counts) >= self.max_entries:
                self._prune(now)
            for bucket in self._keys(address, key):
                count, start = self._counts.get(bucket, (0, now))
                if now - start >= self.window:
                    count, start = 0, now
                self._counts[bucket] = (count + 1, start)
        return self.wait(address, key, now)

    def succeeded(self, address, key):
        with self._lock:
            self._counts.pop(self._keys(address, key)[0], None)

    def _prune(self, now):
        for bucket, (_, start) in list(self._counts.items()):
            if now - start >= self.window:
                del self._counts[bucket]
        while len(self._counts) >= self.max_entries:
            del self._counts[next(iter(self._counts))]

    def clear(self):
        with self._lock:
            self._counts.clear()


failed_keys = FailedKeys()


class Refused(HTTPException):
    """An answer of the layer raised through the transaction (so that it
    is rolled back: nothing is written on an error)"""

    def __init__(self, response):
        super().__init__(response=response)
        self.code = response.status_code


def error_response(code, message, status=None, headers=None, **extra):
    "The error shape; extra: more members of `error` (a warning's name)"
    status = status or STATUS.get(code, 400)
    response = Response(json.dumps({'error': {
                    'code': code, 'message': str(message), **extra}}),
        status=status, content_type='application/json', headers=headers)
    return response


def refuse(code, status=None, headers=None, **variables):
    "Raise the error `code` with its message msg_api_<code>"
    raise Refused(error_response(code,
            gettext('factory_stock_ext.msg_api_' + code, **variables),
            status=status, headers=headers))


def invalid(field):
    refuse('invalid_field', field=field)


def _translatable():
    return Pool().get('ir.lang').get_translatable_languages()


def explicit_language(request):
    """The language asked by the request: the `language` parameter, else
    the Accept-Language header; None if neither names a translatable
    language (then the user's language applies)"""
    try:
        languages = _translatable()
    except Exception:
        return None
    asked = request.args.get('language')
    if asked in languages:
        return asked
    best = request.accept_languages.best_match(
        [l.replace('_', '-') for l in languages])
    if best:
        return best.replace('-', '_')
    # A bare primary tag ('zh') picks the first language of that tag
    for value, _ in request.accept_languages:
        primary = value.split('-')[0].split('_')[0].lower()
        for language in languages:
            if language.split('_')[0].lower() == primary:
                return language


def bearer_key(request):
    "The key of 'Authorization: bearer <key>', None when absent or malformed"
    return _token(request)


def _token(request):
    "The key of 'Authorization: bearer <key>', None when absent or malformed"
    header = request.headers.get('Authorization', '')
    kind, _, token = header.strip().partition(' ')
    token = token.strip()
    if (kind.lower() != 'bearer' or not token
            or len(token) > KEY_MAX_LENGTH
            or not (token.isascii() and token.isprintable())
            or ' ' in token):
        return None
    return token


def authenticate(request, application):
    """(user id, user stamp) of a validated key of the application whose
    user is active; 401 otherwise, 429 after too many failures"""
    UserApplication = Pool().get('res.user.application')
    address = request.remote_addr or ''
    token = _token(request)
    wait = failed_keys.wait(address, token)
    if wait:
        refuse('too_many_requests', seconds=wait,
            headers={'Retry-After': str(wait)})
    record = UserApplication.key_user(token, application) if token else None
    if not record:
        wait = failed_keys.failed(address, token)
        if wait:
            refuse('too_many_requests', seconds=wait,
                headers={'Retry-After': str(wait)})
        refuse('unauthorized', headers={'WWW-Authenticate': 'Bearer'})
    failed_keys.succeeded(address, token)
    return record.user, record.user_stamp


_preferences = {}  # (database, user): (expires, context)
_preferences_lock = threading.Lock()


def preferences(pool, user, user_stamp):
    """The context of the user's preferences (company, language, …) as a
    client gets it at login, kept PREFERENCES_SECONDS in this process (or
    until the user record is written: user_stamp from authenticate):
    computing it costs more than a whole scan, and a device calls many
    times a minute"""
    key = (pool.database_name, user, user_stamp)
    now = time.monotonic()
    with _preferences_lock:
        expires, context = _preferences.get(key, (0, None))
    if context is None or expires < now:
        User = pool.get('res.user')
        with Transaction().set_user(user):
            context = User.get_preferences(context_only=True)
        with _preferences_lock:
            if len(_preferences) > 10000:
                _preferences.clear()
            _preferences[key] = (now + PREFERENCES_SECONDS,
                copy.deepcopy(context))
    return copy.deepcopy(context)


def read_json(request, max_size=MAX_BODY):
    "The body as a dict ({} when empty); 400/413 otherwise"
    try:
        raw = request.get_data(cache=True)
    except HTTPException:
        refuse('request_too_large', size=max_size)
    if len(raw) > max_size:
        refuse('request_too_large', size=max_size)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw.decode('utf-8'),
            parse_constant=_no_constant)
    except (ValueError, RecursionError):
        refuse('bad_json')
    if not isinstance(data, dict):
        refuse('bad_json')
    return data


def _no_constant(name):
    # NaN, Infinity and -Infinity are not JSON
    raise ValueError(name)


# Field readers of a JSON body: the type is checked here, the meaning (a
# quantity's bounds, a key's scope) by the model (inputs.py)
def text(data, name, required=False, length=inputs.TEXT_LENGTH):
    value = data.get(name)
    if value is None and not required:
        return None
    if (not isinstance(value, str) or len(value) > length
            or (required and not value.strip())
            or not inputs._clean(value)):
        invalid(name)
    return value


def record_id(data, name, required=False):
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not (
            0 < value <= MAX_ID):
        invalid(name)
    return value


def number(data, name, required=False, default=None):
    "A JSON number (never a boolean, a text or NaN); bounds: the model"
    value = data.get(name, default)
    if value is None and not required:
        return None
    if not inputs.is_number(value):
        invalid(name)
    return value


def code_or_id(data, name):
    "A reference given by its code (text) or its id (number)"
    value = data.get(name)
    if value is None or value == '':
        return None
    if isinstance(value, str):
        return text(data, name)
    return record_id(data, name)


def _status_of(exception):
    if isinstance(exception, AccessError):
        return 'access_denied', 403
    code = getattr(exception, 'code', None)
    if not isinstance(code, str):
        code = 'warning' if isinstance(exception, UserWarning) else (
            'user_error')
    status = getattr(exception, 'status', None)
    if not isinstance(status, int):
        status = STATUS.get(code, 400)
    return code, status


def _pool(database_name):
    "The pool of the database (as core's with_pool), 404 if unknown"
    database_list = Pool.database_list()
    if database_name not in database_list:
        with Transaction().start(None, 0, readonly=True) as transaction:
            if database_name not in transaction.database.list():
                return None
    pool = Pool(database_name)
    if database_name not in database_list:
        with Transaction().start(database_name, 0, readonly=True):
            pool.init()
    return pool


def route(path, methods, application=None, readonly=None,
        max_size=MAX_BODY, statuses=None):
    """Register a JSON endpoint of the layer on trytond's WSGI app.

    The function is called as func(request, pool, data, **view_args) with
    `data` the JSON body (POST) or {} (GET), as the key's user with access
    checks, in the user's preferences (company, …) and the language of the
    rule; its result is answered as JSON.  Any error is answered in the
    error shape and rolls the transaction back."""
    statuses = statuses or {}

    def decorator(func):
        def inner(request, pool, **kwargs):
            transaction = Transaction()
            language = explicit_language(request)
            with transaction.set_context(language=language or
                    transaction.language):
                user, user_stamp = authenticate(request, application)
            context = preferences(pool, user, user_stamp)
            if language:
                context['language'] = language
            with transaction.set_user(user), \
                    transaction.set_context(context), check_access():
                try:
                    data = (read_json(request, max_size)
                        if request.method in {'POST', 'PUT', 'PATCH'}
                        else {})
                    return func(request, pool, data, **kwargs)
                except (UserError, UserWarning) as exception:
                    code, status = _status_of(exception)
                    # A warning names itself: a client may confirm it
                    extra = ({'warning': exception.name}
                        if isinstance(exception, UserWarning) else {})
                    raise Refused(error_response(code, exception.message,
                            statuses.get(code, status), **extra))

        transactional = with_transaction(readonly=readonly)(inner)

        @wraps(func)
        def endpoint(request, database_name, **kwargs):
            try:
                pool = _pool(database_name)
                if pool is None:
                    response = error_response('not_found',
                        HTTPStatus.NOT_FOUND.phrase)
                else:
                    result = transactional(request, pool, **kwargs)
                    response = (result if isinstance(result, Response)
                        else json_response(result))
            except Refused as exception:
                response = exception.response
            except backend.DatabaseOperationalError:
                response = translated_error(database_name, request,
                    'unavailable', headers={'Retry-After': '1'})
            except Exception:
                logger.exception("Error answering %s", request.path)
                response = translated_error(database_name, request,
                    'server_error')
            return secure(response)
        endpoint.max_request_size = max_size
        app.route(path, methods=methods)(endpoint)
        return endpoint
    return decorator


def json_response(data, status=200):
    return Response(json.dumps(data), status=status,
        content_type='application/json')


def secure(response, csp=API_CSP):
    "Headers of every answer of our prefixes: never framed, not sniffed"
    for name, value in FRAME_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault('Content-Security-Policy', csp)
    if response.mimetype == 'application/json':
        response.headers.setdefault('Cache-Control', 'no-store')
    return response


def translated_error(database_name, request, code, status=None,
        headers=None, **variables):
    """The error `code` outside of a request's transaction: translated in
    the asked language when the database is loaded, else the HTTP phrase"""
    status = status or STATUS.get(code, 400)
    message = HTTPStatus(status).phrase
    if database_name in Pool.database_list():
        try:
            with Transaction().start(database_name, 0, readonly=True):
                language = explicit_language(request) if request else None
                with Transaction().set_context(
                        language=language or Transaction().language):
                    text = gettext(
                        'factory_stock_ext.msg_api_' + code, **variables)
                    if not text.startswith('factory_stock_ext.'):
                        message = text
        except Exception:
            logger.debug("No translated message for %s", code,
                exc_info=True)
    return error_response(code, message, status=status, headers=headers)


def register_prefix(segment, page=False):
    "Put /<database>/<segment>/… under the layer's JSON errors"
    (PAGE_PREFIXES if page else API_PREFIXES).add(segment)


class JSONErrors:
    """WSGI middleware, the last safety net under our prefixes: an answer
    that is not ours — werkzeug's HTML 404/405/413, core's CORS refusal
    raised out of the application, a redirect of an API path — becomes the
    JSON error shape, with the security headers."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    @staticmethod
    def _ours(path):
        "(database, 'api'|'page') of a path under our prefixes, else None"
        parts = path.split('/', 3)
        if len(parts) < 3 or not parts[1]:
            return None
        database, segment = parts[1], parts[2]
        if segment in API_PREFIXES or (segment in PAGE_PREFIXES
                and len(parts) > 3 and parts[3].startswith('api')):
            return database, 'api'
        if segment in PAGE_PREFIXES:
            return database, 'page'

    def __call__(self, environ, start_response):
        ours = self._ours(environ.get('PATH_INFO') or '')
        if not ours:
            return self.wsgi_app(environ, start_response)
        database, kind = ours
        answered = {}

        def capture(status, headers, exc_info=None):
            code = int(status.split(None, 1)[0])
            names = {k.lower(): v for k, v in headers}
            json_answer = 'application/json' in names.get('content-type', '')
            if (code >= 400 and not json_answer) or (
                    300 <= code < 400 and kind == 'api'):
                answered.update(code=code, allow=names.get('allow'))
                return lambda data: None
            if 300 <= code < 400:
                # A page redirect keeps its Location, without an HTML body
                answered.update(redirect=(status, [(k, v)
                            for k, v in headers
                            if k.lower() not in {'content-type',
                                'content-length'}]))
                return lambda data: None
            headers = list(headers)
            present = set(names)
            for name, value in FRAME_HEADERS.items():
                if name.lower() not in present:
                    headers.append((name, value))
            if 'content-security-policy' not in present:
                headers.append(('Content-Security-Policy', API_CSP))
            return start_response(status, headers, exc_info)

        try:
            body = self.wsgi_app(environ, capture)
        except Exception as exception:
            code = getattr(exception, 'code', None)
            if not isinstance(exception, HTTPException) or not code:
                logger.exception("Error answering %s",
                    environ.get('PATH_INFO'))
                code = 500
            answered = {'code': code}
            body = None
        if not answered:
            return body
        if body is not None and hasattr(body, 'close'):
            body.close()
        if 'redirect' in answered:
            status, headers = answered['redirect']
            start_response(status, headers + [('Content-Length', '0')])
            return [b'']
        return self._error(environ, start_response, database, answered)

    def _error(self, environ, start_response, database, answered):
        from trytond.protocols.wrappers import Request
        status = answered['code']
        allow = {m.strip().upper()
            for m in (answered.get('allow') or '').split(',') if m.strip()}
        if 300 <= status < 400:
            status = 404  # an API has one address per endpoint
        elif status == 405 and not allow - {'OPTIONS', 'HEAD'}:
            # Core answers CORS preflights on every path: no endpoint here
            status, answered['allow'] = 404, None
        code = HTTP_CODES.get(status,
            'server_error' if status >= 500 else 'not_found')
        if code in STATUS:
            status = STATUS[code]
        variables = {}
        if code == 'method_not_allowed':
            variables['method'] = environ.get('REQUEST_METHOD', '')
        elif code == 'too_many_requests':
            variables['seconds'] = FailedKeys.window
        elif code == 'request_too_large':
            variables['size'] = MAX_BODY
        headers = {'Allow': answered['allow']} if answered.get('allow') else (
            None)
        try:
            request = Request(environ)
        except Exception:
            request = None
        response = secure(translated_error(database, request, code,
                status=status, headers=headers, **variables))
        return response(environ, start_response)


if not isinstance(app.wsgi_app, JSONErrors):
    app.wsgi_app = JSONErrors(app.wsgi_app)
