# This file is part of factory_stock_ext.  Barcodes of the labels as inline
# SVG sized in millimetres, drawn by maintained generators: python-barcode
# (Code 128, GS1-128; the library of Tryton's own barcode extra), pystrich
# (GS1 DataMatrix) and segno (QR).  No ORM here.
import io
import re

import barcode
import segno
from barcode.writer import SVGWriter
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from pystrich.datamatrix import DataMatrixData, DataMatrixEncoder
from pystrich.gs1 import GS1Fixed, GS1Variable

FNC1 = '\xf1'  # python-barcode's FNC1 character
# Narrowest bar printed: 1.5 dots of a 203 dpi label printer; wider bars
# are kept within GS1's 0.495-1.016 mm where the label has the room
MIN_MODULE, MAX_MODULE = 0.19, 0.5
QUIET_MODULES = 10  # Code 128 quiet zone on each side
# Characters of GS1 AI 10 and 240 values (GS1 "CSET 82")
CSET82 = re.compile(r'^[A-Za-z0-9!"%&\'()*+,\-./:;<=>?_]+$')
# Fixed-length AIs first: the variable ones need FNC1 after them
ORDER = ['00', '01', '02', '11', '17', '240', '30', '37', '10']


def gs1_elements(gtin=None, product_code=None, lot=None,
        expiration_date=None, production_date=None, quantity=None):
    """[(AI, value)] of the goods, in printing order; product by GTIN-14
    or, without one, by material code (AI 240); lot and product code only
    when GS1 allows their characters"""
    elements = []
    if gtin:
        elements.append(('01', gtin))
    elif product_code and len(product_code) <= 30 and CSET82.match(
            product_code):
        elements.append(('240', product_code))
    else:
        return []
    if lot:
        if len(lot) > 20 or not CSET82.match(lot):
            return []
        elements.append(('10', lot))
    if expiration_date:
        elements.append(('17', expiration_date.strftime('%y%m%d')))
    if production_date:
        elements.append(('11', production_date.strftime('%y%m%d')))
    if quantity and float(quantity).is_integer() and 0 < quantity < 1e8:
        elements.append(('30', str(int(quantity))))
    return sorted(elements, key=lambda e: ORDER.index(e[0]))


def _variable(ai):
    return GS1ApplicationIdentifier.extract(ai).separator_required


def hri(elements):
    "The human-readable interpretation: (01)09506000134352(10)ABC"
    return ''.join('(%s)%s' % e for e in elements)


def element_string(elements, separator='\x1d'):
    """The data as a scanner sends it: the separator (GS, or FNC1 to draw
    the bars) after each variable-length field but the last"""
    return ''.join(ai + value + (separator if _variable(ai) and i < len(
                    elements) - 1 else '')
        for i, (ai, value) in enumerate(elements))


def _svg(data):
    "The <svg> element alone, for inline HTML"
    data = data.decode() if isinstance(data, bytes) else data
    return data[data.index('<svg'):]


def _linear(symbology, data, width, height):
    """Code 128 / GS1-128 SVG filling at most `width` mm; None when it
    cannot be printed that narrow"""
    # Measured on its own instance: build() is not repeatable (0.16.1
    # encodes again from a changed state and adds bars)
    modules = len(barcode.get(symbology, data).build()[0])
    module = min(MAX_MODULE, width / (modules + 2 * QUIET_MODULES))
    if module < MIN_MODULE:
        return None
    output = io.BytesIO()
    barcode.get(symbology, data, writer=SVGWriter()).write(output, options={
            'module_width': module, 'module_height': height,
            'quiet_zone': QUIET_MODULES * module, 'write_text': False,
            'margin_top': 0, 'margin_bottom': 0})
    return _svg(output.getvalue())


def code128_svg(text, width, height):
    "Code 128 of plain text (a bin, lot or material code)"
    if not text or not text.isascii():
        return None
    return _linear('code128', text, width, height)


def gs1_128_svg(elements, width, height):
    "GS1-128: FNC1 first, and after each variable-length field but the last"
    if not elements:
        return None
    return _linear('gs1_128', element_string(elements, FNC1), width, height)


def _square(svg, modules, size):
    "Give a matrix symbol drawn in modules its printed size in mm"
    module = min(1.0, size / modules)
    side = '%.3fmm' % (module * modules)
    return re.sub(r'(<svg\b[^>]*?)\swidth="[^"]*"\sheight="[^"]*"',
        r'\1 width="%s" height="%s"' % (side, side), svg, count=1)


def datamatrix_svg(elements, size):
    "GS1 DataMatrix (FNC1 first) of the elements, at most `size` mm wide"
    if not elements:
        return None
    fields = [(GS1Variable if _variable(ai) else GS1Fixed)(ai, value)
        for ai, value in elements]
    encoder = DataMatrixEncoder(DataMatrixData.gs1(*fields), quiet_zone=1)
    svg = encoder.get_svg(1)
    return _square(svg, len(encoder.matrix) + 2, size)


def qr_svg(text, size):
    "QR code of plain text, at most `size` mm wide"
    if not text:
        return None
    qr = segno.make_qr(text, error='m')
    modules = qr.symbol_size(scale=1, border=2)[0]
    module = min(1.0, size / modules)
    return qr.svg_inline(scale=module, border=2, unit='mm',
        svgclass=None, lineclass=None, dark='#000', light='#fff')
