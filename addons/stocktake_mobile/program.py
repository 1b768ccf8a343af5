import datetime as dt
from collections import defaultdict

from sql import Literal
from sql.aggregate import Count, Max

from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from . import batch, planning

ABC = [('A', "A"), ('B', "B"), ('C', "C")]
# Default cycle per ABC class: A weekly, B monthly, C every six months
DEFAULT_FREQUENCIES = {'A': 7, 'B': 30, 'C': 182}
OPEN_STATES = ('open', 'recount', 'counted', 'approved')


class Program(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'stocktake.program'
    name = fields.Char("Name", required=True)
    company = fields.Many2One('company.company', "Company", required=True)
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True,
        domain=[('type', '=', 'warehouse')])
    scope = fields.Selection([
            ('zone', "By Zone"),
            ('location', "By Location"),
            ], "Scope", required=True,
        help="Generate one task per zone or one task per location.")
    classes = fields.One2Many(
        'stocktake.program.class', 'program', "Classes")
    start_date = fields.Date("Start Date", required=True,
        help="Never-counted items are spread over their first cycle "
        "starting on this date.")
    horizon = fields.Integer("Horizon (days)", required=True,
        help="How many days ahead the scheduler plans tasks.")
    strict = fields.Boolean("Strict",
        help="Lock the counted locations and the locations inside them "
        "against moves while counting.")
    zones = fields.Many2Many('stocktake.program.zone', 'program', 'zone',
        "Zones", domain=[('warehouse', '=', Eval('warehouse', -1))],
        help="Count only these zones (with the locations below); "
        "leave both empty to count the whole warehouse.")
    locations = fields.Many2Many('stocktake.program.location', 'program',
        'location', "Locations",
        domain=[('type', 'in', ['storage', 'view'])],
        help="Count only these locations and the locations inside them.")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_scope(cls):
        return 'zone'

    @classmethod
    def default_horizon(cls):
        return 7

    @classmethod
    def default_strict(cls):
        return False

    @classmethod
    def default_start_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_classes(cls):
        return [{'abc_class': c, 'frequency': f,
                'tolerance_quantity': 0, 'tolerance_value': 0}
            for c, f in DEFAULT_FREQUENCIES.items()]

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({'generate_tasks': {}})

    def tolerances(self):
        return {c.abc_class: (c.tolerance_quantity or 0,
                float(c.tolerance_value or 0)) for c in self.classes}

    def frequencies(self):
        freq = dict(DEFAULT_FREQUENCIES)
        freq.update({c.abc_class: c.frequency for c in self.classes})
        return freq

    @classmethod
    @ModelView.button
    def generate_tasks(cls, programs=None, date=None):
        "Create the count tasks due within each program's horizon"
        if programs is None:
            programs = cls.search([])
        date = date or Pool().get('ir.date').today()
        tasks = []
        for program in programs:
            tasks.extend(program._generate(date))
        return tasks

    def _location_ids(self):
        "Storage bins counted: the warehouse's, narrowed by zones/locations"
        pool = Pool()
        Location = pool.get('stock.location')
        Zone = pool.get('stock.location.zone')
        location_ids = [l.id for l in Location.search([
                    ('parent', 'child_of',
                        [self.warehouse.storage_location.id]),
                    ('type', '=', 'storage'),
                    ])]
        if not self.zones and not self.locations:
            return location_ids
        # A bin is in scope when it is under a chosen location or resolves
        # (through its nearest zoned ancestor) to a chosen zone
        keep = set()
        if self.locations:
            keep.update(l.id for l in Location.search([
                        ('parent', 'child_of',
                            [l.id for l in self.locations]),
                        ]))
        if self.zones:
            zone_ids = {z.id for z in self.zones}
            keep.update(l for l, z in Zone.zones_for_locations(
                    location_ids).items() if z in zone_ids)
        return [l for l in location_ids if l in keep]

    def _stock_items(self, date):
        "{(location, product, lot): quantity} of goods in storage bins"
        Figures = Pool().get('stock.figures')
        location_ids = self._location_ids()
        if not location_ids:
            return {}
        stock = Figures.on_hand(self.company, date,
            grouping=('product', 'lot'), per_location=True,
            locations=location_ids)
        goods = _goods_product_ids()
        return {k: q for k, q in stock.items() if k[1] in goods}

    def _generate(self, date):
        pool = Pool()
        Zone = pool.get('stock.location.zone')
        ABCModel = pool.get('stock.product.abc')
        User = pool.get('res.user')
        Task = pool.get('stocktake.task')
        Line = pool.get('stocktake.task.line')

        stock = self._stock_items(date)
        pairs = defaultdict(list)
        for (loc, product, lot) in stock:
            pairs[(loc, product)].append(lot)
        classes = ABCModel.classes_for(self.warehouse.id)
        freq = self.frequencies()
        last = _last_counted(self.warehouse.id)
        busy = _open_pairs(self.warehouse.id)
        zones = Zone.zones_for_locations(list({l for l, _ in pairs}))

        horizon_end = date + dt.timedelta(days=self.horizon)
        buckets = defaultdict(list)
        for (loc, product), lots in sorted(pairs.items()):
            if (loc, product) in busy:
                continue
            abc = classes[product]
            due = planning.due_date(last.get((loc, product)),
                self.start_date, freq[abc], loc, product)
            if due > horizon_end:
                continue
            key = zones.get(loc) if self.scope == 'zone' else loc
            group = ('zone', key) if self.scope == 'zone' else ('loc', key)
            for lot in sorted(lots, key=lambda l: l or 0):
                buckets[(group, max(due, date))].append(
                    (loc, product, lot, abc))

        zone_ids = {zones.get(g[1]) if g[0] == 'loc' else g[1]
            for g, _ in buckets} - {None}
        candidates, users = {}, set()
        zone_users = {}
        for zone in Zone.browse(list(zone_ids)):
            ids = ([zone.responsible.id] if zone.responsible else []) + [
                u.id for u in zone.deputies]
            zone_users[zone.id] = ids
            users.update(ids)
        for group, _ in buckets:
            zone = zones.get(group[1]) if group[0] == 'loc' else group[1]
            candidates[group] = zone_users.get(zone, [])
        # Users created before the module was activated have no capacity
        # stored: they get the default, only an explicit 0 means "none"
        default = User.default_stocktake_capacity()
        capacity = {u.id: default if u.stocktake_capacity is None
            else u.stocktake_capacity for u in User.browse(list(users))}
        planned, _ = planning.assign(buckets, candidates, capacity,
            _planned_load(), date, self.horizon)

        tasks = Task.create([{
                    'company': self.company.id,
                    'warehouse': self.warehouse.id,
                    'program': self.id,
                    'kind': 'cycle',
                    'strict': self.strict,
                    'zone': (group[1] if group[0] == 'zone'
                        else zones.get(group[1])),
                    'assignee': user,
                    'due_date': day,
                    'locations': [('add', sorted({i[0] for i in items}))],
                    } for group, day, user, items in planned])
        batch.create(Line, [{
                    'task': task.id, 'location': loc, 'product': product,
                    'lot': lot, 'abc_class': abc,
                    } for task, (_, _, _, items) in zip(tasks, planned)
                for loc, product, lot, abc in items])
        return tasks


class ProgramZone(ModelSQL):
    __name__ = 'stocktake.program.zone'
    program = fields.Many2One('stocktake.program', "Program", required=True,
        ondelete='CASCADE')
    zone = fields.Many2One('stock.location.zone', "Zone", required=True,
        ondelete='CASCADE')


class ProgramLocation(ModelSQL):
    __name__ = 'stocktake.program.location'
    program = fields.Many2One('stocktake.program', "Program", required=True,
        ondelete='CASCADE')
    location = fields.Many2One('stock.location', "Location", required=True,
        ondelete='CASCADE')


class ProgramClass(ModelSQL, ModelView):
    __name__ = 'stocktake.program.class'
    program = fields.Many2One(
        'stocktake.program', "Program", required=True, ondelete='CASCADE')
    abc_class = fields.Selection(ABC, "ABC Class", required=True)
    frequency = fields.Integer("Frequency (days)", required=True,
        domain=[('frequency', '>', 0)])
    tolerance_quantity = fields.Float("Quantity Tolerance",
        help="A variance larger than this quantity requires a recount.")
    tolerance_value = fields.Numeric("Value Tolerance", digits=(16, 2),
        help="A variance worth more than this requires a recount.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('class_unique', Unique(t, t.program, t.abc_class),
                'stocktake_mobile.msg_program_class_unique'),
            ]
        cls._order.insert(0, ('abc_class', 'ASC'))


def _goods_product_ids():
    pool = Pool()
    Product = pool.get('product.product')
    Template = pool.get('product.template')
    product, template = Product.__table__(), Template.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*product.join(template,
            condition=product.template == template.id).select(product.id,
            where=(template.type == 'goods')
            & (template.consumable != Literal(True))))
    return {r for r, in cursor}


def _last_counted(warehouse_id):
    "{(location, product): date of the last posted count}"
    pool = Pool()
    task = pool.get('stocktake.task').__table__()
    line = pool.get('stocktake.task.line').__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*line.join(task, condition=line.task == task.id).select(
            line.location, line.product, Max(task.posted_date),
            where=(task.state == 'done') & (task.warehouse == warehouse_id),
            group_by=[line.location, line.product]))
    return {(l, p): _as_date(d) for l, p, d in cursor}


def _open_pairs(warehouse_id):
    pool = Pool()
    task = pool.get('stocktake.task').__table__()
    line = pool.get('stocktake.task.line').__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*line.join(task, condition=line.task == task.id).select(
            line.location, line.product,
            where=task.state.in_(OPEN_STATES)
            & (task.warehouse == warehouse_id),
            group_by=[line.location, line.product]))
    return set(cursor)


def _planned_load():
    "{(user, day): lines} of every open task, all programs together"
    pool = Pool()
    task = pool.get('stocktake.task').__table__()
    line = pool.get('stocktake.task.line').__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*line.join(task, condition=line.task == task.id).select(
            task.assignee, task.due_date, Count(line.id),
            where=task.state.in_(OPEN_STATES) & (task.assignee != None),
            group_by=[task.assignee, task.due_date]))
    return {(u, _as_date(d)): n for u, d, n in cursor}


def _as_date(value):
    # SQLite returns dates as strings from aggregates
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value
