import datetime as dt

from trytond.pool import Pool

from .tools_qc_scan import FactoryTestCase
from .tools_qc_scan import factory, stock, tx


class PickingTestCase(FactoryTestCase):
    "Customer picking by lot: FEFO then FIFO; the scan refuses other lots"
    module = 'factory_stock_ext'

    @tx
    def test_fefo_fifo(self):
        pool = Pool()
        Lot = pool.get('stock.lot')
        Shipment = pool.get('stock.shipment.out')
        Session = pool.get('stock.scan.session')
        f = factory(self._stack)
        today = dt.date.today()
        later, soon, old, expired, held = Lot.create([
                {'number': n, 'product': f.steel.id, 'expiration_date': d}
                for n, d in [('L-LATER', today + dt.timedelta(200)),
                    ('L-SOON', today + dt.timedelta(100)),
                    ('L-OLD', None),
                    ('L-EXPIRED', today - dt.timedelta(1)),
                    ('L-HELD', today + dt.timedelta(10))]])
        # Shelf life counts as an expiry too
        Lot.write([later], {'shelf_life_expiration_date':
                    today + dt.timedelta(150)})
        stock(f, f.steel, 5, f.bin1, old)
        stock(f, f.steel, 6, f.bin1, later)
        stock(f, f.steel, 4, f.bin2, soon)
        stock(f, f.steel, 9, f.bin2, expired)
        stock(f, f.steel, 9, f.bin2, held)
        Lot.qc_put_on_hold([held], 'complaint', company=f.company)
        address, = pool.get('party.address').create([
                {'party': f.customer.id}])
        shipment, = Shipment.create([{'customer': f.customer.id,
                    'delivery_address': address.id,
                    'warehouse': f.warehouse.id, 'company': f.company.id,
                    'warehouse_storage': f.storage.id,
                    'warehouse_output': f.warehouse.output_location.id,
                    'outgoing_moves': [('create', [{'product': f.steel.id,
                                    'unit': f.unit.id, 'quantity': 12,
                                    'from_location':
                                    f.warehouse.output_location.id,
                                    'to_location': f.customer_location.id,
                                    'company': f.company.id,
                                    'unit_price': 1,
                                    'currency': f.company.currency.id}])]}])
        Shipment.wait([shipment])
        expected = [('L-SOON', f.bin2, 4), ('L-LATER', f.bin1, 6),
            ('L-OLD', f.bin1, 2)]
        suggestions = Shipment.suggest_lots([shipment.id])[shipment.id]
        self.assertEqual([(Lot(s['lot']).number, s['location'],
                    s['quantity']) for s in suggestions],
            [(n, l.id, q) for n, l, q in expected])
        Shipment.assign_fefo([shipment])
        shipment = Shipment(shipment.id)
        self.assertEqual(shipment.state, 'assigned')
        self.assertEqual(sorted((m.lot.number, m.from_location, m.quantity)
                for m in shipment.inventory_moves), sorted(expected))
        # Picking by scan: a lot not assigned is a wrong lot
        for code, location, result in [('L-HELD', f.bin2, 'wrong_lot'),
                ('L-EXPIRED', f.bin2, 'wrong_lot'),
                ('L-LATER', f.bin2, 'wrong_location'),
                ('L-SOON', f.bin2, 'accepted')]:
            line = Session.scan(shipment, code, 4, location=location)
            self.assertEqual(line.result, result, code)


del FactoryTestCase
