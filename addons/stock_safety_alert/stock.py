# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.pool import Pool, PoolMeta


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


class Location(metaclass=PoolMeta):
    __name__ = 'stock.location'

    @classmethod
    def write(cls, *args):
        # The balance holds the moves of storage locations as they were
        # done: a location that changes type leaves it behind
        changed = []
        actions = iter(args)
        for locations, values in zip(actions, actions):
            if 'type' in values:
                changed.extend(l.id for l in locations
                    if l.type != values['type'])
        super().write(*args)
        Pool().get('stock.safety.balance').forget(changed)
