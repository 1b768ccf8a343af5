# This file is part of factory_stock_ext.  Rules on the values a client
# sends (quantities, client keys, codes), shared by the models and the HTTP
# API layer: a JSON-RPC call and an HTTP request are refused alike.
import math
import unicodedata
from contextlib import contextmanager
from decimal import Decimal

from trytond import backend
from trytond.i18n import gettext
from trytond.model.exceptions import SQLConstraintError

from .exceptions import InputError

# Larger than any quantity a bin holds, small enough that a float keeps
# every decimal a unit can have (2**53 ~ 9e15)
MAX_QUANTITY = 1e9
KEY_LENGTH = 64
TEXT_LENGTH = 256
# Control characters break labels and PostgreSQL refuses NUL; surrogates
# cannot be stored as UTF-8
_REFUSED_CATEGORIES = {'Cc', 'Cs'}
# GS1-128 / DataMatrix scanners send FNC1 as the group separator between
# variable-length element strings: a barcode carries it, a name does not
GS1_SEPARATOR = '\x1d'


def error(code, message_id, status=400, **variables):
    return InputError(code, gettext('factory_stock_ext.' + message_id,
            **variables), status=status)


def is_number(value):
    "A number of JSON or Python; never a boolean"
    return (isinstance(value, (int, float, Decimal))
        and not isinstance(value, bool))


def quantity(value, positive=False):
    """The quantity as a finite float within bounds, else InputError
    invalid_quantity (the unit's decimals: check_decimals)"""
    number = float(value) if is_number(value) else math.nan
    if (math.isfinite(number) and number <= MAX_QUANTITY
            and (number > 0 if positive else number >= 0)):
        return number + 0.0  # -0.0 is 0
    message = ('msg_input_quantity_positive' if positive
        else 'msg_input_quantity_not_negative')
    raise error('invalid_quantity', message, quantity=_shown(value),
        maximum='{:,.0f}'.format(MAX_QUANTITY))


def decimals(number):
    "Decimals written in the shortest form of the float (0.1 → 1)"
    exponent = Decimal(repr(float(number))).normalize().as_tuple().exponent
    return max(-exponent, 0)


def check_decimals(number, unit, product_name):
    """Refuse a quantity with more decimals than the unit allows; `unit` is
    a product.uom (digits, rec_name)"""
    if not float(number).is_integer() and decimals(number) > unit.digits:
        raise error('quantity_decimals', 'msg_input_quantity_decimals',
            quantity=repr(float(number)), unit=unit.rec_name,
            product=product_name, digits=unit.digits)
    return number


def client_key(value):
    "The client key (None when not given), never cut: InputError if bad"
    if value is None or value == '':
        return None
    if (not isinstance(value, str) or len(value) > KEY_LENGTH
            or not value.strip() or not _clean(value)):
        raise error('invalid_client_key', 'msg_input_client_key',
            length=KEY_LENGTH)
    return value


def key_conflict(key):
    "The key is already used in another scope: 409, nothing of the other"
    return error('client_key_conflict', 'msg_input_client_key_conflict',
        status=409, key=key)


@contextmanager
def key_race(client_key, message_id):
    """Create under a client key's unique constraint: when a concurrent
    request with the same key committed first, the constraint fails here and
    the request is retried (as for any concurrent update), so that it finds
    that record and answers as a replay instead of an error."""
    try:
        yield
    except SQLConstraintError as exception:
        if client_key and exception.message == gettext(message_id):
            raise backend.DatabaseOperationalError(
                'client key recorded concurrently') from exception
        raise


def text(value, field, length=TEXT_LENGTH, required=False, barcode=False):
    """A text sent by a client (code, device, …), stripped; None if empty.
    A barcode may carry the GS1 group separator."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise error('invalid_field', 'msg_input_text', field=field,
                length=length)
        return None
    if (not isinstance(value, str) or len(value) > length
            or not _clean(value.replace(GS1_SEPARATOR, '') if barcode
                else value)):
        raise error('invalid_field', 'msg_input_text', field=field,
            length=length)
    return value.strip()


def _clean(value):
    return not any(unicodedata.category(c) in _REFUSED_CATEGORIES
        for c in value)


def _shown(value):
    "The refused value as the user typed it, short"
    shown = repr(value) if not isinstance(value, str) else value
    shown = ''.join(c if unicodedata.category(c) not in _REFUSED_CATEGORIES
        else '?' for c in shown)
    return shown[:40]
