"""Issue 17 finding 1 in factory_stock_ext: QC decisions, inspection results
and the scan log change only through their workflow; four eyes on the
over-quantity approval and, where configured, on the QC decision"""
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.transaction import Transaction

from .tools_qc_scan import FactoryTestCase
from ..exceptions_scan import QCAccessError, ScanError
from .tools_qc_scan import (
    factory, production, shipment_in, stock, tx, user_in)


def client(user):
    "What a JSON-RPC call of `user` runs with"
    transaction = Transaction()
    return transaction.set_user(user.id), transaction.set_context(
        _check_access=True)


class WorkflowGuardTestCase(FactoryTestCase):
    module = 'factory_stock_ext'

    def held_lot(self, f, receiver=None):
        "The steel lot received into QC (by `receiver` if given)"
        Shipment = Pool().get('stock.shipment.in')
        shipment = shipment_in(f, [(f.steel, 10, f.lot_steel)])
        with Transaction().set_user(receiver.id if receiver else 0):
            Shipment.receive([shipment])
        lot = f.lot_steel.__class__(f.lot_steel.id)
        self.assertEqual(lot.qc_state, 'hold')
        return lot

    @tx
    def test_qc_decision_only_by_workflow(self):
        pool = Pool()
        Lot = pool.get('stock.lot')
        f = factory(self._stack)
        lot = self.held_lot(f)
        inspector = user_in(['factory_stock_ext.group_factory_qc',
                'factory_stock_ext.group_factory_supervisor'], 'qc',
            f.company)
        user, context = client(inspector)
        with user, context:
            for values in [{'qc_state': 'released'},
                    {'qc_released_by': inspector.id},
                    {'qc_accepted_quantity': 10}, {'qc_hold_date': None}]:
                with self.subTest(values=values), \
                        self.assertRaises(AccessError):
                    Lot.write([Lot(lot.id)], values)
            with self.assertRaises(AccessError):
                Lot.create([{'number': 'L-NEW', 'product': f.steel.id,
                            'qc_state': 'released'}])
            with self.assertRaises(AccessError):
                Lot.delete([Lot(lot.id)])
            # A lot is still made at receipt, in its first QC state
            new, = Lot.create([{'number': 'L-NEW', 'product': f.steel.id}])
            # …and decided through the button
            Lot.qc_release([Lot(lot.id)])
        self.assertEqual(Lot(lot.id).qc_state, 'released')
        self.assertEqual(new.qc_state, 'none')

    @tx
    def test_inspection_result_only_by_buttons(self):
        pool = Pool()
        Inspection = pool.get('quality.inspection')
        Control = pool.get('quality.control')
        f = factory(self._stack)
        control, = Control.create([{'name': "Steel check",
                    'operations': ['stock.lot:qc'], 'product': f.steel.id,
                    'points': [('create', [{'name': 'hardness',
                                    'string': "Hardness", 'type_': 'float',
                                    'tolerance_lower': 50}])]}])
        lot = self.held_lot(f)
        inspection, = lot.quality_inspections
        inspector = user_in(['factory_stock_ext.group_factory_qc'], 'qc',
            f.company)
        user, context = client(inspector)
        with user, context:
            with self.assertRaises(AccessError):
                Inspection.create([{'company': f.company.id,
                            'control': control.id, 'origin': str(lot),
                            'state': 'passed'}])
            with self.assertRaises(AccessError):
                Inspection.write([inspection], {'state': 'passed'})
            Inspection.write([inspection], {'points': {'hardness': 60}})
            Inspection.process([inspection])
            # …and the measured points are then its result
            with self.assertRaises(AccessError):
                Inspection.write([inspection], {'points': {'hardness': 20}})
        self.assertEqual(Inspection(inspection.id).state, 'passed')

    @tx
    def test_qc_four_eyes(self):
        "Where configured, who received a lot into QC does not decide it"
        pool = Pool()
        Lot = pool.get('stock.lot')
        Location = pool.get('stock.location')
        f = factory(self._stack)
        Location.write([f.warehouse], {'qc_four_eyes': True})
        receiver = user_in(['factory_stock_ext.group_factory_qc',
                'factory_stock_ext.group_factory_clerk'], 'receiver',
            f.company)
        other = user_in(['factory_stock_ext.group_factory_qc'], 'other',
            f.company)
        lot = self.held_lot(f, receiver)
        self.assertEqual(lot.qc_held_by, receiver)
        with Transaction().set_user(receiver.id), \
                self.assertRaises(QCAccessError):
            Lot(lot.id).qc_decide()
        with Transaction().set_user(other.id):
            Lot(lot.id).qc_decide()
        self.assertEqual(Lot(lot.id).qc_state, 'released')

    @tx
    def test_scan_log_only_by_workflow(self):
        pool = Pool()
        Session = pool.get('stock.scan.session')
        Line = pool.get('stock.scan.line')
        f = factory(self._stack, scan=True, tolerance=10)
        stock(f, f.steel, 50, f.bin1, f.lot_steel)
        prod = production(f, [(f.steel, 10, None)])
        clerk = user_in(['factory_stock_ext.group_factory_clerk'], 'clerk',
            f.company)
        boss = user_in(['factory_stock_ext.group_factory_supervisor'],
            'boss', f.company)
        with Transaction().set_user(boss.id):
            over = Session.scan(prod, 'L-STEEL-1', 12, location=f.bin1)
        self.assertEqual(over.result, 'over_quantity')
        for who in [clerk, boss]:
            user, context = client(who)
            with self.subTest(user=who.login), user, context:
                with self.assertRaises(AccessError):
                    Line.write([Line(over.id)], {'result': 'approved',
                            'approved_by': boss.id})
                with self.assertRaises(AccessError):
                    Line.delete([Line(over.id)])
                with self.assertRaises(AccessError):
                    Session.write([Session(over.session.id)], {
                            'state': 'overridden',
                            'completed_by': boss.id})
        # Four eyes: who scanned too much does not approve it
        with Transaction().set_user(boss.id), \
                self.assertRaises(ScanError) as cm:
            Line.approve([Line(over.id)], 'rush order')
        self.assertEqual(cm.exception.code, 'approve_own')
        self.assertEqual(Line(over.id).result, 'over_quantity')


del FactoryTestCase
