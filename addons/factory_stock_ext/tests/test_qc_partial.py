from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.transaction import Transaction

from .db_test_case import DBTestCase
from .tools_qc_scan import factory, quantity, shipment_in, tx, user_in


class QCPartialTestCase(DBTestCase):
    "Partial pass wizard of a lot on QC hold (client form)"
    module = 'factory_stock_ext'

    def run_wizard(self, lot, accepted, reason):
        "Open the wizard on the lot as the client does, then decide"
        Wizard = Pool().get('stock.lot.qc_partial', type='wizard')
        session_id, _, _ = Wizard.create()
        with Transaction().set_context(active_model='stock.lot',
                active_id=lot.id, active_ids=[lot.id]):
            defaults = Wizard.execute(session_id, {}, 'start')['view'][
                'defaults']
            Wizard.execute(session_id, {'start': {
                        'lot': lot.id,
                        'held_quantity': defaults['held_quantity'],
                        'accepted_quantity': accepted, 'reason': reason,
                        }}, 'decide')
        Wizard.delete(session_id)
        return defaults

    @tx
    def test_partial_pass_from_wizard(self):
        pool = Pool()
        Shipment = pool.get('stock.shipment.in')
        Lot = pool.get('stock.lot')
        f = factory(self._stack)
        shipment = shipment_in(f, [(f.steel, 10, f.lot_steel)])
        Shipment.receive([shipment])
        clerk = user_in(['factory_stock_ext.group_factory_clerk',
                'stock.group_stock'], 'clerk', f.company)
        # An inspector reads lots through the stock group, like a clerk
        inspector = user_in(['factory_stock_ext.group_factory_qc',
                'stock.group_stock'], 'qc', f.company)
        lot = Lot(f.lot_steel.id)
        with Transaction().set_user(clerk.id):
            # The action is reserved to QC (and qc_decide checks it again)
            with self.assertRaises(AccessError):
                self.run_wizard(lot, 7, "scratches")
        with Transaction().set_user(inspector.id):
            defaults = self.run_wizard(lot, 7, "scratches")
        self.assertEqual((defaults['lot'], defaults['held_quantity']),
            (lot.id, 10))
        lot = Lot(lot.id)
        self.assertEqual((lot.qc_state, lot.qc_decision_reason,
                lot.qc_accepted_quantity, lot.qc_rejected_quantity),
            ('released', "scratches", 7, 3))
        Shipment.do([Shipment(shipment.id)])
        self.assertEqual(quantity(f.steel, f.storage, lot), 7)
        self.assertEqual(quantity(f.steel, f.rejected, lot), 3)

    @tx
    def test_access_reserved_to_qc(self):
        "The button and the wizard action are for the QC group only"
        pool = Pool()
        Button = pool.get('ir.model.button')
        ModelData = pool.get('ir.model.data')
        Action = pool.get('ir.action')
        qc_group = ModelData.get_id('factory_stock_ext', 'group_factory_qc')
        button, = Button.search([('model', '=', 'stock.lot'),
                ('name', '=', 'qc_partial')])
        self.assertEqual([g.id for g in button.groups], [qc_group])
        action = Action(ModelData.get_id('factory_stock_ext',
                'wizard_qc_partial'))
        self.assertEqual([g.id for g in action.groups], [qc_group])


del DBTestCase
