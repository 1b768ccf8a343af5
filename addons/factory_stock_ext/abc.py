# ABC classification of products per warehouse by consumption value.
# Computed by one query (aggregate + window functions) so its cost stays
# close to a bare aggregate over the moves, whatever the number of products;
# only the rows whose class or value moved are then written.
import datetime as dt

from sql import Cast, Literal, Window
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Round

from trytond import backend
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .record_cache import invalidate
from .table_sync import create_new, drop_new, sync

ABC_CLASSES = [
    ('A', "A"),
    ('B', "B"),
    ('C', "C"),
    ]
# Consumption leaving storage towards these location types counts as usage
CONSUMPTION_TYPES = ['production', 'customer']
# the computed rows of one warehouse, before they are compared with the
# stored ones (table_sync)
NEW = 'stock_product_abc_new'


class ProductABC(ModelSQL, ModelView):
    __name__ = 'stock.product.abc'
    __string__ = "Product ABC Class"
    product = fields.Many2One(
        'product.product', "Product", required=True, readonly=True,
        ondelete='CASCADE')
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True, readonly=True,
        ondelete='CASCADE', domain=[('type', '=', 'warehouse')])
    abc_class = fields.Selection(
        ABC_CLASSES, "ABC Class", required=True, readonly=True)
    consumption_value = fields.Numeric(
        "Consumption Value", digits=(16, 4), readonly=True,
        help="Quantity consumed in the window valued at cost.")
    # Read, not stored: any new consumption moves the total and with it
    # the share of most products, which would make every computation
    # rewrite the whole table
    cumulative_share = fields.Function(fields.Float(
            "Cumulative Share", digits=(1, 4),
            help="Share of the warehouse consumption value of this product "
            "and of all the products ranked above it."),
        'get_cumulative_share')
    changed_at = fields.DateTime("Changed at", readonly=True,
        help="When a computation last changed this class or value; "
        "every computation checks them all.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('product_warehouse_unique', Unique(t, t.product, t.warehouse),
                'factory_stock_ext.msg_abc_product_warehouse_unique'),
            ]
        cls._order = [
            ('warehouse', 'ASC'),
            ('consumption_value', 'DESC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def __register__(cls, module):
        # computed_at was stamped on every row by every computation
        table_h = cls.__table_handler__(module)
        if (table_h.column_exist('computed_at')
                and not table_h.column_exist('changed_at')):
            table_h.column_rename('computed_at', 'changed_at')
        super().__register__(module)
        # cumulative_share is read since the values are no longer all
        # rewritten by each computation
        table_h = cls.__table_handler__(module)
        if table_h.column_exist('cumulative_share'):
            table_h.drop_column('cumulative_share')

    @classmethod
    def get_cumulative_share(cls, records, name):
        """The share of the warehouse's consumption value of each product
        and of those ranked above it (as the classification ranks them)"""
        abc = cls.__table__()
        cursor = Transaction().connection.cursor()
        ids = {r.id for r in records}
        result = dict.fromkeys(ids)
        ranked = Window([abc.warehouse],
            order_by=[abc.consumption_value.desc, abc.product.asc],
            frame='ROWS', start=None, end=0)
        # as floats: SQLite divides integers as integers
        float_ = fields.Float("Share").sql_type().base
        share = (Cast(Sum(abc.consumption_value, window=ranked), float_)
            / Sum(abc.consumption_value, window=Window([abc.warehouse])))
        warehouses = list({r.warehouse.id for r in records})
        in_ = fields.SQL_OPERATORS['in']
        # ranked over the whole warehouse, only the records' rows fetched
        shares = abc.select(abc.id, share.as_('share'),
            where=in_(abc.warehouse, warehouses))
        for sub_ids in grouped_slice(list(ids)):
            cursor.execute(*shares.select(shares.id, shares.share,
                    where=in_(shares.id, list(sub_ids))))
            for id_, value in cursor:
                if value is not None:
                    result[id_] = round(float(value), 4)
        return result

    @classmethod
    def sql_class(cls, abc):
        """The class of a row of the table `abc` joined LEFT to products:
        the one place of the rule that unconsumed products are 'C'"""
        return Coalesce(abc.abc_class, 'C')

    @classmethod
    def classes_for(cls, warehouse_id, product_ids=None):
        "Return {product_id: 'A'|'B'|'C'}; unconsumed products are 'C'"
        pool = Pool()
        Product = pool.get('product.product')
        product = Product.__table__()
        abc = cls.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        from_ = product.join(abc, 'LEFT', condition=(
                (abc.product == product.id)
                & (abc.warehouse == int(warehouse_id))))
        columns = [product.id, cls.sql_class(abc)]
        if product_ids is None:
            cursor.execute(*from_.select(*columns))
            return dict(cursor)
        result = {}
        for sub_ids in grouped_slice(list({int(p) for p in product_ids}),
                backend.MAX_QUERY_PARAMS):
            cursor.execute(*from_.select(*columns,
                    where=fields.SQL_OPERATORS['in'](
                        product.id, list(sub_ids))))
            result.update(cursor)
        return result

    @classmethod
    def compute(cls, warehouses=None, window_days=365):
        "Recompute the classes of the warehouses (all when None)"
        pool = Pool()
        Location = pool.get('stock.location')
        Configuration = pool.get('stock.configuration')
        Date = pool.get('ir.date')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        config = Configuration(1)
        a_share, b_share = config.get_abc_shares()

        if warehouses is None:
            warehouses = Location.search([('type', '=', 'warehouse')])
        warehouse_ids = [int(w) for w in warehouses]
        if not warehouse_ids:
            return
        # Serialise concurrent runs (several cron workers) on this table
        cls.lock()
        since = Date.today() - dt.timedelta(days=window_days)

        abc = cls.__table__()
        for warehouse_id in warehouse_ids:
            query = cls._classification_query(
                warehouse_id, since, a_share, b_share)
            if query is None:
                cursor.execute(*abc.delete(
                        where=abc.warehouse == warehouse_id))
                invalidate(cls.__name__)
            else:
                cls._store(warehouse_id, query)

    @classmethod
    def _store(cls, warehouse_id, query):
        """Bring the stored rows of the warehouse to the rows of the query
        (product, abc_class, value): a nightly computation then writes the
        few products whose consumption changed, not the whole table."""
        cursor = Transaction().connection.cursor()
        types = {n: cls._fields[f].sql_type().base for n, f in [
                ('abc_class', 'abc_class'), ('value', 'consumption_value')]}
        new = create_new(NEW, {'product': 'INTEGER', **types,
                'missing': fields.Boolean("Missing").sql_type().base},
            ['product'])
        cursor.execute(*new.insert(
                [new.product, new.abc_class, new.value],
                query.select(query.product, query.abc_class, query.value)))
        sync(cls, new, [('product', new.product)],
            [('abc_class', new.abc_class), ('consumption_value', new.value)],
            lambda abc: abc.warehouse == warehouse_id,
            fixed=[('warehouse', Literal(warehouse_id))])
        drop_new(new)

    @classmethod
    def _classification_query(cls, warehouse_id, since, a_share, b_share):
        "Query of (product, abc_class, value) of the warehouse"
        Location = Pool().get('stock.location')
        consumption_ids = [l.id for l in Location.search([
                    ('type', 'in', CONSUMPTION_TYPES)])]
        storage_ids = [l.id for l in Location.search([
                    ('parent', 'child_of', [warehouse_id]),
                    ('type', '=', 'storage'),
                    ])]
        if not storage_ids or not consumption_ids:
            return None
        values = cls._consumption_query(storage_ids, consumption_ids, since)
        ordered = Window([],
            order_by=[values.value.desc, values.product.asc],
            frame='ROWS', start=None, end=0)
        ranked = values.select(
            values.product, values.value,
            Sum(values.value, window=ordered).as_('cumulative'),
            Sum(values.value, window=Window([])).as_('total'))
        # A product belongs to the class in which the products ranked
        # above it end, so the one crossing 80 % is still an A.
        before = ranked.cumulative - ranked.value
        abc_class = Case(
            (before < ranked.total * a_share, 'A'),
            (before < ranked.total * (a_share + b_share), 'B'),
            else_='C')
        # Stored as the field's digits show it: more decimals would make
        # the client's form differ from the record (modified on opening)
        return ranked.select(
            ranked.product, abc_class.as_('abc_class'),
            Round(Cast(ranked.value, 'NUMERIC'), 4).as_('value'))

    @classmethod
    def _consumption_query(cls, storage_ids, consumption_ids, since):
        """Consumption value per product of the done moves from the storage
        locations to the consumption locations"""
        Move = Pool().get('stock.move')
        move = Move.__table__()
        in_ = fields.SQL_OPERATORS['in']
        # Moves leaving storage always get their cost price when done
        value = Sum(move.internal_quantity * Coalesce(move.cost_price, 0))
        return move.select(
            move.product.as_('product'),
            value.as_('value'),
            where=((move.state == 'done')
                & (move.effective_date >= since)
                & in_(move.from_location, storage_ids)
                & in_(move.to_location, consumption_ids)),
            group_by=[move.product],
            having=value > 0)
