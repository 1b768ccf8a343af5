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
        # trytond-worker posts the outbox (one record per transaction, safe
        # in several workers at once); the pull stays in trytond-cron
        cls.queued_methods.add('erp.sync.outbox|process_cron')
