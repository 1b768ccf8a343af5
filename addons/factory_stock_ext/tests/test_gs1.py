import contextlib
import datetime as dt

from trytond.pool import Pool
from trytond.tests.test_tryton import CONTEXT, DB_NAME, USER, with_transaction
from trytond.transaction import Transaction

from .db_test_case import DBTestCase
from ..exceptions_label import GS1Error
from ..gs1 import Label, decode
from .tools_qc_scan import factory, shipment_in, tx

GS = '\x1d'  # what scanners send for a separating FNC1
# GTIN of the GS1 General Specifications and GS1 Digital Link examples
GTIN = '09506000134352'
# GS1-128 as a scanner with symbology identifiers sends it: GTIN, expiry,
# lot (variable length, so FNC1 follows), count of items
LABEL = ']C101' + GTIN + '17261231' + '10ABC123' + GS + '3012'


def gtin_product(f):
    "Steel gets the example GTIN (stored as EAN-13, as identifiers usually are)"
    Identifier = Pool().get('product.identifier')
    Identifier.create([{'product': f.steel.id, 'type': 'ean',
                'code': GTIN[1:]}])


class GS1TestCase(DBTestCase):
    "GS1 barcodes: parsing with biip, products by GTIN, receipts by label"
    module = 'factory_stock_ext'

    @with_transaction()
    def test_decode_forms(self):
        "The same label as GS1-128, DataMatrix, QR, HRI and Digital Link"
        expected = Label(gtin=GTIN, lot='ABC123',
            expiration_date=dt.date(2026, 12, 31), quantity=12)
        for code in [LABEL,
                ']d201' + GTIN + '17261231' + '10ABC123' + GS + '3012',
                ']Q301' + GTIN + '3012' + GS + '17261231' + '10ABC123',
                '01' + GTIN + '10ABC123' + GS + '17261231' + '3012',
                '(01)' + GTIN + '(17)261231(10)ABC123(30)12',
                'https://id.gs1.org/01/%s/10/ABC123?17=261231&30=12' % GTIN,
                ]:
            self.assertEqual(decode(code), expected, code)
        # A pallet label: its SSCC, the GTIN of the contained items (02),
        # their production date and count (37)
        self.assertEqual(
            decode(']d2001061414112345678970209501101020917'
                '11250508' + '3748'),
            Label(sscc='106141411234567897', gtin='09501101020917',
                production_date=dt.date(2025, 5, 8), quantity=48))
        # The GS1 DataMatrix Guideline's example (the serial, AI 21, unused)
        self.assertEqual(
            decode(']d201095011010209171719050810ABCD1234' + GS + '2110'),
            Label(gtin='09501101020917', lot='ABCD1234',
                expiration_date=dt.date(2019, 5, 8)))
        # A retail EAN-13 is a GTIN; AI 240 carries our own product codes
        self.assertEqual(decode('9506000134352'), Label(gtin=GTIN))
        self.assertEqual(decode('240A01-0001' + GS + '10L7'),
            Label(product_code='A01-0001', lot='L7'))
        # Plain codes stay plain, even those that read as an AI
        for code in ['L-STEEL-1', 'B-01-02', '3712', '', None]:
            self.assertIsNone(decode(code), code)

    @with_transaction()
    def test_decode_refuses_broken_labels(self):
        "Wrong check digits and dates are refused with the reason"
        for code, reason in [
                ('01' + GTIN[:-1] + '3' + '10ABC', 'check digit'),
                ('(01)' + GTIN[:-1] + '3', 'check digit'),
                ('(00)106141411234567890', 'check digit'),
                ('(01)' + GTIN + '(17)261399', '17'),
                (']C13712', 'GTIN'),
                ]:
            with self.assertRaises(GS1Error) as cm:
                decode(code)
            self.assertEqual(cm.exception.code, 'gs1_invalid')
            self.assertIn(reason, cm.exception.message)

    @tx
    def test_parse(self):
        "The public parse maps the GTIN to the product and the lot"
        pool = Pool()
        GS1 = pool.get('stock.gs1')
        Lot = pool.get('stock.lot')
        f = factory(self._stack)
        gtin_product(f)
        result = GS1.parse(LABEL)
        self.assertEqual(result, {
                'product': f.steel.id, 'products': [f.steel.id],
                'gtin': GTIN, 'product_code': None, 'lot': 'ABC123',
                'lot_id': None, 'expiration_date': dt.date(2026, 12, 31),
                'production_date': None, 'quantity': 12, 'sscc': None})
        lot, = Lot.create([{'number': 'ABC123', 'product': f.steel.id}])
        self.assertEqual(GS1.parse(LABEL)['lot_id'], lot.id)
        # Our own labels without GTIN: AI 240 is the material code
        result = GS1.parse('(240)M-BOLT(10)L-BOLT-1')
        self.assertEqual((result['product'], result['lot_id']),
            (f.bolt.id, f.lot_bolt.id))
        # Unknown GTIN: read, but no product
        unknown = GS1.parse('(01)09501101020917(10)X')
        self.assertEqual((unknown['product'], unknown['gtin']),
            (None, '09501101020917'))
        with self.assertRaises(GS1Error) as cm:
            GS1.parse('M-STEEL')
        self.assertEqual(cm.exception.code, 'gs1_not_gs1')
        self.assertIn('M-STEEL', cm.exception.message)

    @tx
    def test_receipt_by_label(self):
        "One scan of a supplier label gives product, lot, expiry, quantity"
        pool = Pool()
        Session = pool.get('stock.scan.session')
        Shipment = pool.get('stock.shipment.in')
        Lot = pool.get('stock.lot')
        f = factory(self._stack, scan=True)
        gtin_product(f)
        shipment = shipment_in(f, [(f.steel, 24, None), (f.bolt, 5, None)])
        refusals = [
            # unknown GTIN, wrong check digit, expired, not the lot named
            ('(01)09501101020917(10)ABC123', {}, 'unknown_code', '09501'),
            ('01' + GTIN[:-1] + '3' + '10ABC123', {}, 'unknown_code',
                'check digit'),
            ('(01)' + GTIN + '(17)200101(10)OLD', {}, 'lot_expired', 'OLD'),
            (LABEL, {'lot': 'OTHER'}, 'wrong_lot', ''),
            ]
        for code, extra, result, text in refusals:
            line = Session.scan(shipment, code, 1, **extra)
            self.assertEqual(line.result, result, code)
            self.assertIn(text, line.message)
        self.assertEqual(Lot.search([('number', 'in', ['ABC123', 'OLD'])]),
            [])
        for key in ['a', 'b']:
            line = Session.scan(shipment, LABEL, 1, client_key=key)
            self.assertEqual((line.result, line.product, line.quantity),
                ('accepted', f.steel, 12), line.message)
        self.assertEqual(line.lot.number, 'ABC123')
        self.assertEqual(line.lot.expiration_date, dt.date(2026, 12, 31))
        # Found again, not created twice; a third label is too many
        self.assertEqual(Lot.search([('number', '=', 'ABC123')]), [line.lot])
        self.assertEqual(Session.scan(shipment, LABEL, 1).result,
            'over_quantity')
        Session.scan(shipment, 'M-BOLT', 5, lot='B-1')
        Session.complete([line.session])
        shipment = Shipment(shipment.id)
        steel, = [m for m in shipment.incoming_moves if m.product == f.steel]
        self.assertEqual((steel.lot, steel.quantity), (line.lot, 24))
        Shipment.receive([shipment])
        self.assertEqual(Shipment(shipment.id).state, 'received')
        self.assertEqual(Lot(line.lot.id).qc_state, 'hold')



class GS1FormTestCase(DBTestCase):
    "The desktop form's keyboard wedge with a GS1 label (commits data)"
    module = 'factory_stock_ext'

    def test_form_preview(self):
        "The form previews a label without creating its lot; saving does"
        with Transaction().start(DB_NAME, USER, context=CONTEXT) as tr:
            pool = Pool()
            Session = pool.get('stock.scan.session')
            with contextlib.ExitStack() as stack:
                f = factory(stack)
                gtin_product(f)
                shipment = shipment_in(f, [(f.steel, 24, None)])
                session, = Session.create([{'document': str(shipment),
                            'kind': 'receipt'}])
                company = f.company.id
            tr.commit()
        context = {**CONTEXT, 'company': company}
        # on_change calls come in read-only transactions
        with Transaction().start(DB_NAME, USER, context=context,
                readonly=True):
            session = Pool().get('stock.scan.session')(session.id)
            session.scan_code = LABEL
            session.on_change_scan_code()
            preview, = session.lines
            self.assertEqual((preview.result, preview.quantity, preview.lot),
                ('accepted', 12, None))
            values = preview._changed_values()
        with Transaction().start(DB_NAME, USER, context=context) as tr:
            pool = Pool()
            Line = pool.get('stock.scan.line')
            Lot = pool.get('stock.lot')
            values['session'] = session.id
            line, = Line.create([values])
            self.assertEqual((line.result, line.quantity, line.lot.number),
                ('accepted', 12, 'ABC123'))
            self.assertEqual(Lot.search([('number', '=', 'ABC123')]),
                [line.lot])
            tr.rollback()


del DBTestCase
