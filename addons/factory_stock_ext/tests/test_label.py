"""Labels: the reports' HTML is drawn by headless Chromium as it would be
printed, and every barcode on it is decoded back with zxing-cpp."""
import datetime as dt
import io
import os
import shutil
import tempfile

import zxingcpp
from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from trytond.pool import Pool

from .tools_qc_scan import FactoryTestCase
from .tools_qc_scan import factory, shipment_in, tx

GS = b'\x1d'
GTIN = '06901234567892'  # the fixture's barcode of Steel
# 4 device pixels per CSS pixel: about 384 dpi, a 300 dpi printer's detail
SCALE = 4


def chromium():
    options = webdriver.ChromeOptions()
    for flag in ['--headless=new', '--no-sandbox', '--disable-gpu',
            '--disable-background-networking', '--disable-component-update',
            '--disable-sync', '--no-first-run', '--window-size=900,1200',
            f'--force-device-scale-factor={SCALE}',
            f'--user-data-dir={tempfile.mkdtemp(prefix="chromium-")}']:
        options.add_argument(flag)
    options.binary_location = shutil.which('chromium') or '/usr/bin/chromium'
    service = Service(shutil.which('chromedriver') or '/usr/bin/chromedriver')
    return webdriver.Chrome(service=service, options=options)


class LabelTestCase(FactoryTestCase):
    "Lot, pallet, bin and material labels decode to what they say"
    module = 'factory_stock_ext'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.browser = chromium()
        cls.directory = tempfile.mkdtemp(prefix='labels-')

    @classmethod
    def tearDownClass(cls):
        cls.browser.quit()
        shutil.rmtree(cls.directory, ignore_errors=True)
        super().tearDownClass()

    def decoded(self, report_name, records):
        """Run the report; return per printed label the set of
        (symbology identifier, bytes) read from its picture"""
        Report = Pool().get(report_name, type='report')
        ext, content, _, _ = Report.execute([r.id for r in records], {})
        self.assertEqual(ext, 'html')
        path = os.path.join(self.directory, report_name + '.html')
        with open(path, 'w', encoding='utf-8') as file:
            file.write(content)
        self.browser.get('file://' + path)
        result = []
        for element in self.browser.find_elements(By.CSS_SELECTOR, '.label'):
            image = Image.open(io.BytesIO(element.screenshot_as_png))
            result.append({(r.symbology_identifier, r.bytes)
                    for r in zxingcpp.read_barcodes(image)})
        return result

    def goods(self):
        Lot = Pool().get('stock.lot')
        f = factory(self._stack)
        lot, = Lot.create([{'number': 'L-2026-07', 'product': f.steel.id,
                    'expiration_date': dt.date(2026, 12, 31)}])
        return f, lot

    @tx
    def test_lot_labels(self):
        "GS1 DataMatrix (and GS1-128 on 100 x 70) of GTIN, lot and expiry"
        f, lot = self.goods()
        gs1 = ('01' + GTIN + '17261231' + '10L-2026-07').encode()
        # Without a GTIN the material code goes in AI 240
        bolt = ('240M-BOLT').encode() + GS + b'10L-BOLT-1'
        self.assertEqual(self.decoded('stock.lot.label', [lot, f.lot_bolt]),
            [{(']C0', b'L-2026-07'), (']d2', gs1)},
                {(']C0', b'L-BOLT-1'), (']d2', bolt)}])
        self.assertEqual(self.decoded('stock.lot.label_100x70', [lot]),
            [{(']C1', gs1), (']d2', gs1)}])

    @tx
    def test_pallet_labels_scan_back(self):
        "A pallet label of a receipt, scanned on the next receipt, fills it"
        pool = Pool()
        Session = pool.get('stock.scan.session')
        f, lot = self.goods()
        shipment = shipment_in(f, [(f.steel, 12, lot), (f.bolt, 5, None)])
        steel = ('01' + GTIN + '17261231' + '3012').encode() + GS \
            + b'10L-2026-07'
        bolt = b'240M-BOLT' + GS + b'305'
        self.assertEqual(
            self.decoded('stock.shipment.in.pallet_label', [shipment]),
            [{(']C0', b'L-2026-07'), (']d2', steel)},
                {(']C0', b'M-BOLT'), (']d2', bolt)}])
        large = self.decoded(
            'stock.shipment.in.pallet_label_100x70', [shipment])
        self.assertEqual(large, [{(']C1', steel), (']d2', steel)},
                {(']C1', bolt), (']d2', bolt)}])
        # What a scanner sends for the bars: symbology identifier + data
        again = shipment_in(f, [(f.steel, 12, None), (f.bolt, 5, None)])
        for symbology, data in [(']C1', steel), (']d2', bolt)]:
            line = Session.scan(again, symbology + data.decode(), 1)
            self.assertEqual(line.result, 'accepted', line.message)
        lines = Session.search([])[0].lines
        self.assertEqual(sorted((l.product.code, l.quantity,
                    l.lot.number if l.lot else None) for l in lines),
            [('M-BOLT', 5, None), ('M-STEEL', 12, 'L-2026-07')])

    @tx
    def test_bin_labels(self):
        "Bin labels and the A4 sheet of a zone: Code 128 and QR of the code"
        pool = Pool()
        Location = pool.get('stock.location')
        Zone = pool.get('stock.location.zone')
        f = factory(self._stack)
        area, = Location.create([{'name': 'Area A', 'code': 'A',
                    'type': 'storage', 'parent': f.storage.id}])
        Location.write([f.bin1, f.bin2], {'parent': area.id})
        zone, = Zone.create([{'name': 'Zone A', 'code': 'ZA',
                    'warehouse': f.warehouse.id,
                    'locations': [('add', [area.id])]}])

        def both(code):
            return {(']C0', code), (']Q1', code)}
        self.assertEqual(self.decoded('stock.location.label', [f.bin1]),
            [both(b'B1')])
        self.assertEqual(
            self.decoded('stock.location.label_100x70', [f.bin2]),
            [both(b'B2')])
        # The sheet has the zone's bins only, not the area above them
        self.assertEqual(
            self.decoded('stock.location.zone.bin_sheet', [zone]),
            [both(b'B1'), both(b'B2')])

    @tx
    def test_material_labels(self):
        f, lot = self.goods()
        for name in ['product.product.material_label',
                'product.product.material_label_100x70']:
            self.assertEqual(self.decoded(name, [f.steel, f.bolt]),
                [{(']C0', b'M-STEEL'), (']Q1', b'M-STEEL')},
                    {(']C0', b'M-BOLT'), (']Q1', b'M-BOLT')}], name)


del FactoryTestCase
