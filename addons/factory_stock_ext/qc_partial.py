# This file is part of factory_stock_ext.  Partial pass of a lot on QC hold
# from the client: a form for the passed quantity and the reason on top of
# Lot.qc_decide, which checks the QC group and the quantity again (the
# button and the action are also restricted to the QC group in qc.xml).
from trytond.model import ModelView, fields
from trytond.pyson import Eval
from trytond.wizard import Button, StateTransition, StateView, Wizard


class QCPartialStart(ModelView):
    __name__ = 'stock.lot.qc_partial.start'
    __string__ = "QC Partial Pass"

    lot = fields.Many2One('stock.lot', "Lot", readonly=True)
    held_quantity = fields.Float("Held Quantity", readonly=True)
    accepted_quantity = fields.Float("Passed Quantity", required=True,
        domain=[('accepted_quantity', '>=', 0),
            ('accepted_quantity', '<=', Eval('held_quantity', 0))],
        help="Goes on to storage; the rest of the held quantity is rejected.")
    reason = fields.Char("Reason", required=True)


class QCPartial(Wizard):
    __name__ = 'stock.lot.qc_partial'

    start = StateView('stock.lot.qc_partial.start',
        'factory_stock_ext.qc_partial_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Decide", 'decide', 'tryton-ok', default=True),
            ])
    decide = StateTransition()

    def default_start(self, fields):
        lot = self.record
        return {
            'lot': lot.id,
            'held_quantity': lot.qc_held_quantity(),
            }

    def transition_decide(self):
        self.record.qc_decide(accepted=self.start.accepted_quantity,
            reason=self.start.reason)
        return 'end'
