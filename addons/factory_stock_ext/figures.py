# This file is part of factory_stock_ext.  One source of stock figures for
# every addon: on hand at a date, and what came in and went out over a
# period, by company, warehouse, location, product and lot.
"""Which locations count (the one rule): a location holds the company's
stock when it is of type 'storage' (bins, QC hold and rejected included);
the stock of a warehouse, or of a location, is that of the storage
locations below it, itself included.  Production, lost and found, supplier,
customer, transit and view locations are outside.

On hand is core's own computation (`stock.move.compute_quantities_query`
at `stock_date_end`), which starts from the caches of the last closed
`stock.period` and adds the moves since; done moves only.  In and out
over a period are the done moves that cross the boundary of what is
counted: the scope as a whole (a move between two of its bins is neither)
or each location on its own (per_location).  Quantities are in the
product's default unit.
"""
import datetime as dt

from sql import Literal, Union
from sql.aggregate import Min, Sum
from sql.conditionals import Case

from trytond.model import Model
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool
from trytond.transaction import Transaction

GROUPINGS = {('product',), ('product', 'lot')}


def as_date(value):
    "A date read from SQL (SQLite answers aggregates of dates as text)"
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def counted(location, bounds=None):
    """SQL condition: the location (a stock_location table) holds stock
    counted in the scope whose nested set bounds are (left, right): those
    of a warehouse or location (columns or values); anywhere when None"""
    condition = location.type == 'storage'
    if bounds is not None:
        left, right = bounds
        condition &= (location.left >= left) & (location.right <= right)
    return condition


class StockFigures(Model):
    __name__ = 'stock.figures'
    __string__ = "Stock Figures"

    @classmethod
    def locations(cls, scope=None, among=None):
        """Ids of the counted locations of the scope (a warehouse, a
        location), only those among the given ids when among is not None"""
        Location = Pool().get('stock.location')
        location = Location.__table__()
        where = counted(location, cls._bounds(scope))
        if among is not None:
            where &= location.id.in_(list(among) or [-1])
        cursor = Transaction().connection.cursor()
        cursor.execute(*location.select(location.id, where=where))
        return [i for i, in cursor]

    @classmethod
    def current_company(cls):
        """The id of the company whose stock a user looks at: the
        context's, else the user's own (-1, no stock, for none)"""
        transaction = Transaction()
        company = transaction.context.get('company')
        if company is None:
            company = Pool().get('res.user')(transaction.user).company
        return int(company) if company is not None else -1

    @classmethod
    def on_hand(cls, company, date=None, scope=None, products=None,
            grouping=('product',), per_location=False, locations=None,
            zeros=False, lots=None):
        """{key: quantity} on hand at the end of date (today when None) in
        the scope, or in the given locations (ids; each without its
        children); key is (product[, lot]), prefixed with the location when
        per_location; only of the products and of the lots (with the lot
        grouping) given, when given.  Zero balances are left out, unless
        zeros (then the keys that had moves and came back to zero are in)."""
        query = cls.on_hand_query(company, date=date, scope=scope,
            products=products, grouping=grouping, locations=locations,
            lots=lots)
        figures = {}
        if query is None:
            return figures
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        for location, *key, quantity in cursor:
            if per_location:
                key = [location] + key
            key = tuple(key)
            figures[key] = figures.get(key, 0) + quantity
        if zeros:
            return figures
        return {k: q for k, q in figures.items() if q}

    @classmethod
    def on_hand_query(cls, company, date=None, scope=None, products=None,
            grouping=('product',), locations=None, lots=None):
        """The query behind on_hand, for callers that build on it in SQL:
        columns location, *grouping and quantity, one row per counted
        location and key (zero rows may be in); None when no location
        counts or an empty list of products or lots is given.  Addons that
        keep faster figures answer here."""
        pool = Pool()
        Move = pool.get('stock.move')
        Date = pool.get('ir.date')
        cls._check_grouping(grouping, lots)
        location_ids = cls.locations(scope, among=locations)
        if not location_ids or not cls._asks_some(products, lots):
            return None
        with Transaction().set_context(company=int(company)):
            today = Date.today()
            # Core reads a later date as a forecast; done moves are dated
            # up to today
            date = min(date or today, today)
            with Transaction().set_context(stock_date_end=date,
                    forecast=False, stock_assign=False):
                return Move.compute_quantities_query(location_ids,
                    with_childs=False, grouping=grouping,
                    grouping_filter=cls._grouping_filter(
                        grouping, products, lots))

    @classmethod
    def first_receipts(cls, company, scope=None, products=None,
            grouping=('product',), locations=None):
        """{(location, *key): date} of the first done move into each
        counted location of the scope (or of the given ids), whatever
        left it since: how long an item has been kept there"""
        query = cls.first_receipts_query(company, scope=scope,
            products=products, grouping=grouping, locations=locations)
        if query is None:
            return {}
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        return {tuple(key): as_date(first) for *key, first in cursor}

    @classmethod
    def first_receipts_query(cls, company, scope=None, products=None,
            grouping=('product',), locations=None):
        """The query behind first_receipts: columns location, *grouping and
        date; None when no location counts"""
        Move = Pool().get('stock.move')
        cls._check_grouping(grouping)
        location_ids = cls.locations(scope, among=locations)
        if not location_ids:
            return None
        move = Move.__table__()
        keys = [getattr(move, g) for g in grouping]
        where = ((move.state == 'done') & (move.company == int(company))
            & SQL_OPERATORS['in'](move.to_location, location_ids))
        if products is not None:
            where &= SQL_OPERATORS['in'](move.product, list(products))
        return move.select(move.to_location.as_('location'),
            *(k.as_(g) for k, g in zip(keys, grouping)),
            Min(move.effective_date).as_('date'), where=where,
            group_by=[move.to_location, *keys])

    @classmethod
    def flows(cls, company, start=None, end=None, scope=None,
            products=None, grouping=('product',), per_location=False):
        """{key: (incoming, outgoing)} of the done moves dated from start to
        end (both included; open-ended when None) across the boundary of
        the scope, or of each of its locations when per_location (the key
        is then prefixed with the location)"""
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        cls._check_grouping(grouping)
        move = Move.__table__()
        from_, to = Location.__table__(), Location.__table__()
        bounds = cls._bounds(scope)
        from_in, to_in = counted(from_, bounds), counted(to, bounds)
        where = ((move.state == 'done') & (move.company == int(company)))
        if start:
            where &= move.effective_date >= start
        if end:
            where &= move.effective_date <= end
        if products is not None:
            where &= move.product.in_(list(products) or [-1])
        keys = [getattr(move, g) for g in grouping]
        query = move.join(from_, condition=move.from_location == from_.id
            ).join(to, condition=move.to_location == to.id)
        if per_location:
            # Each counted location on its own: a move between two bins is
            # out of one and into the other
            parts = [
                query.select(move.to_location.as_('location'),
                    *[k.as_(g) for k, g in zip(keys, grouping)],
                    move.internal_quantity.as_('incoming'),
                    Literal(0.0).as_('outgoing'),
                    where=where & to_in),
                query.select(move.from_location.as_('location'),
                    *[k.as_(g) for k, g in zip(keys, grouping)],
                    Literal(0.0).as_('incoming'),
                    move.internal_quantity.as_('outgoing'),
                    where=where & from_in),
                ]
            union = Union(*parts, all_=True)
            columns = [union.location] + [getattr(union, g)
                for g in grouping]
            query = union.select(*columns, Sum(union.incoming),
                Sum(union.outgoing), group_by=columns)
        else:
            zero = Literal(0.0)
            query = query.select(*keys,
                Sum(Case((to_in & ~from_in, move.internal_quantity),
                        else_=zero)),
                Sum(Case((from_in & ~to_in, move.internal_quantity),
                        else_=zero)),
                where=where & (to_in | from_in), group_by=keys)
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        return {tuple(key): (incoming, outgoing)
            for *key, incoming, outgoing in cursor
            if incoming or outgoing}

    @staticmethod
    def _bounds(scope):
        "Nested set bounds of the scope (a location or its id), or None"
        if scope is None:
            return None
        scope = Pool().get('stock.location')(int(scope))
        return scope.left, scope.right

    @staticmethod
    def _check_grouping(grouping, lots=None):
        if tuple(grouping) not in GROUPINGS:
            raise ValueError('grouping %r not in %r' % (grouping, GROUPINGS))
        if lots is not None and 'lot' not in grouping:
            raise ValueError('lots given without the lot grouping')

    @staticmethod
    def _asks_some(products, lots):
        """Whether the product and lot filters can match anything: core
        reads an empty filter as none at all (every product)"""
        return all(f is None or len(f) for f in [products, lots])

    @staticmethod
    def _grouping_filter(grouping, products, lots):
        "core's grouping_filter: the ids asked, by grouping column"
        asked = {'product': products, 'lot': lots}
        if all(v is None for v in asked.values()):
            return None
        return tuple(list(asked[g]) if asked.get(g) is not None else None
            for g in grouping)
