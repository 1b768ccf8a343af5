"""QC hold holds against any document (issue 17, finding 7): with scan
enforcement off, stock on hold leaves the QC location only through a QC
decision"""
from trytond.pool import Pool

from .tools_qc_scan import FactoryTestCase
from ..exceptions_scan import QCError
from .tools_qc_scan import factory, quantity, shipment_in, tx


class QCHoldTestCase(FactoryTestCase):
    "QC hold on every move out of the QC location"
    module = 'factory_stock_ext'

    def received(self):
        Shipment = Pool().get('stock.shipment.in')
        f = factory(self._stack)
        shipment = shipment_in(f, [(f.steel, 10, f.lot_steel)])
        Shipment.receive([shipment])
        return f, shipment

    def internal(self, f, lot):
        Internal = Pool().get('stock.shipment.internal')
        shipment, = Internal.create([{'company': f.company.id,
                    'from_location': f.qc.id, 'to_location': f.bin1.id,
                    'moves': [('create', [{'product': f.steel.id,
                                    'unit': f.unit.id, 'quantity': 10,
                                    'lot': lot.id if lot else None,
                                    'from_location': f.qc.id,
                                    'to_location': f.bin1.id,
                                    'company': f.company.id}])]}])
        Internal.wait([shipment])
        return shipment

    @tx
    def test_internal_shipment_refused_on_hold(self):
        pool = Pool()
        Internal = pool.get('stock.shipment.internal')
        Move = pool.get('stock.move')
        f, _ = self.received()
        shipment = self.internal(f, f.lot_steel)
        with self.assertRaises(QCError) as cm:
            Internal.assign_try([shipment])
        for name in ['L-STEEL-1', 'QC Hold']:
            self.assertIn(name, cm.exception.message)
        # Forced through without reservation: refused as well
        with self.assertRaises(QCError):
            Move.do(list(Internal(shipment.id).moves))
        # Goods without a lot out of QC would carry held stock away too
        loose = self.internal(f, None)
        with self.assertRaises(QCError) as cm:
            Move.do(list(loose.moves))
        self.assertIn('QC Hold', cm.exception.message)
        self.assertEqual(quantity(f.steel, f.qc, f.lot_steel), 10)
        self.assertEqual(quantity(f.steel, f.bin1), 0)

    @tx
    def test_after_decision_moves_follow_it(self):
        "Released stock moves on; a rejected lot only to the rejected bin"
        pool = Pool()
        Shipment = pool.get('stock.shipment.in')
        Internal = pool.get('stock.shipment.internal')
        Lot = pool.get('stock.lot')
        f, shipment = self.received()
        Lot(f.lot_steel.id).qc_decide(accepted=0, reason="cracks")
        to_storage = self.internal(f, f.lot_steel)
        with self.assertRaises(QCError):
            Internal.assign_try([to_storage])
        Internal.cancel([to_storage])
        Shipment.do([Shipment(shipment.id)])
        self.assertEqual(quantity(f.steel, f.rejected, f.lot_steel), 10)


del FactoryTestCase
