# This file is part of factory_stock_ext.  Backdated inventories (a count or
# an opening balance dated before later moves): the inventory sets the
# quantity at its date, and the moves done since then were taken from the
# quantity the books had.  A posting that lowers a quantity is refused when
# it leaves the stock of that lot negative on any later day (the choice of
# issue 17: refuse with the list, never rewrite history).
import datetime as dt

from sql import Null, Union, Window
from sql.aggregate import Min, Sum
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .exceptions import NegativeLaterError

MAX_REPORTED = 50


class Inventory(metaclass=PoolMeta):
    __name__ = 'stock.inventory'

    @classmethod
    def confirm(cls, inventories):
        # Checked before posting, so a refusal writes nothing; an import
        # confirming in batches checks all of them at once beforehand
        if not Transaction().context.get('_negative_later_checked'):
            cls.check_negative_later(inventories)
        super().confirm(inventories)

    @classmethod
    def check_negative_later(cls, inventories):
        """Raise NegativeLaterError listing the lots, locations and dates
        whose quantity the draft inventories would leave negative"""
        pool = Pool()
        Product = pool.get('product.product')
        Location = pool.get('stock.location')
        Lot = pool.get('stock.lot')
        rows = cls._negative_later([i.id for i in inventories])
        rows.sort(key=lambda r: (r[3], r[0], r[1], r[2] or 0))
        if not rows:
            return
        lines = []
        for location, product, lot, date, balance in rows[:MAX_REPORTED]:
            product = Product(product)
            if isinstance(date, str):
                date = dt.date.fromisoformat(date)
            lines.append(gettext('factory_stock_ext.msg_negative_later_line',
                    location=Location(location).rec_name,
                    product=product.rec_name,
                    lot=Lot(lot).rec_name if lot else gettext(
                        'factory_stock_ext.msg_negative_later_no_lot'),
                    date=date.isoformat(),
                    quantity=product.default_uom.round(balance)))
        if len(rows) > MAX_REPORTED:
            lines.append('…')
        raise NegativeLaterError(gettext(
                'factory_stock_ext.msg_negative_later',
                count=len(rows), lines='\n'.join(lines)))

    @classmethod
    def _negative_later(cls, inventory_ids):
        """[(location, product, lot, first date, quantity)] of the lowered
        quantities of the inventories that would be negative on a day from
        the inventory date on: one query over the done moves of those keys
        and the differences the inventories are about to post"""
        pool = Pool()
        Move = pool.get('stock.move')
        Line = pool.get('stock.inventory.line')
        if not inventory_ids:
            return []

        def lines():
            inventory, line = cls.__table__(), Line.__table__()
            return inventory, line, line.join(inventory,
                condition=line.inventory == inventory.id)

        inventory, line, join = lines()
        keys = join.select(
            inventory.company.as_('company'),
            inventory.location.as_('location'),
            line.product.as_('product'),
            line.lot.as_('lot'),
            Min(inventory.date).as_('since'),
            where=SQL_OPERATORS['in'](inventory.id, inventory_ids)
            & (line.quantity < line.expected_quantity),
            group_by=[inventory.company, inventory.location, line.product,
                line.lot])

        def same_key(location, product, lot, company):
            return ((location == keys.location)
                & (product == keys.product)
                & (company == keys.company)
                & (Coalesce(lot, -1) == Coalesce(keys.lot, -1)))

        def flow(side, sign):
            move = Move.__table__()
            return move.join(keys, condition=same_key(getattr(move, side),
                    move.product, move.lot, move.company)
                ).select(keys.location, keys.product, keys.lot, keys.since,
                move.effective_date.as_('date'),
                (move.internal_quantity * sign).as_('quantity'),
                where=(move.state == 'done') & (move.effective_date != Null))

        # What the inventories will post: counted minus expected at its date
        # (in the product's unit: inventory lines are in the default unit)
        inventory, line, join = lines()
        posting = join.join(keys, condition=same_key(inventory.location,
                line.product, line.lot, inventory.company)
            ).select(keys.location, keys.product, keys.lot, keys.since,
            inventory.date.as_('date'),
            (line.quantity - line.expected_quantity).as_('quantity'),
            where=SQL_OPERATORS['in'](inventory.id, inventory_ids))
        flows = Union(flow('to_location', 1), flow('from_location', -1),
            posting, all_=True)
        daily = flows.select(flows.location, flows.product, flows.lot,
            flows.since, flows.date, Sum(flows.quantity).as_('quantity'),
            group_by=[flows.location, flows.product, flows.lot, flows.since,
                flows.date])
        window = Window([daily.location, daily.product, daily.lot],
            order_by=[daily.date.asc])
        running = daily.select(daily.location, daily.product, daily.lot,
            daily.since, daily.date,
            Sum(daily.quantity, window=window).as_('balance'))
        cursor = Transaction().connection.cursor()
        cursor.execute(*running.select(running.location, running.product,
                running.lot, running.date, running.balance,
                # float sums: below zero by more than any unit's rounding
                where=(running.date >= running.since)
                & (running.balance < -1e-9),
                order_by=[running.location, running.product, running.lot,
                    running.date]))
        first = {}
        for location, product, lot, date, balance in cursor:
            first.setdefault((location, product, lot), (date, balance))
        return [k + v for k, v in first.items()]
