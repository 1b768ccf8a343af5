# This file is part of the factory addons.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('erp.sync.outbox|process_cron', "Post ERP Outbox"),
                ('erp.sync.endpoint|pull_cron',
                    "Pull ERP Stock and Compare"),
                ])
