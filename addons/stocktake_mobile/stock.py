from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.model.fields import SQL_OPERATORS
from trytond.transaction import Transaction

from .exceptions import LocationLockedError

LOCKING_STATES = ('open', 'recount', 'counted', 'approved')


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

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
        "Strict count tasks freeze their locations until posted/cancelled"
        pool = Pool()
        Task = pool.get('stocktake.task')
        Rel = pool.get('stocktake.task.location')
        if Transaction().context.get('stocktake_keep_expected'):
            return  # the posting moves of the count itself
        location_ids = {l.id for m in moves
            for l in (m.from_location, m.to_location)}
        if not location_ids:
            return
        task, rel = Task.__table__(), Rel.__table__()
        cursor = Transaction().connection.cursor()
        locked = {}
        for sub in [list(location_ids)]:
            # One query per slice: opt-in, no cost when no strict task runs
            cursor.execute(*rel.join(task, condition=rel.task == task.id
                    ).select(rel.location, task.id,
                    where=(task.strict == True)  # noqa: E712
                    & task.state.in_(LOCKING_STATES)
                    & SQL_OPERATORS['in'](rel.location, sub)))
            locked.update(dict(cursor))
        for move in moves:
            for location in (move.from_location, move.to_location):
                if location.id in locked:
                    raise LocationLockedError('msg_location_locked',
                        location=location.rec_name,
                        task=Task(locked[location.id]).rec_name,
                        product=move.product.rec_name)


class Inventory(metaclass=PoolMeta):
    __name__ = 'stock.inventory'
    stocktake_task = fields.Many2One('stocktake.task', "Count Task",
        readonly=True, ondelete='RESTRICT')


class InventoryLine(metaclass=PoolMeta):
    __name__ = 'stock.inventory.line'

    def update_for_complete(self, quantity):
        # Snapshot counting: the expected quantity is the book quantity when
        # the line was counted, not at posting time
        if Transaction().context.get('stocktake_keep_expected'):
            return
        super().update_for_complete(quantity)
