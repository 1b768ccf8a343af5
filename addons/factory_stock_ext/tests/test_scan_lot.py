"""Lots scanned on a receipt (issue 17, finding 10): a lot number of another
product is a new lot only once the clerk confirms; a lot id of another
product is refused naming the lot"""
from trytond.exceptions import UserWarning
from trytond.pool import Pool
from trytond.transaction import Transaction

from .tools_qc_scan import FactoryTestCase
from .tools_qc_scan import factory, shipment_in, tx


class ScanLotTestCase(FactoryTestCase):
    "Lot of another product on a receipt scan"
    module = 'factory_stock_ext'

    @tx
    def test_number_of_other_product_needs_confirmation(self):
        pool = Pool()
        Session = pool.get('stock.scan.session')
        Lot = pool.get('stock.lot')
        Line = pool.get('stock.scan.line')
        Warning = pool.get('res.user.warning')
        f = factory(self._stack)
        shipment = shipment_in(f, [(f.steel, 10, None)])
        # As the client: warnings are asked, not skipped
        with Transaction().set_context(_skip_warnings=False):
            with self.assertRaises(UserWarning) as cm:
                Session.scan(shipment, 'M-STEEL', 2, lot='L-BOLT-1',
                    client_key='first')
            for name in ['L-BOLT-1', 'Bolt', 'Steel']:
                self.assertIn(name, cm.exception.message)
            self.assertEqual(Lot.search([('number', '=', 'L-BOLT-1'),
                        ('product', '=', f.steel.id)]), [])
            self.assertEqual(Line.search([], count=True), 0)
            # The clerk confirms (what the client does on "Yes")
            Warning.create([{'user': Transaction().user,
                        'name': cm.exception.name}])
            line = Session.scan(shipment, 'M-STEEL', 2, lot='L-BOLT-1',
                client_key='confirmed')
        self.assertEqual(line.result, 'accepted')
        self.assertEqual((line.lot.number, line.lot.product),
            ('L-BOLT-1', f.steel))

    @tx
    def test_lot_id_of_other_product_named(self):
        Session = Pool().get('stock.scan.session')
        f = factory(self._stack)
        shipment = shipment_in(f, [(f.steel, 10, None)])
        line = Session.scan(shipment, 'M-STEEL', 1, lot=f.lot_bolt.id)
        self.assertEqual(line.result, 'wrong_lot')
        self.assertIn('"L-BOLT-1"', line.message)


del FactoryTestCase
