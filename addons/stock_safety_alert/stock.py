# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.pool import Pool, PoolMeta

from .bulk import leave_room_for_updates


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    def do(cls, moves):
        # the daily usage and the stock the run reads are appended as moves
        # are done
        todo = [m.id for m in moves if m.state != 'done']
        super().do(moves)
        done = [m for m in cls.browse(todo) if m.state == 'done']
        Pool().get('stock.safety.usage').record(done)
        Pool().get('stock.safety.balance').record(done)
        Pool().get('stock.safety.lead').record(done)

    @classmethod
    def cancel(cls, moves):
        # core lets a done move be cancelled: take its usage and stock back
        done = [m.id for m in moves if m.state == 'done']
        super().cancel(moves)
        cancelled = [m for m in cls.browse(done) if m.state == 'cancelled']
        Pool().get('stock.safety.usage').record(cancelled, sign=-1)
        Pool().get('stock.safety.balance').record(cancelled, sign=-1)
        Pool().get('stock.safety.lead').record(cancelled)


class OrderPoint(metaclass=PoolMeta):
    __name__ = 'stock.order_point'

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        # the run rewrites the minimum and target of every purchase order
        # point whose product's usage moved, each night (parameter.py)
        leave_room_for_updates(cls)
