from trytond.pool import Pool

from .tools_qc_scan import FactoryTestCase
from .tools_qc_scan import factory, shipment_in, stock, tx


class PutawayTestCase(FactoryTestCase):
    "Put-away proposal: fixed bin, a bin with room in the zone, last bin"
    module = 'factory_stock_ext'

    @tx
    def test_proposal_order(self):
        pool = Pool()
        Location = pool.get('stock.location')
        Zone = pool.get('stock.location.zone')
        ProductLocation = pool.get('stock.product.location')
        f = factory(self._stack)
        area, = Location.create([{'name': 'Area A', 'code': 'A',
                    'type': 'storage', 'parent': f.storage.id}])
        b3, b4 = Location.create([{'name': n, 'code': n, 'type': 'storage',
                    'parent': area.id} for n in ['B3', 'B4']])
        Zone.create([{'name': 'Zone A', 'code': 'ZA',
                    'warehouse': f.warehouse.id,
                    'locations': [('add', [area.id])]}])

        def propose(product, quantity=0):
            result = Location.propose_putaway(f.warehouse.id, product.id,
                quantity)
            location = result['location'] and Location(result['location'])
            return location, result['reason'], result['message']

        # Nothing known yet
        location, reason, message = propose(f.steel)
        self.assertEqual((location, reason), (None, None))
        self.assertIn('Steel', message)
        # Last bin used, outside any zone
        stock(f, f.steel, 5, f.bin1)
        self.assertEqual(propose(f.steel)[:2], (f.bin1, 'last'))
        # In a zone: the bin already holding the material first, then an
        # empty one when it is full; never a bin of another material
        stock(f, f.bolt, 1, b3)
        stock(f, f.steel, 2, b4)
        self.assertEqual(propose(f.steel, 3)[:2], (b4, 'zone'))
        Location.write([b4], {'bin_capacity': 4})
        Location.write([b3], {'bin_capacity': 100})
        location, reason, message = propose(f.steel, 3)
        # b4 is full and b3 holds bolts: the last bin (b4) is proposed
        self.assertEqual((location, reason), (b4, 'last'))
        self.assertIn('B4', message)
        empty, = Location.create([{'name': 'B5', 'code': 'B5',
                    'type': 'storage', 'parent': area.id,
                    'bin_capacity': 3}])
        self.assertEqual(propose(f.steel, 3)[:2], (empty, 'zone'))
        self.assertEqual(propose(f.steel, 4)[:2], (b4, 'last'))
        # The material's default location (core stock_product_location):
        # a bin is its fixed bin, an area gives its bins
        ProductLocation.create([{'template': f.steel.template.id,
                    'warehouse': f.warehouse.id, 'location': f.bin2.id},
                {'template': f.paint.template.id,
                    'warehouse': f.warehouse.id, 'location': area.id}])
        self.assertEqual(propose(f.steel, 1000)[:2], (f.bin2, 'fixed'))
        self.assertEqual(propose(f.paint, 3)[:2], (empty, 'zone'))

    @tx
    def test_strict_putaway_scan(self):
        "A warehouse putting away to the proposed bin refuses another bin"
        pool = Pool()
        Session = pool.get('stock.scan.session')
        Shipment = pool.get('stock.shipment.in')
        Location = pool.get('stock.location')
        Lot = pool.get('stock.lot')
        f = factory(self._stack, scan=True)
        # Last bin used: bin1 (no fixed bin: the move goes to storage)
        stock(f, f.steel, 5, f.bin1)
        shipment = shipment_in(f, [(f.steel, 10, f.lot_steel)])
        Session.complete([Session.scan(shipment, 'L-STEEL-1', 10).session])
        Shipment.receive([shipment])
        Lot(f.lot_steel.id).qc_decide()
        move, = Shipment(shipment.id).inventory_moves
        self.assertEqual(Location.propose_putaway_move(move)['location'],
            f.bin1.id)
        # Not strict: any bin of the storage zone
        line = Session.scan(shipment, 'L-STEEL-1', 1, location=f.bin2)
        self.assertEqual(line.result, 'accepted', line.message)
        Location.write([f.warehouse], {'putaway_strict': True})
        line = Session.scan(shipment, 'L-STEEL-1', 1, location=f.bin2)
        self.assertEqual(line.result, 'wrong_location')
        self.assertIn(f.bin1.name, line.message)
        self.assertEqual(
            Location.putaway_bin_expected(move, f.bin2.id), f.bin1)
        self.assertIsNone(Location.putaway_bin_expected(move, f.bin1.id))
        line = Session.scan(shipment, 'L-STEEL-1', 9, location=f.bin1)
        self.assertEqual(line.result, 'accepted', line.message)

del FactoryTestCase
