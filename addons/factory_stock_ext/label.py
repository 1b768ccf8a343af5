# This file is part of factory_stock_ext.  Printable labels of materials,
# lots, bins and received pallets for 60 x 40 mm and 100 x 70 mm label
# printers, and an A4 sheet of bin labels per zone.  HTML with inline SVG
# barcodes (barcodes.py): the browser prints it at its size, no converter
# (LibreOffice) is needed on the server.
from dataclasses import dataclass, field

import biip
from genshi.core import Markup

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.report import Report

from . import barcodes


@dataclass(frozen=True)
class Size:
    name: str
    width: float  # mm, of one label
    height: float
    matrix: float  # mm, side of the 2D symbol
    linear: float  # mm, height of the bars
    title: float  # pt
    text: float  # pt
    gs1_128: bool  # room for the whole GS1 data in bars
    sheet: bool = False  # labels side by side on A4 pages
    padding: float = 2


SMALL = Size('60x40', 60, 40, 16, 9, 11, 7, gs1_128=False)
LARGE = Size('100x70', 100, 70, 26, 14, 16, 10, gs1_128=True)
# 3 x 8 labels of 70 x 37.125 mm fill an A4 page (a common label sheet)
SHEET = Size('A4', 70, 37.125, 15, 9, 11, 7, gs1_128=False, sheet=True,
    padding=3)


@dataclass
class Label:
    title: str
    lines: list = field(default_factory=list)  # (caption, value)
    linear: str = ''  # SVG
    hri: str = ''  # text under the bars
    matrix: str = ''  # SVG


def _caption(name):
    return gettext('factory_stock_ext.msg_label_%s' % name)


def product_gtin(product):
    "GTIN-14 of the first identifier of the product that is a valid GTIN"
    for identifier in product.identifiers:
        code = (identifier.code or '').strip()
        if code.isdigit() and len(code) in {8, 12, 13, 14}:
            try:
                return biip.gtin.Gtin.parse(code).as_gtin_14()
            except biip.ParseError:
                continue


def code_label(title, code, lines, size):
    "A label of a plain code (bin, material): Code 128 and QR"
    inner = size.width - 2 * size.padding
    return Label(title=title, lines=lines,
        linear=Markup(barcodes.code128_svg(code, inner, size.linear) or ''),
        hri=code or '', matrix=Markup(barcodes.qr_svg(code, size.matrix)
            or ''))


def goods_label(product, lot, size, quantity=None, lines=()):
    """A label of goods: GS1 data (GTIN or material code, lot, expiry,
    quantity) in a GS1 DataMatrix, and in GS1-128 bars where they fit,
    else the lot number (or material code) in Code 128"""
    inner = size.width - 2 * size.padding
    elements = barcodes.gs1_elements(gtin=product_gtin(product),
        product_code=product.code, lot=lot.number if lot else None,
        expiration_date=lot.expiration_date if lot else None,
        quantity=quantity)
    linear = size.gs1_128 and barcodes.gs1_128_svg(
        elements, inner, size.linear)
    if linear:
        hri = barcodes.hri(elements)
    else:
        hri = lot.number if lot else product.code
        linear = barcodes.code128_svg(hri, inner, size.linear)
    matrix = (barcodes.datamatrix_svg(elements, size.matrix)
        or barcodes.qr_svg(hri, size.matrix))
    return Label(title=lot.number if lot else (product.code or ''),
        lines=[(None, product.rec_name), *lines],
        linear=Markup(linear or ''), hri=hri or '',
        matrix=Markup(matrix or ''))


def _date(report, value):
    return report.format_date(value) if value else ''


class LabelReport(Report):
    "Labels of `size`, one or more per record"
    size = SMALL

    @classmethod
    def labels(cls, record):
        raise NotImplementedError

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['size'] = cls.size
        context['labels'] = [l for r in records for l in cls.labels(r)]
        return context


class MaterialLabel(LabelReport):
    __name__ = 'product.product.material_label'

    @classmethod
    def labels(cls, product):
        code = product.code or next(
            (i.code for i in product.identifiers), None)
        lines = [(None, product.name)]
        gtin = product_gtin(product)
        if gtin:
            lines.append(('GTIN', gtin))
        return [code_label(code or product.rec_name, code, lines, cls.size)]


class MaterialLabelLarge(MaterialLabel):
    __name__ = 'product.product.material_label_100x70'
    size = LARGE


class LotLabel(LabelReport):
    __name__ = 'stock.lot.label'

    @classmethod
    def labels(cls, lot):
        lines = []
        if lot.expiration_date:
            lines.append((_caption('expiry'),
                    _date(cls, lot.expiration_date)))
        return [goods_label(lot.product, lot, cls.size, lines=lines)]


class LotLabelLarge(LotLabel):
    __name__ = 'stock.lot.label_100x70'
    size = LARGE


class LocationLabel(LabelReport):
    __name__ = 'stock.location.label'

    @classmethod
    def location_label(cls, location, zone=None):
        lines = [(None, location.name)]
        if location.warehouse and location.warehouse != location:
            lines.append((_caption('warehouse'), location.warehouse.name))
        if zone:
            lines.append((_caption('zone'), zone.rec_name))
        return code_label(location.code or location.name, location.code,
            lines, cls.size)

    @classmethod
    def labels(cls, location):
        Zone = Pool().get('stock.location.zone')
        zone = Zone.zones_for_locations([location.id])[location.id]
        return [cls.location_label(location, Zone(zone) if zone else None)]


class LocationLabelLarge(LocationLabel):
    __name__ = 'stock.location.label_100x70'
    size = LARGE


class ZoneBinSheet(LocationLabel):
    "A4 sheets of labels of the bins of a zone"
    __name__ = 'stock.location.zone.bin_sheet'
    size = SHEET

    @classmethod
    def labels(cls, zone):
        pool = Pool()
        Location = pool.get('stock.location')
        Zone = pool.get('stock.location.zone')
        locations = Location.search([
                ('parent', 'child_of', [zone.warehouse.id]),
                ('type', '=', 'storage'),
                ('code', '!=', None),
                ], order=[('code', 'ASC'), ('id', 'ASC')])
        # Bins: locations without children, in this zone
        zones = Zone.zones_for_locations([l.id for l in locations])
        return [cls.location_label(l, zone) for l in locations
            if zones[l.id] == zone.id and l.right == l.left + 1]


class PalletLabel(LabelReport):
    "A label per received line (product and lot) of a supplier shipment"
    __name__ = 'stock.shipment.in.pallet_label'

    @classmethod
    def labels(cls, shipment):
        labels = []
        for move in sorted(shipment.incoming_moves, key=lambda m: m.id):
            if move.state == 'cancelled' or not move.quantity:
                continue
            lot = move.lot
            lines = []
            if lot and lot.expiration_date:
                lines.append((_caption('expiry'),
                        _date(cls, lot.expiration_date)))
            lines += [
                (_caption('quantity'), '%s %s' % (
                        cls.format_number(move.quantity, None,
                            digits=move.unit.digits), move.unit.symbol)),
                (_caption('supplier'), shipment.supplier.rec_name),
                (_caption('receipt'), ' '.join(filter(None, [
                                shipment.number, shipment.reference,
                                _date(cls, shipment.effective_date
                                    or shipment.planned_date)]))),
                ]
            # AI 30 is a count of items: whole units only
            count = move.quantity if move.unit.digits == 0 else None
            labels.append(goods_label(move.product, lot, cls.size,
                    quantity=count, lines=lines))
        return labels


class PalletLabelLarge(PalletLabel):
    __name__ = 'stock.shipment.in.pallet_label_100x70'
    size = LARGE
