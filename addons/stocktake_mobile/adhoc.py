"Client wizard around Task.create_adhoc (counts outside of a program)"
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.wizard import Button, StateAction, StateView, Wizard

from .task import KINDS

ADHOC_KINDS = [k for k in KINDS if k[0] != 'cycle']


class CreateAdhocStart(ModelView):
    __name__ = 'stocktake.task.adhoc.start'
    kind = fields.Selection(ADHOC_KINDS, "Kind", required=True)
    warehouse = fields.Many2One('stock.location', "Warehouse", required=True,
        domain=[('type', '=', 'warehouse')])
    locations = fields.Many2Many('stock.location', None, None, "Locations",
        domain=[('type', '=', 'storage')],
        states={'invisible': Eval('kind') != 'location',
            'required': Eval('kind') == 'location'})
    products = fields.Many2Many('product.product', None, None, "Products",
        states={'invisible': Eval('kind') != 'product',
            'required': Eval('kind') == 'product'})
    low_quantity = fields.Float("Low Quantity",
        states={'invisible': Eval('kind') != 'zero'},
        help="Count the items with this quantity or less.")
    assignee = fields.Many2One('res.user', "Assignee")
    due_date = fields.Date("Due Date")
    strict = fields.Boolean("Strict",
        help="Refuse stock moves in the counted locations while counting.")

    @classmethod
    def default_kind(cls):
        return 'location'

    @classmethod
    def default_low_quantity(cls):
        return 0

    @classmethod
    def default_warehouse(cls):
        return Pool().get('stock.location').get_default_warehouse()

    @classmethod
    def default_due_date(cls):
        return Pool().get('ir.date').today()


class CreateAdhoc(Wizard):
    "Create an ad-hoc count task and open it"
    __name__ = 'stocktake.task.adhoc'
    start = StateView('stocktake.task.adhoc.start',
        'stocktake_mobile.task_adhoc_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Create", 'create_', 'tryton-ok', default=True),
            ])
    create_ = StateAction('stocktake_mobile.act_task')

    def do_create_(self, action):
        Task = Pool().get('stocktake.task')
        start = self.start
        kind = start.kind
        task = Task.create_adhoc(kind, start.warehouse,
            locations=list(start.locations) if kind == 'location' else None,
            products=list(start.products) if kind == 'product' else None,
            low_quantity=start.low_quantity or 0, assignee=start.assignee,
            due_date=start.due_date, strict=start.strict)
        # Open the new task in its form
        action['views'].reverse()
        return action, {'res_id': [task.id]}
