# Scheduled tasks of the addon, chosen through the ir.cron method selection.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('stock.product.abc|compute', "Compute ABC Classes"),
                ('stock.lot.trace.session|clean',
                    "Clean Old Lot Trace Sessions"),
                ])
