# ABC classification of products per warehouse by consumption value.
# Computed in one INSERT ... SELECT (aggregate + window functions) so its
# cost stays close to a bare aggregate over the moves, whatever the number
# of products.
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

ABC_CLASSES = [
    ('A', "A"),
    ('B', "B"),
    ('C', "C"),
    ]
# Consumption leaving storage towards these location types counts as usage
CONSUMPTION_TYPES = ['production', 'customer']


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
    cumulative_share = fields.Float(
        "Cumulative Share", digits=(1, 4), readonly=True,
        help="Share of the warehouse consumption value of this product "
        "and of all the products ranked above it.")
    computed_at = fields.DateTime("Computed At", readonly=True)

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
        now = dt.datetime.now()

        abc = cls.__table__()
        # One INSERT ... SELECT per warehouse over all its products
        for warehouse_id in warehouse_ids:
            cursor.execute(*abc.delete(where=abc.warehouse == warehouse_id))
            query = cls._classification_query(
                warehouse_id, since, a_share, b_share)
            if query is None:
                continue
            cursor.execute(*abc.insert(
                    [abc.product, abc.warehouse, abc.abc_class,
                        abc.consumption_value, abc.cumulative_share,
                        abc.computed_at, abc.create_uid, abc.create_date],
                    query.select(
                        query.product, Literal(warehouse_id),
                        query.abc_class, query.value, query.share,
                        Literal(now), Literal(transaction.user),
                        Literal(now))))

    @classmethod
    def _classification_query(cls, warehouse_id, since, a_share, b_share):
        "Query of (product, abc_class, value, share) of the warehouse"
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
        # Stored as the fields' digits show them: more decimals would make
        # the client's form differ from the record (modified on opening)
        return ranked.select(
            ranked.product, abc_class.as_('abc_class'),
            Round(Cast(ranked.value, 'NUMERIC'), 4).as_('value'),
            Round(Cast(ranked.cumulative / ranked.total, 'NUMERIC'), 4
                ).as_('share'))

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
