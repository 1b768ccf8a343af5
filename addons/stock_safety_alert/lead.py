# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""Supplier lead times (purchase order date -> receipt date) of the
receipts in the statistics window, per company, warehouse, product and
supplier: count, sum, sum of squares and maximum of the days.

A year of receipts is joined to its purchase lines once; afterwards the
run recomputes only the products that a done or cancelled receipt marked
(moves append a pending marker row) or whose receipts left or entered the
window as it moved. A missing or far-away start (usage.window.MAX_SHIFT)
measures every product again.
"""
import datetime as dt

from sql import Literal, Null
from sql.aggregate import Count, Max, Sum
from sql.conditionals import Coalesce
from sql.functions import Function

from trytond import backend
from trytond.model import ModelSQL, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, inactive_records

from .bulk import bulk_insert, in_
from .pending import PendingMixin
from .window import MAX_SHIFT

KEYS = ['company', 'warehouse', 'product', 'party']


class JulianDay(Function):
    __slots__ = ()
    _function = 'JULIANDAY'


def days_between(end, start):
    "SQL expression for the number of days from start to end"
    if backend.name == 'sqlite':
        return JulianDay(end) - JulianDay(start)
    return end - start


class LeadTime(PendingMixin, ModelSQL):
    "Supplier Lead Times in Window"
    __name__ = 'stock.safety.lead'

    # Integers as in stock.safety.usage: derived rows, never edited
    company = fields.Integer("Company", required=True)
    warehouse = fields.Integer("Warehouse",
        help="Empty on a pending marker.")
    product = fields.Integer("Product", required=True)
    party = fields.Integer("Supplier", help="Empty on a pending marker.")
    samples = fields.Integer("Receipts")
    total = fields.Float("Sum of Days")
    total_sq = fields.Float("Sum of Squares")
    max_days = fields.Float("Maximum Days")

    @classmethod
    def __register__(cls, module):
        Config = Pool().get('stock.safety.configuration')
        exists = backend.TableHandler.table_exist(cls._table)
        super().__register__(module)
        if not exists:
            # Added to a database whose window is already built: forget
            # its start so that the next run measures every product
            config = Config.__table__()
            Transaction().connection.cursor().execute(*config.update(
                    [config.usage_window_start], [Null]))

    @classmethod
    def record(cls, moves):
        """Mark the products of receipts from suppliers just done or
        cancelled: the next run measures them again"""
        marks = {(m.company.id, m.product.id) for m in moves
            if m.from_location.type == 'supplier'
            and str(m.origin or '').startswith('purchase.line,')}
        if marks:
            now, user = dt.datetime.now(), Transaction().user
            bulk_insert(cls, ['company', 'product', 'pending', 'create_uid',
                    'create_date'],
                [[c, p, True, user, now] for c, p in sorted(marks)])

    @classmethod
    def update(cls, start, old_start):
        """Bring the lead times to the window starting at start, from
        old_start (None: never measured) and the marked products"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        if old_start is None or abs((start - old_start).days) > MAX_SHIFT:
            cursor.execute(*table.delete())
            cls._insert(start)
            return
        cursor.execute(*table.select(table.product,
                where=table.pending == Literal(True)))
        # a marked product is measured again in every company, as are
        # those with receipts on the days that left or entered the window
        products = {p for p, in cursor.fetchall()}
        if start != old_start:
            products.update(cls._receipt_products(*sorted([old_start, start])))
        if products:
            # one statement each: in_ splits a long list for the backend
            products = sorted(products)
            cursor.execute(*table.delete(where=in_(table.product, products)))
            cls._insert(start, products)
        cursor.execute(*table.delete(where=table.pending == Literal(True)))

    @classmethod
    def _receipts(cls):
        """(move, purchase, where) of the done receipts of purchase lines,
        with the day the move counts at"""
        pool = Pool()
        Move = pool.get('stock.move')
        Line = pool.get('purchase.line')
        Purchase = pool.get('purchase.purchase')
        Location = pool.get('stock.location')
        Company = pool.get('company.company')
        move, line, purchase = (
            Move.__table__(), Line.__table__(), Purchase.__table__())
        # lists, not subqueries: they lead core's index below
        companies = [c.id for c in Company.search([])]
        with inactive_records():
            suppliers = [l.id for l in Location.search(
                    [('type', '=', 'supplier')])]
        # the id part of the reference, as core indexes it: no scan of
        # every move to build 'purchase.line,<id>' strings
        line_id = Move.origin.sql_id(move.origin, Line)
        query = (move
            .join(line, condition=line_id == line.id)
            .join(purchase, condition=line.purchase == purchase.id))
        # core's index on (company, from_location, this date): the receipts
        # of the window without a scan of every move ever made
        moved = Coalesce(
            move.effective_date, move.planned_date, dt.date.max)
        where = ((move.state == 'done')
            & move.origin.like('purchase.line,%')
            & in_(move.company, companies or [-1])
            & in_(move.from_location, suppliers or [-1])
            & (purchase.purchase_date != Null)
            & (purchase.warehouse != Null))
        return query, move, purchase, moved, where

    @classmethod
    def _receipt_products(cls, low, high):
        "Products with a receipt counted from low to before high"
        query, move, _, moved, where = cls._receipts()
        cursor = Transaction().connection.cursor()
        cursor.execute(*query.select(move.product,
                where=where & (moved >= low) & (moved < high),
                group_by=[move.product]))
        return {p for p, in cursor.fetchall()}

    @classmethod
    def _insert(cls, start, products=None):
        "Measure the receipts of the window, of products or of all"
        table = cls.__table__()
        query, move, purchase, moved, where = cls._receipts()
        cursor = Transaction().connection.cursor()
        where &= moved >= start
        if products is not None:
            where &= in_(move.product, products)
        days = days_between(move.effective_date, purchase.purchase_date)
        cursor.execute(*table.insert(
                [*(getattr(table, k) for k in KEYS), table.samples,
                    table.total, table.total_sq, table.max_days,
                    table.pending, table.create_date],
                query.select(
                    move.company, purchase.warehouse, move.product,
                    purchase.party, Count(move.id), Sum(days),
                    Sum(days * days), Max(days), Literal(False),
                    Literal(dt.datetime.now()),
                    where=where,
                    group_by=[move.company, purchase.warehouse,
                        move.product, purchase.party])))
