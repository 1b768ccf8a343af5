from collections import defaultdict

from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import WorkflowError
from .program import OPEN_STATES

STATES = [
    ('open', "Counting"),
    ('recount', "Recount"),
    ('counted', "Counted"),
    ('approved', "Approved"),
    ('done', "Posted"),
    ('cancelled', "Cancelled"),
    ]
KINDS = [
    ('cycle', "Cycle Count"),
    ('location', "Location"),
    ('product', "Product"),
    ('zero', "Zero/Low Stock"),
    ('variance', "Last Variance"),
    ]


class Task(Workflow, ModelSQL, ModelView):
    __name__ = 'stocktake.task'
    _rec_name = 'name'
    _ro = {'readonly': Eval('state') != 'open'}
    name = fields.Char("Name", readonly=True)
    company = fields.Many2One('company.company', "Company", required=True,
        states=_ro)
    warehouse = fields.Many2One('stock.location', "Warehouse", required=True,
        domain=[('type', '=', 'warehouse')], states=_ro)
    program = fields.Many2One('stocktake.program', "Program", readonly=True)
    kind = fields.Selection(KINDS, "Kind", required=True, states=_ro)
    zone = fields.Many2One('stock.location.zone', "Zone", states=_ro)
    locations = fields.Many2Many('stocktake.task.location', 'task',
        'location', "Locations", states=_ro)
    assignee = fields.Many2One('res.user', "Assignee",
        states={'readonly': ~Eval('state').in_(['open', 'recount'])})
    recount_assignee = fields.Many2One('res.user', "Recount Assignee",
        states={'readonly': Eval('state') != 'recount'})
    due_date = fields.Date("Due Date", states=_ro)
    strict = fields.Boolean("Strict", states=_ro,
        help="Refuse stock moves in the counted locations while counting.")
    lines = fields.One2Many('stocktake.task.line', 'task', "Lines",
        states=_ro)
    counts = fields.One2Many('stocktake.count', 'task', "Counts",
        readonly=True)
    inventories = fields.One2Many('stock.inventory', 'stocktake_task',
        "Inventories", readonly=True)
    approved_by = fields.Many2One('res.user', "Approved by", readonly=True)
    posted_date = fields.Date("Posted Date", readonly=True)
    state = fields.Selection(STATES, "State", readonly=True, required=True)
    del _ro

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('due_date', 'ASC'), ('id', 'ASC')]
        cls._transitions |= {
            ('open', 'recount'), ('open', 'counted'), ('recount', 'counted'),
            ('counted', 'approved'), ('approved', 'done'),
            ('open', 'cancelled'), ('recount', 'cancelled'),
            ('counted', 'cancelled'), ('approved', 'cancelled'),
            }
        cls._buttons.update({
                'finish': {'invisible': ~Eval('state').in_(
                            ['open', 'recount']), 'depends': ['state']},
                'approve': {'invisible': Eval('state') != 'counted',
                    'depends': ['state']},
                'post': {'invisible': Eval('state') != 'approved',
                    'depends': ['state']},
                'cancel': {'invisible': ~Eval('state').in_(list(OPEN_STATES)),
                    'depends': ['state']},
                'export_sheet': {
                    'invisible': ~Eval('state').in_(['open', 'recount']),
                    'depends': ['state']},
                'import_sheet': {
                    'invisible': ~Eval('state').in_(['open', 'recount']),
                    'depends': ['state']},
                })

    @staticmethod
    def default_state():
        return 'open'

    @staticmethod
    def default_kind():
        return 'location'

    @staticmethod
    def default_strict():
        return False

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def create(cls, vlist):
        tasks = super().create(vlist)
        to_write = [t for t in tasks if not t.name]
        for task in to_write:
            task.name = 'ST%05d' % task.id
        cls.save(to_write)
        return tasks

    def tolerances(self):
        "{abc_class: (quantity, value)}; zero tolerance without a program"
        if self.program:
            return self.program.tolerances()
        return {}

    @property
    def counter_ids(self):
        return {c.counter.id for c in self.counts if c.counter}

    @classmethod
    @ModelView.button
    def finish(cls, tasks):
        "The counter is done: snapshot the books and flag recounts"
        pool = Pool()
        Line = pool.get('stocktake.task.line')
        to_recount, to_counted = [], []
        # One set-based variance pass per program (tolerances), not per task
        batches = defaultdict(list)
        for task in tasks:
            if task.state not in {'open', 'recount'}:
                raise WorkflowError('msg_task_not_counting',
                    task=task.rec_name, state=task.state)
            round_ = 2 if task.state == 'recount' else 1
            lines = [l for l in task.lines
                if round_ == 1 or l.recount_required]
            missing = [l for l in lines
                if l.counted_quantity is None or l.round != round_]
            if missing:
                raise WorkflowError('msg_finish_uncounted',
                    task=task.rec_name, count=len(missing),
                    line=missing[0].rec_name)
            batches[(task.program, round_)].append((task, lines))
        for (program, round_), items in batches.items():
            lines = [l for _, task_lines in items for l in task_lines]
            with without_check_access():
                Line.compute_variances(lines, items[0][0].tolerances(),
                    flag=round_ == 1)
            # Re-read: the records above still cache the values before write
            flagged = {l.task.id for l in Line.browse([l.id for l in lines])
                if l.recount_required}
            for task, _ in items:
                if round_ == 1 and task.id in flagged:
                    to_recount.append(task)
                else:
                    to_counted.append(task)
        if to_recount:
            cls._to_recount(to_recount)
        if to_counted:
            cls._to_counted(to_counted)

    @classmethod
    @Workflow.transition('recount')
    def _to_recount(cls, tasks):
        for task in tasks:
            task.recount_assignee = task.pick_recounter()
        cls.save(tasks)

    def pick_recounter(self):
        "Responsible or deputy of the zone who did not count first"
        first = self.counter_ids
        users = []
        if self.zone:
            users = ([self.zone.responsible] if self.zone.responsible
                else []) + list(self.zone.deputies)
        for user in users:
            if user.id not in first:
                return user

    @classmethod
    @Workflow.transition('counted')
    def _to_counted(cls, tasks):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, tasks):
        pool = Pool()
        User = pool.get('res.user')
        user = User(Transaction().user)
        for task in tasks:
            # Four eyes: whoever counted a line cannot approve the task
            if user.id in task.counter_ids:
                raise WorkflowError('msg_approve_own_count',
                    user=user.rec_name, task=task.rec_name)
        cls.write(tasks, {'approved_by': user.id})

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def post(cls, tasks):
        "Post the variances through core stock.inventory"
        pool = Pool()
        Inventory = pool.get('stock.inventory')
        Date = pool.get('ir.date')
        today = Date.today()
        vlist = []
        for task in tasks:
            by_location = defaultdict(list)
            for line in task.lines:
                # Lines without variance would create no move: skip them
                if line.counted_quantity is None or not line.variance_quantity:
                    continue
                by_location[line.location.id].append({
                        'product': line.product.id,
                        'lot': line.lot.id if line.lot else None,
                        'expected_quantity': line.book_quantity,
                        'quantity': line.counted_quantity,
                        })
            for location, lines in by_location.items():
                vlist.append({
                        'location': location,
                        'company': task.company.id,
                        'date': today,
                        'empty_quantity': 'keep',
                        'stocktake_task': task.id,
                        'lines': [('create', lines)],
                        })
        # Keep the snapshot expected quantities instead of today's books
        with Transaction().set_context(stocktake_keep_expected=True), \
                without_check_access():
            inventories = Inventory.create(vlist)
            Inventory.confirm(inventories)
        cls.write(tasks, {'posted_date': today})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, tasks):
        pass

    @classmethod
    @ModelView.button_action('stocktake_mobile.wizard_task_export')
    def export_sheet(cls, tasks):
        pass

    @classmethod
    @ModelView.button_action('stocktake_mobile.wizard_task_import')
    def import_sheet(cls, tasks):
        pass

    @classmethod
    def create_adhoc(cls, kind, warehouse, locations=None, products=None,
            low_quantity=0, assignee=None, due_date=None, strict=False):
        "Ad-hoc count of locations, products, empty bins or last variances"
        pool = Pool()
        Line = pool.get('stocktake.task.line')
        Zone = pool.get('stock.location.zone')
        Date = pool.get('ir.date')
        items = Line.adhoc_items(kind, warehouse, locations=locations,
            products=products, low_quantity=low_quantity)
        # Chosen locations are counted even when empty; the other kinds
        # would give a task with nothing to count
        if not items and not (kind == 'location' and locations):
            raise WorkflowError('msg_adhoc_nothing_to_count',
                warehouse=warehouse.rec_name,
                kind=dict(cls.fields_get(['kind'])['kind']['selection'])[
                    kind])
        location_ids = {i[0] for i in items} | {
            l.id for l in (locations or [])}
        # The zone gives the responsible and deputies access (record rules)
        zones = set(Zone.zones_for_locations(list(location_ids)).values())
        task, = cls.create([{
                    'company': Transaction().context.get('company'),
                    'warehouse': warehouse.id,
                    'kind': kind,
                    'strict': strict,
                    'zone': zones.pop() if len(zones) == 1 else None,
                    'assignee': assignee.id if assignee else None,
                    'due_date': due_date or Date.today(),
                    'locations': [('add', sorted(location_ids))],
                    }])
        Line.create([{'task': task.id, 'location': l, 'product': p,
                    'lot': lot, 'abc_class': abc}
                for l, p, lot, abc in items])
        return task


class TaskLocation(ModelSQL):
    __name__ = 'stocktake.task.location'
    task = fields.Many2One('stocktake.task', "Task", required=True,
        ondelete='CASCADE')
    location = fields.Many2One('stock.location', "Location", required=True,
        ondelete='CASCADE')
