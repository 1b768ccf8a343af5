from collections import defaultdict

from sql import Null

from trytond import backend
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.model.fields import SQL_OPERATORS
from trytond.modules.factory_stock_ext import workflow_guard
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import (
    Transaction, record_cache_size, without_check_access)

from . import batch
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

# Set by the workflow only (finish, approve, post, program generation, scans)
WORKFLOW_FIELDS = {'state', 'approved_by', 'posted_date', 'program',
    'counts', 'inventories'}


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

    @classmethod
    def check_modification(cls, mode, tasks, values=None, external=False):
        super().check_modification(
            mode, tasks, values=values, external=external)
        # State, approver and postings change only through the buttons
        workflow_guard.check(cls, mode, tasks, values, external,
            fields=WORKFLOW_FIELDS, deletable_states={'cancelled'})

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
        return self.counters([self])[self.id]

    @classmethod
    def counters(cls, tasks):
        "{task id: ids of the users who scanned on it}, one query"
        Count = Pool().get('stocktake.count')
        count = Count.__table__()
        result = {t.id: set() for t in tasks}
        cursor = Transaction().connection.cursor()
        for sub in grouped_slice(list(result), backend.MAX_QUERY_PARAMS):
            cursor.execute(*count.select(count.task, count.counter,
                    where=SQL_OPERATORS['in'](count.task, list(sub))
                    & (count.counter != Null),
                    group_by=[count.task, count.counter]))
            for task_id, user_id in cursor:
                result[task_id].add(user_id)
        return result

    @classmethod
    def _line_rows(cls, tasks, where=None):
        """Rows (task, line, counted, round, recount) of the tasks' lines,
        read in SQL: task.lines per task re-reads every task's lines"""
        Line = Pool().get('stocktake.task.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        for sub in grouped_slice([t.id for t in tasks],
                backend.MAX_QUERY_PARAMS):
            condition = SQL_OPERATORS['in'](line.task, list(sub))
            if where is not None:
                condition &= where(line)
            cursor.execute(*line.select(line.task, line.id,
                    line.counted_quantity, line.round, line.recount_required,
                    where=condition, order_by=[line.task, line.id]))
            yield from cursor

    @classmethod
    @ModelView.button
    def finish(cls, tasks):
        "The counter is done: snapshot the books and flag recounts"
        pool = Pool()
        Line = pool.get('stocktake.task.line')
        for task in tasks:
            if task.state not in {'open', 'recount'}:
                raise WorkflowError('msg_task_not_counting',
                    task=task.rec_name, state=task.state)
        rounds = {t.id: 2 if t.state == 'recount' else 1 for t in tasks}
        to_check, missing = defaultdict(list), defaultdict(list)
        for task_id, line_id, counted, round_, recount in cls._line_rows(
                tasks):
            if rounds[task_id] == 1 or recount:
                to_check[task_id].append(line_id)
                if counted is None or round_ != rounds[task_id]:
                    missing[task_id].append(line_id)
        for task in tasks:
            if missing[task.id]:
                raise WorkflowError('msg_finish_uncounted',
                    task=task.rec_name, count=len(missing[task.id]),
                    line=Line(missing[task.id][0]).rec_name)
        # One set-based variance pass per program (tolerances), not per task
        groups = defaultdict(list)
        for task in tasks:
            groups[(task.program, rounds[task.id])].append(task)
        to_recount, to_counted = [], []
        for (program, round_), items in groups.items():
            lines = batch.browse(Line,
                [l for t in items for l in to_check[t.id]])
            with without_check_access():
                flagged = Line.compute_variances(lines,
                    items[0].tolerances(), flag=round_ == 1)
            flagged_tasks = {l.task.id for l in lines if l.id in flagged}
            for task in items:
                if task.id in flagged_tasks:
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
        counters = cls.counters(tasks)
        for task in tasks:
            # Four eyes: whoever counted a line cannot approve the task
            if user.id in counters[task.id]:
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
        Line = pool.get('stocktake.task.line')
        Date = pool.get('ir.date')
        today = Date.today()
        # Lines without variance would create no move: skip them in SQL
        line_ids = [row[1] for row in cls._line_rows(tasks,
                lambda l: (l.counted_quantity != Null)
                & (l.variance_quantity != 0))]
        by_task = defaultdict(lambda: defaultdict(list))
        for line in batch.browse(Line, line_ids):
            by_task[line.task.id][line.location.id].append({
                    'product': line.product.id,
                    'lot': line.lot.id if line.lot else None,
                    'expected_quantity': line.book_quantity,
                    'quantity': line.counted_quantity,
                    })
        vlist = []
        for task in tasks:
            for location, lines in by_task[task.id].items():
                vlist.append({
                        'location': location,
                        'company': task.company.id,
                        'date': today,
                        'empty_quantity': 'keep',
                        'stocktake_task': task.id,
                        'lines': [('create', lines)],
                        })
        # Keep the snapshot expected quantities instead of today's books.
        # Core confirm reads inventory.lines of every inventory it is given:
        # hand it about a record cache of lines at a time to stay linear
        size = record_cache_size(Transaction())
        with Transaction().set_context(_stocktake_keep_expected=True), \
                without_check_access():
            for group in _by_line_count(vlist, size):
                Inventory.confirm(Inventory.create(group))
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
        batch.create(Line, [{'task': task.id, 'location': l, 'product': p,
                    'lot': lot, 'abc_class': abc}
                for l, p, lot, abc in items])
        return task


def _by_line_count(vlist, size):
    "Inventory values grouped so that each group holds about size lines"
    group, lines = [], 0
    for values in vlist:
        count = len(values['lines'][0][1])
        if group and lines + count > size:
            yield group
            group, lines = [], 0
        group.append(values)
        lines += count
    if group:
        yield group


class TaskLocation(ModelSQL):
    __name__ = 'stocktake.task.location'
    task = fields.Many2One('stocktake.task', "Task", required=True,
        ondelete='CASCADE')
    location = fields.Many2One('stock.location', "Location", required=True,
        ondelete='CASCADE')
