# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from collections import defaultdict

from sql import Literal, Null
from sql.functions import Abs
from sql.operators import Exists, IsDistinct

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from trytond.modules.factory_stock_ext.table_sync import (
    create_new, drop_new, mark, sync)

from .bulk import (
    execute_binary, in_, leave_room_for_updates, rename_column)
from .configuration import METHODS
from .parameter_query import (
    RESULTS, SETTINGS, STATISTICS, formulas, statistics_query, whole_units)
from .usage import to_date

# the computed rows of one run, before they are compared with the stored
# ones: a temporary table the statements below join
NEW = 'stock_safety_parameter_new'
# Core records are written through the ORM in calls of at most this many
# records
ORM_BATCH = 1000
# the columns a run writes (all but the keys)
WRITTEN = ['order_point'] + STATISTICS[2:] + RESULTS[:-1]
# what the alert detectors read of each parameter
READ = ['quantity', 'avg_daily', 'safety_stock', 'reorder_point',
    'max_quantity', 'last_out_date', 'days_of_cover', 'avg_lead_time']


def off_by(stored, computed, tolerance):
    """SQL condition: the computed number differs from the stored one, by
    more than the tolerance (a share of the stored number) when not 0"""
    condition = IsDistinct(stored, computed)
    if tolerance:
        condition &= ((stored == Null) | (computed == Null)
            | (Abs(computed - stored) > Abs(stored) * tolerance))
    return condition


def orm_batches(Model, groups, size):
    """Arguments of Model.write() for groups [((min, target), ids)], at
    most size records per call: one call with every moved order point
    validated them all at once, and a record built from a long id list
    checks that whole list (core's browse), which grew with the site
    (6,000 order points: 6.4 CPU-s in one call, 4.7 in calls of 1,000)"""
    args, count = [], 0
    for (minimum, target), ids in groups:
        values = {'min_quantity': minimum, 'target_quantity': target}
        for start in range(0, len(ids), size):
            sub = ids[start:start + size]
            if args and count + len(sub) > size:
                yield args
                args, count = [], 0
            args.extend([Model.browse(sub), values])
            count += len(sub)
    if args:
        yield args


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
    def compute(cls, snapshot, config):
        """Safety stock, reorder point and maximum of every product and
        warehouse of the snapshot, computed by one query into a temporary
        table; the core order points and the parameters are then brought to
        it by set-based statements, which write only the rows that moved.
        Sets snapshot.params, which the alert detectors read."""
        new = cls._create_new()
        cursor = Transaction().connection.cursor()
        row = statistics_query(snapshot, config)
        results = whole_units(row, dict(formulas(row, config)))
        cursor.execute(*new.insert(
                [getattr(new, c) for c in STATISTICS + SETTINGS]
                + [getattr(new, c) for c, _ in results],
                row.select(*(getattr(row, c) for c in STATISTICS + SETTINGS),
                    *(e for _, e in results))))
        cls._sync_order_points(snapshot, new, config)
        cls._write(snapshot, new)
        execute_binary(cursor, new.select(new.warehouse, new.product,
                *(getattr(new, n) for n in READ)))
        date = READ.index('last_out_date')
        params = {}
        for wh, product, *values in cursor.fetchall():
            values[date] = to_date(values[date])
            params[wh, product] = dict(zip(READ, values))
        snapshot.params = params
        drop_new(new)
        return params

    @classmethod
    def _create_new(cls):
        "The temporary table of the computed rows, typed as the parameters"
        types = {n: cls._fields[n].sql_type().base for n in WRITTEN}
        float_ = types['quantity']
        flag = types['critical']
        types.update(warehouse='INTEGER', product='INTEGER',
            orderable=flag, bought='INTEGER',
            missing_order_point=flag, missing_parameter=flag,
            **{n: float_ for n in ['fixed_min', 'fixed_max', 'rounding',
                    'cost']})
        columns = STATISTICS + SETTINGS + RESULTS + ['order_point',
            'missing_order_point', 'missing_parameter']
        return create_new(NEW, {n: types[n] for n in columns},
            ['warehouse', 'product'])

    @classmethod
    def _sync_order_points(cls, snapshot, new, config):
        """Write min (reorder point) and target (maximum) to core purchase
        order points so that stock_supply raises the purchase requests.
        Through the ORM (core's checks: minimum <= target, one order point
        per product and warehouse), only those whose numbers moved and the
        missing ones: the rows are found by SQL reads, written in batches
        of equal values. With a tolerance, an order point moves only when
        one of its numbers is off by more than that share.
        """
        OrderPoint = Pool().get('stock.order_point')
        order_point = OrderPoint.__table__()
        cursor = Transaction().connection.cursor()
        same = ((order_point.type == 'purchase')
            & (order_point.company == snapshot.company)
            & (order_point.location == new.warehouse)
            & (order_point.product == new.product))
        tolerance = config.order_point_tolerance or 0
        cursor.execute(*order_point.join(new, condition=same).select(
                order_point.id, new.reorder_point, new.max_quantity,
                where=new.orderable
                & (off_by(order_point.min_quantity, new.reorder_point,
                        tolerance)
                    | off_by(order_point.target_quantity, new.max_quantity,
                        tolerance))))
        moved = defaultdict(list)
        for id_, minimum, target in cursor:
            moved[minimum, target].append(id_)
        for args in orm_batches(OrderPoint, moved.items(), ORM_BATCH):
            OrderPoint.write(*args)
        mark(new, 'missing_order_point', new.orderable
            & ~Exists(order_point.select(Literal(1), where=same)))
        cursor.execute(*new.select(new.product, new.warehouse,
                new.reorder_point, new.max_quantity,
                where=new.missing_order_point))
        vlist = [{'product': product, 'location': warehouse,
                'company': snapshot.company, 'type': 'purchase',
                'min_quantity': minimum, 'target_quantity': target}
            for product, warehouse, minimum, target in cursor]
        for start in range(0, len(vlist), ORM_BATCH):
            OrderPoint.create(vlist[start:start + ORM_BATCH])

    @classmethod
    def _write(cls, snapshot, new):
        """Bring the parameters of the snapshot's warehouses to the new
        rows (table_sync): only the rows whose values moved are written.
        The unchanged ones hold as of this run, which the configuration's
        last run says."""
        OrderPoint = Pool().get('stock.order_point')
        order_point = OrderPoint.__table__()
        # the computed rows with the order point _sync_order_points() made
        source = new.join(order_point, 'LEFT', condition=new.orderable
            & (order_point.type == 'purchase')
            & (order_point.company == snapshot.company)
            & (order_point.location == new.warehouse)
            & (order_point.product == new.product))
        sync(cls, new, [('warehouse', new.warehouse),
                ('product', new.product)],
            [('order_point', order_point.id)]
            + [(n, getattr(new, n)) for n in WRITTEN[1:]],
            lambda table: (table.company == snapshot.company)
            & in_(table.warehouse, snapshot.warehouses or [-1]),
            fixed=[('company', Literal(snapshot.company))],
            source=source, flag='missing_parameter')
