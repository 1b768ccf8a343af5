# This file is part of factory_stock_ext.  Sign-in of a handheld with the
# person's own login and password: Tryton's login (its failed-attempt count,
# delay and rate limit, active users only) then issues that user a validated
# application key for the device.  Nobody has to hand keys out.  Or with a
# one-time token a supervisor showed as a QR code (token_sign_in_route).
import logging
from http import HTTPStatus

from trytond import backend, security
from trytond.exceptions import LoginException, RateLimitException
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wsgi import app

from . import http_api

logger = logging.getLogger(__name__)
PASSWORD_LENGTH = 1024


def _fields(request, database_name):
    "login, password and device name of the body; Refused if malformed"
    with Transaction().start(database_name, 0, readonly=True) as transaction:
        language = http_api.explicit_language(request)
        with transaction.set_context(language=language
                or transaction.language):
            data = http_api.read_json(request)
            login = http_api.text(data, 'login', required=True)
            password = data.get('password')
            if (not isinstance(password, str) or not password
                    or len(password) > PASSWORD_LENGTH):
                http_api.invalid('password')
            device = http_api.text(data, 'device') or ''
    return login, password, device.strip()[:64]


def _new_key(user_id, application, device):
    "A new validated key of the application for the user's device"
    pool = Pool()
    UserApplication = pool.get('res.user.application')
    User = pool.get('res.user')
    record, = UserApplication.create([{
                'user': user_id,
                'application': application,
                'device': device,
                'state': 'validated',
                }])
    user = User(user_id)
    return record, {'key': record.key, 'user': {'id': user.id,
            'name': user.name or user.login,
            'language': user.language.code if user.language else 'en'}}


def _issue(database_name, user_id, application, device):
    with Transaction().start(database_name, 0) as transaction:
        _, result = _new_key(user_id, application, device)
        transaction.commit()
    return result


def _guarded(answer):
    """The route around answer(request, database_name): unknown database
    404, refusals and errors in the API's JSON shape, never a 500 page"""
    def endpoint(request, database_name):
        try:
            if http_api._pool(database_name) is None:
                return http_api.secure(http_api.error_response(
                        'not_found', HTTPStatus.NOT_FOUND.phrase))
            response = answer(request, database_name)
        except http_api.Refused as exception:
            response = exception.response
        except backend.DatabaseOperationalError:
            response = http_api.translated_error(database_name, request,
                'unavailable', headers={'Retry-After': '1'})
        except Exception:
            logger.exception("Error answering %s", request.path)
            response = http_api.translated_error(database_name, request,
                'server_error')
        return http_api.secure(response)
    return endpoint


def sign_in_route(path, application):
    """POST {login, password, device} on path: 200 {key, user} for a right
    password; 401 otherwise, 429 when Tryton's login limit is reached"""
    def answer(request, database_name):
        login, password, device = _fields(request, database_name)
        try:
            user_id = security.login(database_name, login,
                {'password': password}, cache=False,
                context={'_request': request.context})
        except LoginException:
            # Another authentication step is configured: not for a
            # handheld
            user_id = None
        except RateLimitException:
            user_id = False
            response = http_api.translated_error(database_name, request,
                'too_many_requests', seconds=60,
                headers={'Retry-After': '60'})
        if user_id:
            response = http_api.json_response(_issue(
                    database_name, user_id, application, device))
        elif user_id is None:
            response = http_api.translated_error(database_name,
                    request, 'wrong_login')
        return response
    endpoint = _guarded(answer)
    endpoint.max_request_size = http_api.MAX_BODY
    endpoint.__name__ = f'sign_in_{application}'
    app.route(path, methods=['POST'])(endpoint)
    return endpoint


def _token_fields(request, database_name):
    "token and device name of the body; Refused if malformed"
    with Transaction().start(database_name, 0, readonly=True) as transaction:
        language = http_api.explicit_language(request)
        with transaction.set_context(language=language
                or transaction.language):
            data = http_api.read_json(request)
            token = http_api.text(data, 'token', required=True,
                length=http_api.KEY_MAX_LENGTH)
            device = http_api.text(data, 'device') or ''
    return token.strip(), device.strip()[:64]


def _redeem(database_name, model, token, application, device):
    """(answer, None) for a good token, used up in the same transaction as
    the key is made; (None, error code) otherwise, nothing written"""
    with Transaction().start(database_name, 0) as transaction:
        Token = Pool().get(model)
        user_id, code = Token.redeem(token)
        if not user_id:
            transaction.rollback()
            return None, code
        record, result = _new_key(user_id, application, device)
        Token.set_device(token, record)
        transaction.commit()
    return result, None


def token_sign_in_route(path, application, model):
    """POST {token, device} on path: 200 {key, user} (as the password
    sign-in) for a one-time token of `model` (its classmethods
    redeem(token) -> (user id, error code) and set_device(token, key
    record)); 401 token_invalid, token_expired or token_used otherwise,
    429 after too many failures from the address (as wrong keys)"""
    def answer(request, database_name):
        token, device = _token_fields(request, database_name)
        address = request.remote_addr or ''
        failed = http_api.failed_keys
        wait = failed.wait(address, token)
        if not wait:
            result, code = _redeem(database_name, model, token,
                application, device)
            if result:
                failed.succeeded(address, token)
                response = http_api.json_response(result)
            else:
                wait = failed.failed(address, token)
        if wait:
            response = http_api.translated_error(database_name, request,
                'too_many_requests', seconds=wait,
                headers={'Retry-After': str(wait)})
        elif not result:
            response = http_api.translated_error(database_name,
                request, code)
        return response
    endpoint = _guarded(answer)
    endpoint.max_request_size = http_api.MAX_BODY
    endpoint.__name__ = f'token_sign_in_{application}'
    app.route(path, methods=['POST'])(endpoint)
    return endpoint
