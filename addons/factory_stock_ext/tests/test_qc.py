from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.transaction import Transaction

from .tools_qc_scan import FactoryTestCase
from ..exceptions_scan import QCAccessError, QCError
from .tools_qc_scan import (
    factory, quantity, shipment_in, stock, tx, user_in)


class QCTestCase(FactoryTestCase):
    "QC hold on receipt"
    module = 'factory_stock_ext'

    @tx
    def test_opt_in_unchanged(self):
        "Without qc_required a receipt goes to input then storage as in core"
        Shipment = Pool().get('stock.shipment.in')
        f = factory(self._stack, qc=False)
        shipment = shipment_in(f, [(f.steel, 10, None)])
        self.assertEqual(shipment.warehouse_input, f.input)
        Shipment.receive([shipment])
        Shipment.do([shipment])
        self.assertEqual(quantity(f.steel, f.storage), 10)
        self.assertEqual(quantity(f.steel, f.qc), 0)

    @tx
    def test_receipt_lands_in_qc_and_is_not_available(self):
        pool = Pool()
        Shipment = pool.get('stock.shipment.in')
        Move = pool.get('stock.move')
        f = factory(self._stack)
        shipment = shipment_in(f, [(f.steel, 10, f.lot_steel)])
        self.assertEqual(shipment.warehouse_input, f.qc)
        Shipment.receive([shipment])
        lot = f.lot_steel.__class__(f.lot_steel.id)
        self.assertEqual(lot.qc_state, 'hold')
        self.assertTrue(lot.qc_hold_date)
        self.assertIn(shipment.rec_name, lot.qc_hold_reason)
        self.assertEqual(quantity(f.steel, f.qc), 10)
        # The warehouse quantity (what sales and production see) excludes QC
        self.assertEqual(quantity(f.steel, f.warehouse), 0)
        move, = Move.create([{'product': f.steel.id, 'unit': f.unit.id,
                    'quantity': 5, 'from_location': f.storage.id,
                    'to_location': f.customer_location.id,
                    'company': f.company.id, 'unit_price': 1,
                    'currency': f.company.currency.id}])
        self.assertFalse(Move.assign_try([move]))
        with self.assertRaises(QCError) as cm:
            Shipment.do([shipment])
        self.assertIn('L-STEEL-1', cm.exception.message)
        self.assertIn('Steel', cm.exception.message)

    @tx
    def test_retargeted_move_still_goes_through_qc(self):
        "A receipt changed to the input location is sent back to QC"
        pool = Pool()
        Shipment = pool.get('stock.shipment.in')
        Move = pool.get('stock.move')
        f = factory(self._stack)
        shipment = shipment_in(f, [(f.steel, 4, f.lot_steel)])
        Shipment.write([shipment], {'warehouse_input': f.input.id})
        Move.write(list(shipment.moves), {'to_location': f.input.id})
        Shipment.receive([shipment])
        shipment = Shipment(shipment.id)
        self.assertEqual(shipment.warehouse_input, f.qc)
        self.assertEqual(quantity(f.steel, f.qc), 4)

    @tx
    def test_lot_required(self):
        Shipment = Pool().get('stock.shipment.in')
        f = factory(self._stack)
        shipment = shipment_in(f, [(f.bolt, 3, None)])
        with self.assertRaises(QCError) as cm:
            Shipment.receive([shipment])
        self.assertIn('Bolt', cm.exception.message)

    @tx
    def test_partial_pass_and_return(self):
        "Pass 7 of 10: 7 to storage, 3 to rejected, returnable to supplier"
        pool = Pool()
        Shipment = pool.get('stock.shipment.in')
        Return = pool.get('stock.shipment.in.return')
        Lot = pool.get('stock.lot')
        f = factory(self._stack)
        shipment = shipment_in(f, [(f.steel, 10, f.lot_steel)])
        Shipment.receive([shipment])
        clerk = user_in(['factory_stock_ext.group_factory_clerk'], 'clerk',
            f.company)
        inspector = user_in(['factory_stock_ext.group_factory_qc'], 'qc',
            f.company)
        lot = Lot(f.lot_steel.id)
        with Transaction().set_user(clerk.id):
            with self.assertRaises(QCAccessError):
                lot.qc_decide(7, reason="scratches")
        with Transaction().set_user(inspector.id):
            with self.assertRaises(QCError):
                Lot(lot.id).qc_decide(11)
            Lot(lot.id).qc_decide(7, reason="scratches")
        lot = Lot(lot.id)
        self.assertEqual(lot.qc_state, 'released')
        self.assertEqual(lot.qc_released_by, inspector)
        self.assertEqual(
            (lot.qc_accepted_quantity, lot.qc_rejected_quantity), (7, 3))
        Shipment.do([Shipment(shipment.id)])
        self.assertEqual(quantity(f.steel, f.storage, lot), 7)
        self.assertEqual(quantity(f.steel, f.rejected, lot), 3)
        self.assertEqual(quantity(f.steel, f.qc, lot), 0)
        ret, = Return.create([{'company': f.company.id,
                    'supplier': f.supplier.id,
                    'from_location': f.rejected.id,
                    'to_location': f.supplier_location.id,
                    'moves': [('create', [{'product': f.steel.id,
                                    'unit': f.unit.id, 'quantity': 3,
                                    'lot': lot.id,
                                    'from_location': f.rejected.id,
                                    'to_location': f.supplier_location.id,
                                    'company': f.company.id,
                                    'unit_price': 1,
                                    'currency': f.company.currency.id}])]}])
        Return.wait([ret])
        Return.assign_try([ret])
        self.assertEqual(Return(ret.id).state, 'assigned')
        Return.do([ret])
        self.assertEqual(quantity(f.steel, f.rejected, lot), 0)

    @tx
    def test_inspection_decides(self):
        "A failed core quality inspection rejects the whole lot"
        pool = Pool()
        Shipment = pool.get('stock.shipment.in')
        Control = pool.get('quality.control')
        Inspection = pool.get('quality.inspection')
        Lot = pool.get('stock.lot')
        f = factory(self._stack)
        Control.create([{'name': 'Steel check', 'operations': ['stock.lot:qc'],
                    'product': f.steel.id, 'points': [('create', [{
                                    'name': 'hardness', 'string': 'Hardness',
                                    'type_': 'float', 'tolerance_lower': 50}])]}])
        shipment = shipment_in(f, [(f.steel, 10, f.lot_steel),
                (f.bolt, 5, f.lot_bolt)])
        Shipment.receive([shipment])
        steel, bolt = Lot(f.lot_steel.id), Lot(f.lot_bolt.id)
        inspection, = steel.quality_inspections
        self.assertEqual(bolt.quality_inspections, ())
        with self.assertRaises(QCError):
            steel.qc_decide()
        Inspection.write([inspection], {'points': {'hardness': 20}})
        Inspection.process([inspection])
        self.assertEqual(Inspection(inspection.id).state, 'failed')
        Lot(steel.id).qc_decide()
        bolt.qc_decide()
        self.assertEqual(Lot(steel.id).qc_state, 'rejected')
        self.assertEqual(Lot(bolt.id).qc_state, 'released')
        Shipment.do([Shipment(shipment.id)])
        self.assertEqual(quantity(f.steel, f.rejected), 10)
        self.assertEqual(quantity(f.steel, f.storage), 0)
        self.assertEqual(quantity(f.bolt, f.storage), 5)
        with self.assertRaises(UserError):
            Lot(bolt.id).qc_decide()

    @tx
    def test_decision_button_access(self):
        "Release buttons are reserved to the QC group"
        pool = Pool()
        Button = pool.get('ir.model.button')
        ModelData = pool.get('ir.model.data')
        qc_group = ModelData.get_id('factory_stock_ext', 'group_factory_qc')
        for name in ['qc_release', 'qc_reject']:
            button, = Button.search([('model', '=', 'stock.lot'),
                    ('name', '=', name)])
            self.assertEqual([g.id for g in button.groups], [qc_group])
        f = factory(self._stack)
        stock(f, f.steel, 1, f.bin1)


del FactoryTestCase
