# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('stock.safety.nightly|run',
                "Compute Safety Stock and Refresh Stock Alerts"))
        # The nightly run is long: trytond-worker runs it from ir.queue
        # (its advisory lock skips a second run that overlaps)
        cls.queued_methods.add('stock.safety.nightly|run')
