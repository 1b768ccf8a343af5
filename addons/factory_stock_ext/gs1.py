# This file is part of factory_stock_ext.  GS1 barcodes read with biip
# (GS1-128, GS1 DataMatrix, GS1 QR, GS1 Digital Link, plain GTINs): one scan
# of a supplier label gives product, lot, expiry, production date, quantity
# and SSCC.  GTINs map to products through core product.identifier.
import datetime as dt
from dataclasses import dataclass

import biip
from biip.gs1_messages import GS1Message
from biip.symbology import GS1Symbology
from sql import Literal, Union

from trytond.i18n import gettext
from trytond.model import Model
from trytond.pool import Pool
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .exceptions_label import GS1Error

# Application identifiers read from a label
PRODUCT_AIS = {'01', '02', '240'}
QUANTITY_AIS = ('30', '37')


@dataclass(frozen=True)
class Label:
    "What a GS1 barcode says about the goods it marks"
    gtin: str = None  # GTIN-14 (AI 01, or 02 of the contained items)
    product_code: str = None  # AI 240, our labels without a GTIN
    lot: str = None  # AI 10
    expiration_date: dt.date = None  # AI 17
    production_date: dt.date = None  # AI 11
    quantity: int = None  # AI 30 or 37
    sscc: str = None  # AI 00

    @property
    def identifies_product(self):
        return bool(self.gtin or self.product_code)

    def gtin_codes(self):
        "The GTIN as an identifier may store it: GTIN-14, -13, -12 and -8"
        if not self.gtin:
            return []
        codes = [self.gtin]
        for length in (13, 12, 8):
            if self.gtin[:14 - length].strip('0') == '':
                codes.append(self.gtin[14 - length:])
        return codes


def _invalid(code, error):
    return GS1Error('gs1_invalid', gettext(
            'factory_stock_ext.msg_gs1_invalid', code=code, error=error))


def _declared_gs1(result):
    "The scanner said the symbol carries GS1 data (symbology identifier)"
    symbology = result.symbology_identifier
    return bool(symbology and symbology.gs1_symbology
        in GS1Symbology.with_gs1_messages() | GS1Symbology.with_gtin())


def _message(code):
    """The GS1 message of the code, or a plain GTIN as a str; None when the
    code is not GS1; GS1Error when it is GS1 but broken"""
    if code.startswith('('):
        # Human-readable form, typed from the text under the bars
        try:
            return GS1Message.parse_hri(code)
        except biip.ParseError as exception:
            raise _invalid(code, str(exception))
    try:
        result = biip.parse(code)
    except biip.ParseError as exception:
        raise _invalid(code, str(exception))
    message = result.gs1_message
    if message and result.gtin and not any(e.ai.ai in PRODUCT_AIS
            for e in message.element_strings):
        # An EAN-13 such as 95…: a GTIN, not AI 95 company data
        return result.gtin.as_gtin_14()
    if message:
        return message
    if result.gs1_digital_link_uri:
        return result.gs1_digital_link_uri.as_gs1_message()
    if result.gtin:
        return result.gtin.as_gtin_14()
    if _declared_gs1(result):
        raise _invalid(code, result.gs1_message_error
            or result.gs1_digital_link_uri_error or result.gtin_error)
    return None


def decode(code):
    """Return the Label of a scanned code, None when the code is not a GS1
    barcode of goods (no GTIN, product code or SSCC in it)

    Raise GS1Error when it is one but a check digit or a date is wrong."""
    code = (code or '').strip()
    if not code:
        return None
    message = _message(code)
    if message is None:
        return None
    if isinstance(message, str):
        return Label(gtin=message)
    values = {}
    for element in message.element_strings:
        ai = element.ai.ai
        if ai in {'01', '02'}:
            if not element.gtin:
                raise _invalid(code, element.gtin_error)
            values.setdefault('gtin', element.gtin.as_gtin_14())
        elif ai == '00':
            if not element.sscc:
                raise _invalid(code, element.sscc_error)
            values['sscc'] = element.sscc.value
        elif ai == '240':
            values['product_code'] = element.value
        elif ai == '10':
            values['lot'] = element.value
        elif ai == '17':
            values['expiration_date'] = element.date
        elif ai == '11':
            values['production_date'] = element.date
        elif ai in QUANTITY_AIS:
            values['quantity'] = int(element.value)
    label = Label(**values)
    if not (label.identifies_product or label.sscc):
        # e.g. a plain code "3712" also reads as AI 37 = 12
        if code.startswith(('(', ']')):
            raise _invalid(code, gettext('factory_stock_ext.msg_gs1_no_goods'))
        return None
    return label


def product_rows(label):
    """[(product id, (product code, template id, template name))] of the
    label's product, by GTIN identifier or (AI 240) by product code; in one
    query, for the scan hot path"""
    if not label or not label.identifies_product:
        return []
    pool = Pool()
    identifier = pool.get('product.identifier').__table__()
    product = pool.get('product.product').__table__()
    template = pool.get('product.template').__table__()
    queries = []
    codes = label.gtin_codes() + (
        [label.product_code] if label.product_code else [])
    queries.append(identifier.select(identifier.product.as_('product'),
            where=identifier.code.in_(codes)))
    if label.product_code:
        other = pool.get('product.product').__table__()
        queries.append(other.select(other.id.as_('product'),
                where=other.code == label.product_code))
    query = Union(*queries) if len(queries) > 1 else queries[0]
    cursor = Transaction().connection.cursor()
    cursor.execute(*query.join(product, condition=product.id == query.product
            ).join(template, condition=template.id == product.template
            ).select(product.id, product.code, template.id, template.name,
            where=product.active == Literal(True),
            order_by=[product.id]))
    return [(r[0], tuple(r[1:])) for r in cursor]


class GS1(Model):
    "Reads GS1 barcodes for the clients (handheld, desktop)"
    __name__ = 'stock.gs1'
    __string__ = "GS1 Barcode"

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({'parse': RPC()})

    @classmethod
    def parse(cls, code):
        """Return {product, products, gtin, product_code, lot, lot_id,
        expiration_date, production_date, quantity, sscc} of a scanned GS1
        barcode; product is None for an unknown GTIN.  Raise GS1Error when
        the code is no valid GS1 barcode."""
        pool = Pool()
        Lot = pool.get('stock.lot')
        ModelAccess = pool.get('ir.model.access')
        ModelAccess.check('product.product', 'read')
        label = decode(code)
        if label is None:
            raise GS1Error('gs1_not_gs1', gettext(
                    'factory_stock_ext.msg_gs1_not_gs1', code=code))
        products = [r[0] for r in product_rows(label)]
        product = products[0] if products else None
        lot_id = None
        if product and label.lot:
            lots = Lot.search([('product', '=', product),
                    ('number', '=', label.lot)], limit=1)
            lot_id = lots[0].id if lots else None
        return {
            'product': product,
            'products': products,
            'gtin': label.gtin,
            'product_code': label.product_code,
            'lot': label.lot,
            'lot_id': lot_id,
            'expiration_date': label.expiration_date,
            'production_date': label.production_date,
            'quantity': label.quantity,
            'sscc': label.sscc,
            }
