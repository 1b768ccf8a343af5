import datetime as dt

from trytond.pool import Pool

from .tools_qc_scan import FactoryTestCase
from ..exceptions_label import LabelError
from .tools_qc_scan import factory, stock, tx


class LookupTestCase(FactoryTestCase):
    "Look-up: what a bin holds; where a material or lot is"
    module = 'factory_stock_ext'

    @tx
    def test_lookup(self):
        pool = Pool()
        Lookup = pool.get('stock.lookup')
        Lot = pool.get('stock.lot')
        Identifier = pool.get('product.identifier')
        f = factory(self._stack)
        expiry = dt.date.today() + dt.timedelta(days=90)
        Lot.write([f.lot_steel], {'expiration_date': expiry})
        held, = Lot.create([{'number': 'L-STEEL-2', 'product': f.steel.id}])
        stock(f, f.steel, 5, f.bin1, f.lot_steel)
        stock(f, f.bolt, 3, f.bin1)
        stock(f, f.steel, 2, f.qc, held)
        Lot.qc_put_on_hold([held], 'receipt', company=f.company)
        Identifier.create([{'product': f.steel.id, 'type': 'ean',
                    'code': '9506000134352'}])

        def line(location, product, lot, quantity, qc, expiration=None):
            return {'location': location.id, 'product': product.id,
                'lot': lot.id if lot else None, 'quantity': quantity,
                'unit': f.unit.id, 'qc_state': qc,
                'expiration_date': expiration}

        steel_bin = line(f.bin1, f.steel, f.lot_steel, 5, 'none', expiry)
        bolt_bin = line(f.bin1, f.bolt, None, 3, None)
        steel_qc = line(f.qc, f.steel, held, 2, 'hold')
        content = [{k: v for k, v in l.items() if k != 'location'}
            for l in [steel_bin, bolt_bin]]
        self.assertEqual(Lookup.scan('B1'), {'kind': 'location',
                'location': f.bin1.id,
                'content': sorted(content, key=lambda l: l['product'])})
        # The storage zone holds the bin's goods, not the QC hold
        self.assertEqual(
            len(Lookup.location_content([f.storage.id])[f.storage.id]), 2)
        self.assertEqual(Lookup.scan('L-STEEL-1'), {'kind': 'lot',
                'product': f.steel.id, 'lot': f.lot_steel.id,
                'stock': [steel_bin]})
        self.assertEqual(Lookup.scan('M-STEEL'), {'kind': 'product',
                'product': f.steel.id, 'lot': None,
                'stock': sorted([steel_bin, steel_qc],
                    key=lambda l: l['location'])})
        # A GS1 label finds the product and its lot
        result = Lookup.scan('(01)09506000134352(10)L-STEEL-2')
        self.assertEqual((result['kind'], result['stock']),
            ('lot', [steel_qc]))
        with self.assertRaises(LabelError) as cm:
            Lookup.scan('NOPE')
        self.assertEqual(cm.exception.code, 'lookup_unknown')
        self.assertIn('NOPE', cm.exception.message)


del FactoryTestCase
