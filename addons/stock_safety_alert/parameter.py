# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
import datetime as dt
import math
from operator import itemgetter

from sql.aggregate import Max
from sql.conditionals import Case

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from . import formula
from .configuration import METHODS
from .bulk import (
    bulk_insert, bulk_update, execute_binary, invalidate_cache,
    leave_room_for_updates, rename_column)
from .demand import chunks, in_
from .usage import to_date

NUMBERS = ['quantity', 'avg_daily', 'max_daily', 'std_daily', 'total_demand',
    'avg_lead_time', 'max_lead_time', 'std_lead_time', 'safety_stock',
    'reorder_point', 'max_quantity', 'days_of_cover']


def flag(column):
    "MAX() of a boolean, which PostgreSQL has no aggregate for"
    return Max(Case((column == True, 1), else_=0))  # noqa: E712


def round_up(value, rounding):
    "Order points in whole units of the product's UoM, never below need"
    if not rounding or value <= 0:
        return max(value, 0.0)
    return round(math.ceil(round(value / rounding, 6)) * rounding, 6)


class Parameter(ModelSQL, ModelView):
    "Safety Stock Parameter"
    __name__ = 'stock.safety.parameter'
    _order_name = 'product'

    product = fields.Many2One('product.product', "Product", readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    warehouse = fields.Many2One('stock.location', "Warehouse", readonly=True)
    company = fields.Many2One('company.company', "Company", readonly=True)
    method = fields.Selection(METHODS, "Method", readonly=True)
    critical = fields.Boolean("Critical", readonly=True)
    service_level = fields.Float("Service Level", readonly=True)
    quantity = fields.Float("On Hand", readonly=True)
    total_demand = fields.Float("Demand in Window", readonly=True)
    avg_daily = fields.Float("Average Daily Usage", readonly=True)
    max_daily = fields.Float("Maximum Daily Usage", readonly=True)
    std_daily = fields.Float("Std. Dev. of Daily Usage", readonly=True)
    last_out_date = fields.Date("Last Outgoing", readonly=True)
    lead_time_samples = fields.Integer("Receipts Measured", readonly=True)
    avg_lead_time = fields.Float("Average Lead Time", readonly=True)
    max_lead_time = fields.Float("Maximum Lead Time", readonly=True)
    std_lead_time = fields.Float("Std. Dev. of Lead Time", readonly=True)
    safety_stock = fields.Float("Safety Stock", readonly=True)
    reorder_point = fields.Float("Reorder Point", readonly=True)
    max_quantity = fields.Float("Maximum", readonly=True)
    days_of_cover = fields.Float("Days of Cover", readonly=True)
    order_point = fields.Many2One(
        'stock.order_point', "Order Point", readonly=True,
        ondelete='SET NULL')
    changed_at = fields.DateTime("Changed at", readonly=True,
        help="When a run last changed these numbers; every run checks "
        "them all (see the last run in the configuration).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('warehouse', 'ASC'), ('product', 'ASC'), ('id', 'ASC')]

    @classmethod
    def __register__(cls, module):
        # computed_at was stamped on every row by every run
        rename_column(cls, module, 'computed_at', 'changed_at')
        super().__register__(module)
        leave_room_for_updates(cls)

    @classmethod
    def product_settings(cls):
        """{product: settings} from template, then category, in one query"""
        pool = Pool()
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        Rel = pool.get('product.template-product.category')
        Category = pool.get('product.category')
        product, template, uom = (Product.__table__(), Template.__table__(),
            Uom.__table__())
        rel, category = Rel.__table__(), Category.__table__()
        cursor = Transaction().connection.cursor()
        query = (product
            .join(template, condition=product.template == template.id)
            .join(uom, condition=template.default_uom == uom.id)
            .join(rel, 'LEFT', condition=rel.template == template.id)
            .join(category, 'LEFT', condition=rel.category == category.id)
            .select(product.id,
                Max(template.safety_method), Max(category.safety_method),
                flag(template.safety_critical), flag(category.safety_critical),
                Max(template.safety_min_quantity),
                Max(template.safety_max_quantity), Max(uom.rounding),
                Max(template.type), flag(template.consumable),
                flag(template.purchasable),
                where=(product.active == True)  # noqa: E712
                & (template.active == True),  # noqa: E712
                group_by=[product.id]))
        execute_binary(cursor, query)
        result = {}
        for (pid, method, cat_method, critical, cat_critical, fmin, fmax,
                rounding, type_, consumable, purchasable) in cursor.fetchall():
            result[pid] = {
                'method': method or cat_method,
                'critical': bool(critical or cat_critical),
                'fixed_min': fmin, 'fixed_max': fmax,
                'rounding': float(rounding or 0),
                'orderable': (type_ == 'goods' and not consumable
                    and bool(purchasable)),
                }
        return result

    @classmethod
    def compute(cls, snapshot, config):
        """Safety stock, reorder point and maximum of every product/warehouse
        of the snapshot; writes them and the core order points in bulk."""
        pool = Pool()
        ProductABC = pool.get('stock.product.abc')
        settings = cls.product_settings()
        on_hand = snapshot.on_hand
        keys = set(snapshot.demand) | set(on_hand) | set(snapshot.lead)
        managed = [p for p, s in settings.items()
            if s['method'] or config.default_method]
        keys.update((wh, p) for wh in snapshot.warehouses for p in managed)
        class_a = set()
        if config.critical_abc_a:
            for wh in snapshot.warehouses:
                classes = ProductABC.classes_for(wh)
                class_a.update(
                    (wh, p) for p, c in classes.items() if c == 'A')
        default_lt = {
            'avg_lead_time': float(config.default_lead_time or 0),
            'max_lead_time': float(config.default_lead_time or 0),
            'std_lead_time': 0.0, 'lead_time_samples': 0}
        eoq_ready = config.order_cost and config.holding_rate
        # read once: each attribute of a record is a lookup through the ORM
        default_method, cover_days = config.default_method, config.cover_days
        order_cost = float(config.order_cost or 0)
        holding_rate = config.holding_rate
        levels = {True: config.critical_service_level,
            False: config.service_level}
        rows = {}
        for key in keys:
            wh, product = key
            setting = settings.get(product)
            if setting is None:
                continue  # inactive product
            row = {'avg_daily': 0.0, 'max_daily': 0.0, 'std_daily': 0.0,
                'total_demand': 0.0, 'last_out_date': None}
            row.update(snapshot.demand.get(key, {}))
            row.update(snapshot.lead.get(key, default_lt))
            row['quantity'] = on_hand.get(key, 0.0)
            row['critical'] = setting['critical'] or key in class_a
            row['service_level'] = levels[row['critical']]
            method = setting['method'] or default_method
            row['method'] = method
            row['days_of_cover'] = (row['quantity'] / row['avg_daily']
                if row['avg_daily'] > 0 else None)
            if method:
                eoq = 0.0
                if eoq_ready:
                    eoq = formula.economic_order_quantity(
                        row['avg_daily'] * 365, order_cost,
                        snapshot.costs.get(product, 0), holding_rate)
                values = formula.compute(method, row,
                    service_level=row['service_level'],
                    cover_days=cover_days, eoq=eoq,
                    fixed_min=setting['fixed_min'],
                    fixed_max=setting['fixed_max'])
                safety, rop, maximum = (
                    round_up(v, setting['rounding']) for v in values)
                row.update(safety_stock=safety, reorder_point=rop,
                    max_quantity=max(maximum, rop))
            else:
                row.update(safety_stock=None, reorder_point=None,
                    max_quantity=None)
            row['orderable'] = bool(method) and setting['orderable'] and (
                method == 'fixed' or row['total_demand'] > 0
                or row['quantity'] != 0)
            rows[key] = row
        order_points = cls._sync_order_points(snapshot, rows)
        cls._write(snapshot, rows, order_points)
        invalidate_cache(cls.__name__, 'stock.order_point')
        snapshot.params = rows
        return rows

    @classmethod
    def _sync_order_points(cls, snapshot, rows):
        """Write min (reorder point) and target (maximum) to core purchase
        order points so that stock_supply raises the purchase requests.
        Raw SQL because it may touch every product of the site at once."""
        OrderPoint = Pool().get('stock.order_point')
        table = OrderPoint.__table__()
        cursor = Transaction().connection.cursor()
        wanted = {k: r for k, r in rows.items() if r['orderable']}
        query = table.select(
            table.id, table.location, table.product, table.min_quantity,
            table.target_quantity,
            where=(table.type == 'purchase')
            & (table.company == snapshot.company)
            & table.location.in_(snapshot.warehouses or [-1]))
        execute_binary(cursor, query)
        existing = {(wh, p): (i, mn, tg)
            for i, wh, p, mn, tg in cursor.fetchall()}
        now = dt.datetime.now()
        user = Transaction().user
        to_insert, to_update = [], []
        for key, row in wanted.items():
            values = (row['reorder_point'], row['max_quantity'])
            if key not in existing:
                to_insert.append(key)
            elif existing[key][1:] != values:
                to_update.append([existing[key][0], *values])
        bulk_update(
            OrderPoint, ['min_quantity', 'target_quantity'], to_update)
        bulk_insert(OrderPoint, ['product', 'location', 'company', 'type',
                'min_quantity', 'target_quantity', 'create_date',
                'create_uid'],
            [[p, wh, snapshot.company, 'purchase',
                    wanted[wh, p]['reorder_point'],
                    wanted[wh, p]['max_quantity'], now, user]
                for wh, p in to_insert])
        if to_insert:
            execute_binary(cursor, query)
            existing = {(wh, p): (i,) for i, wh, p, _, _ in cursor.fetchall()}
        return {k: existing[k][0] for k in wanted if k in existing}

    @classmethod
    def _write(cls, snapshot, rows, order_points):
        """Bring the parameters of the snapshot's warehouses to rows: only
        the rows whose values moved are updated (an UPDATE of numbers
        re-checks no foreign key) and stamped changed_at, new ones
        inserted, gone ones deleted. The unchanged ones hold as of this
        run, which the configuration's last run says: stamping each of
        them would write the whole table every night."""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        scope = ((table.company == snapshot.company)
            & table.warehouse.in_(snapshot.warehouses or [-1]))
        names = ['order_point'] + NUMBERS + ['method', 'critical',
            'service_level', 'last_out_date', 'lead_time_samples']
        execute_binary(cursor, table.select(table.id, table.warehouse,
                table.product, *(getattr(table, n) for n in names),
                where=scope))
        # SQLite gives dates as text (booleans as 0/1, equal to True/False)
        date = names.index('last_out_date')
        existing = {}
        for i, wh, p, *values in cursor.fetchall():
            values[date] = to_date(values[date])
            existing[wh, p] = (i, values)
        to_insert, to_update = [], []
        # the columns some row changes: a night moves the usage numbers,
        # seldom the lead times or the methods, which are not sent then
        steady = list(range(len(names)))
        for key, row in rows.items():
            values = [order_points.get(key)] + [row.get(n) for n in names[1:]]
            if key not in existing:
                to_insert.append([*key, *values])
                continue
            i, old = existing[key]
            if old != values:
                to_update.append((i, values))
                steady = [j for j in steady if old[j] == values[j]]
        gone = [i for k, (i, _) in existing.items() if k not in rows]
        for sub in chunks(gone):
            cursor.execute(*table.delete(where=in_(table.id, sub)))
        now = dt.datetime.now()
        moved = [j for j in range(len(names)) if j not in steady]
        pick = itemgetter(*moved) if len(moved) > 1 else (
            lambda values: values[moved[0]:moved[0] + 1])
        bulk_update(cls, [names[j] for j in moved],
            [[i, *pick(values)] for i, values in to_update],
            constants={'changed_at': now})
        bulk_insert(cls, ['warehouse', 'product', 'company', 'changed_at',
                'create_date', 'create_uid'] + names,
            [[wh, p, snapshot.company, now, now, Transaction().user,
                    *values] for wh, p, *values in to_insert])
