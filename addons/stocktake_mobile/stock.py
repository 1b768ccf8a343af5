import datetime as dt

from sql import Literal

from trytond import backend
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.model.fields import SQL_OPERATORS
from trytond.modules.factory_stock_ext import workflow_guard
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .exceptions import LocationLockedError

LOCKING_STATES = ('open', 'recount', 'counted', 'approved')


def done_now():
    "The time of a count or of a move done, naive UTC as Tryton stores it"
    return dt.datetime.utcnow()


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'
    # When the move was done, for the book snapshot of counts: write_date
    # also changes when a done move is edited (its price by an invoice).
    # Naive UTC with microseconds, as stocktake.count.counted_at
    done_at = fields.Timestamp("Done at", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._deny_modify_done_cancel.add('done_at')

    @classmethod
    def copy(cls, moves, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('done_at')
        return super().copy(moves, default=default)

    def _do(self):
        # Saved by do() with the state
        self.done_at = done_now()
        return super()._do()

    @classmethod
    def assign(cls, moves):
        cls._check_stocktake_lock(moves)
        super().assign(moves)

    @classmethod
    def do(cls, moves):
        cls._check_stocktake_lock(moves)
        super().do(moves)

    @classmethod
    def _check_stocktake_lock(cls, moves):
        """Strict count tasks freeze their locations, and every location
        inside them, until posted/cancelled"""
        pool = Pool()
        Task = pool.get('stocktake.task')
        Location = pool.get('stock.location')
        if Transaction().context.get('_stocktake_keep_expected'):
            return  # the posting moves of the count itself
        location_ids = {l.id for m in moves
            for l in (m.from_location, m.to_location)}
        if not location_ids:
            return
        locked = cls._stocktake_locks(location_ids)
        for move in moves:
            for location in (move.from_location, move.to_location):
                if location.id not in locked:
                    continue
                counted, task = locked[location.id]
                if counted == location.id:
                    raise LocationLockedError('msg_location_locked',
                        location=location.rec_name,
                        task=Task(task).rec_name,
                        product=move.product.rec_name)
                raise LocationLockedError('msg_location_locked_child',
                    location=location.rec_name,
                    counted=Location(counted).rec_name,
                    task=Task(task).rec_name,
                    product=move.product.rec_name)

    @classmethod
    def _stocktake_locks(cls, location_ids):
        "{location: (locked ancestor or itself, task)} of strict tasks"
        pool = Pool()
        Task = pool.get('stocktake.task')
        Rel = pool.get('stocktake.task.location')
        Location = pool.get('stock.location')
        task, rel = Task.__table__(), Rel.__table__()
        location, ancestor = Location.__table__(), Location.__table__()
        cursor = Transaction().connection.cursor()
        locked = {}
        for sub in grouped_slice(sorted(location_ids),
                backend.MAX_QUERY_PARAMS):
            # Nested set: an ancestor (or the location itself) encloses the
            # location's left/right; one query, no cost without strict tasks
            cursor.execute(*location.join(ancestor, condition=(
                        (ancestor.left <= location.left)
                        & (ancestor.right >= location.right))
                    ).join(rel, condition=rel.location == ancestor.id
                    ).join(task, condition=rel.task == task.id
                    ).select(location.id, ancestor.id, task.id,
                    where=(task.strict == Literal(True))
                    & task.state.in_(LOCKING_STATES)
                    & SQL_OPERATORS['in'](location.id, list(sub)),
                    # The location's own lock first, then its nearest one
                    order_by=[location.id, ancestor.left.desc, task.id]))
            for location_id, counted, task_id in cursor:
                locked.setdefault(location_id, (counted, task_id))
        return locked


class Inventory(metaclass=PoolMeta):
    __name__ = 'stock.inventory'
    stocktake_task = fields.Many2One('stocktake.task', "Count Task",
        readonly=True, ondelete='RESTRICT')

    @classmethod
    def check_modification(
            cls, mode, inventories, values=None, external=False):
        super().check_modification(
            mode, inventories, values=values, external=external)
        # Only a task's post makes the inventory of its count
        workflow_guard.check(cls, mode, inventories, values, external,
            fields={'stocktake_task'})


class InventoryLine(metaclass=PoolMeta):
    __name__ = 'stock.inventory.line'

    def update_for_complete(self, quantity):
        # Snapshot counting: the expected quantity is the book quantity when
        # the line was counted, not at posting time
        if Transaction().context.get('_stocktake_keep_expected'):
            return
        super().update_for_complete(quantity)
