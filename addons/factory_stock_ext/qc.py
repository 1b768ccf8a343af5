# This file is part of factory_stock_ext.  QC hold: warehouse settings, lot
# QC state and the QC decision that splits held stock into put-away and
# rejected quantities.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.quality.quality import ControlledMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from . import workflow_guard
from .exceptions_scan import QCAccessError, QCError, check_group

QC_STATES = [
    ('none', "None"),
    ('hold', "On Hold"),
    ('released', "Released"),
    ('rejected', "Rejected"),
    ]
# QC decisions: set by the hold on receipt and by qc_decide only
LOT_QC_FIELDS = {'qc_state', 'qc_hold_date', 'qc_hold_reason', 'qc_held_by',
    'qc_released_by', 'qc_released_at', 'qc_decision_reason',
    'qc_accepted_quantity', 'qc_rejected_quantity'}
# Results of an inspection: set by its process/pass/fail buttons only
INSPECTION_RESULT_FIELDS = {'state', 'processed_by', 'processed_at',
    'passed_by', 'failed_by'}


class Location(metaclass=PoolMeta):
    __name__ = 'stock.location'

    qc_required = fields.Boolean(
        "QC Required",
        states={'invisible': Eval('type') != 'warehouse'},
        help="Supplier receipts land in the QC location until released.")
    qc_location = fields.Many2One(
        'stock.location', "QC Location",
        domain=[
            ('type', '=', 'storage'),
            ('parent', 'child_of', [Eval('id', -1)]),
            ('parent', 'not child_of', [Eval('storage_location', -1)]),
            ],
        states={
            'invisible': Eval('type') != 'warehouse',
            'required': Bool(Eval('qc_required')),
            },
        help="Where received goods wait for inspection; being outside the "
        "storage zone it is not available to production or sales.")
    rejected_location = fields.Many2One(
        'stock.location', "Rejected Location",
        domain=[
            ('type', '=', 'storage'),
            ('parent', 'child_of', [Eval('id', -1)]),
            ('parent', 'not child_of', [Eval('storage_location', -1)]),
            ],
        states={
            'invisible': Eval('type') != 'warehouse',
            'required': Bool(Eval('qc_required')),
            },
        help="Where failed goods wait for a return to the supplier.")
    qc_four_eyes = fields.Boolean(
        "QC Four Eyes",
        states={'invisible': Eval('type') != 'warehouse'},
        help="The user who received a lot on hold cannot decide it.")

    @classmethod
    def copy(cls, locations, default=None):
        # A copied warehouse gets its own children: do not point to ours
        default = default.copy() if default is not None else {}
        default.setdefault('qc_location')
        default.setdefault('rejected_location')
        return super().copy(locations, default=default)


class Lot(ControlledMixin, metaclass=PoolMeta):
    __name__ = 'stock.lot'

    qc_state = fields.Selection(QC_STATES, "QC State", readonly=True)
    qc_hold_date = fields.Date("QC Hold Date", readonly=True)
    qc_hold_reason = fields.Char("QC Hold Reason", readonly=True)
    qc_held_by = fields.Many2One('res.user', "QC Held By", readonly=True,
        help="The user who received the lot into QC.")
    qc_hold_age = fields.Function(
        fields.Integer("QC Hold Age (days)"), 'get_qc_hold_age')
    qc_released_by = fields.Many2One(
        'res.user', "QC Decided By", readonly=True)
    qc_released_at = fields.DateTime("QC Decided At", readonly=True)
    qc_decision_reason = fields.Char("QC Decision Reason", readonly=True)
    qc_accepted_quantity = fields.Float("QC Accepted Quantity", readonly=True)
    qc_rejected_quantity = fields.Float("QC Rejected Quantity", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'qc_release': {
                    'invisible': Eval('qc_state') != 'hold',
                    'depends': ['qc_state'],
                    },
                'qc_reject': {
                    'invisible': Eval('qc_state') != 'hold',
                    'depends': ['qc_state'],
                    },
                'qc_partial': {
                    'invisible': Eval('qc_state') != 'hold',
                    'depends': ['qc_state'],
                    },
                })

    @classmethod
    def default_qc_state(cls):
        return 'none'

    @classmethod
    def check_modification(cls, mode, lots, values=None, external=False):
        super().check_modification(
            mode, lots, values=values, external=external)
        workflow_guard.check(cls, mode, lots, values, external,
            fields=LOT_QC_FIELDS)

    @classmethod
    def copy(cls, lots, default=None):
        default = default.copy() if default is not None else {}
        for name in ['qc_hold_date', 'qc_hold_reason', 'qc_held_by',
                'qc_released_by',
                'qc_released_at', 'qc_decision_reason',
                'qc_accepted_quantity', 'qc_rejected_quantity']:
            default.setdefault(name)
        default.setdefault('qc_state', 'none')
        return super().copy(lots, default=default)

    def get_qc_hold_age(self, name):
        if self.qc_state == 'hold' and self.qc_hold_date:
            return (dt.date.today() - self.qc_hold_date).days

    def quality_control_pattern(self, operation):
        pattern = super().quality_control_pattern(operation)
        pattern['products'] = {self.product.id}
        return pattern

    @classmethod
    def qc_put_on_hold(cls, lots, reason, company=None):
        "Put lots on QC hold (called on receipt into a QC warehouse)"
        pool = Pool()
        Control = pool.get('quality.control')
        Inspection = pool.get('quality.inspection')
        cls.write(list(lots), {
                'qc_state': 'hold',
                'qc_hold_date': dt.date.today(),
                'qc_hold_reason': reason,
                'qc_held_by': Transaction().user or None,
                'qc_released_by': None,
                'qc_released_at': None,
                })
        # Core quality controls of operation "stock.lot:qc" give the checks
        inspections = Control.get_inspections(list(lots), 'qc')
        for inspection in inspections:
            if not getattr(inspection, 'company', None):
                inspection.company = company
        Inspection.save(inspections)

    @classmethod
    @ModelView.button
    def qc_release(cls, lots):
        for lot in lots:
            lot.qc_decide()

    @classmethod
    @ModelView.button
    def qc_reject(cls, lots):
        for lot in lots:
            lot.qc_decide(accepted=0)

    @classmethod
    @ModelView.button_action('factory_stock_ext.wizard_qc_partial')
    def qc_partial(cls, lots):
        "Partial pass: the wizard asks the passed quantity and the reason"
        pass

    def _qc_held_moves(self):
        "Draft put-away moves that still carry this lot out of QC"
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        qc_locations = [w.qc_location.id for w in Location.search([
                    ('type', '=', 'warehouse'),
                    ('qc_location', '!=', None),
                    ])]
        return Move.search([
                ('lot', '=', self.id),
                ('state', 'in', ['draft', 'staging']),
                ('shipment', 'like', 'stock.shipment.in,%'),
                ('from_location', 'in', qc_locations),
                ], order=[('id', 'ASC')])

    def qc_held_quantity(self):
        "The quantity of the lot waiting in QC, in its product's unit"
        return sum(m.internal_quantity for m in self._qc_held_moves())

    def qc_decide(self, accepted=None, reason=None):
        """Decide the held quantity of the lot: `accepted` goes to storage,
        the rest to the rejected location (partial pass splits the moves).
        Without `accepted`, the quality inspections decide all or nothing."""
        pool = Pool()
        Move = pool.get('stock.move')
        check_group('group_factory_qc', QCAccessError(gettext(
                    'factory_stock_ext.msg_qc_release_access',
                    lot=self.rec_name)))
        self.__class__.lock([self])
        if self.qc_state != 'hold':
            raise QCError(gettext('factory_stock_ext.msg_qc_not_on_hold',
                    lot=self.rec_name, product=self.product.rec_name))
        if self.quality_inspections_pending():
            raise QCError(gettext(
                    'factory_stock_ext.msg_qc_inspection_pending',
                    lot=self.rec_name, product=self.product.rec_name))
        moves = self._qc_held_moves()
        if any(m.shipment.warehouse.qc_four_eyes for m in moves):
            # Four eyes: who received the lot does not decide it
            workflow_guard.four_eyes(Transaction().user, self.qc_held_by,
                QCAccessError(gettext('factory_stock_ext.msg_qc_decide_own',
                        lot=self.rec_name, product=self.product.rec_name)))
        total = sum(m.internal_quantity for m in moves)
        if accepted is None:
            failed = any(
                i.state == 'failed' for i in self.quality_inspections)
            accepted = 0 if failed else total
        if not moves or accepted < 0 or accepted > total:
            raise QCError(gettext(
                    'factory_stock_ext.msg_qc_invalid_quantity',
                    lot=self.rec_name, product=self.product.rec_name,
                    quantity=accepted, total=total))
        remaining, to_reject, copies = accepted, [], []
        for move in moves:
            rejected_location = move.shipment.warehouse.rejected_location
            if remaining >= move.quantity:
                remaining -= move.quantity
            elif remaining <= 0:
                to_reject.append(move)
            else:
                # Partial pass: keep the accepted part on the put-away move
                # and split the rest off to the rejected location
                copies.extend(Move.copy([move], default={
                            'quantity': move.quantity - remaining,
                            'to_location': rejected_location.id,
                            }))
                Move.write([move], {'quantity': remaining})
                remaining = 0
        for move in to_reject:
            Move.write([move], {
                    'to_location':
                    move.shipment.warehouse.rejected_location.id,
                    })
        self.__class__.write([self], {
                'qc_state': 'released' if accepted else 'rejected',
                'qc_released_by': Transaction().user or None,
                'qc_released_at': dt.datetime.now(),
                'qc_decision_reason': reason,
                'qc_accepted_quantity': accepted,
                'qc_rejected_quantity': total - accepted,
                })


class Control(metaclass=PoolMeta):
    __name__ = 'quality.control'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        operation = ('stock.lot:qc', "Lot QC Hold")
        if operation not in cls.operations.selection:
            cls.operations.selection.append(operation)
        # Categories are company multi-values (account_product): like the
        # core product field, read them in the control's company
        cls.product_category.context = {
            **(cls.product_category.context or {}),
            'company': Eval('company', Eval('context', {}).get('company')),
            }
        cls.product_category.depends.add('company')


class Inspection(metaclass=PoolMeta):
    __name__ = 'quality.inspection'

    @classmethod
    def _get_origins(cls):
        return super()._get_origins() + ['stock.lot']

    @classmethod
    def check_modification(
            cls, mode, inspections, values=None, external=False):
        super().check_modification(
            mode, inspections, values=values, external=external)
        workflow_guard.check(cls, mode, inspections, values, external,
            fields=INSPECTION_RESULT_FIELDS)
        # The points of a processed inspection are its result
        if (external and mode == 'write' and 'points' in values
                and any(i.state != 'pending' for i in inspections)):
            raise workflow_guard.refuse(cls, 'points', inspections)
