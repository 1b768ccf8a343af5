# Scheduled tasks of the addon, chosen through the ir.cron method selection.
from trytond.model import ModelView, dualmethod
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

# Context key carried by a queued cron task: the worker runs the method
QUEUED = '_factory_cron_queued'


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
        # Cron methods that trytond-cron (or "Run Once") only hands to the
        # task queue (ir.queue): trytond-worker runs them, so a long nightly
        # run or a slow ERP never holds the cron process or a client request,
        # and several workers share the load. Addons add their methods here.
        cls.queued_methods = set()

    @dualmethod
    @ModelView.button
    def run_once(cls, crons):
        if Transaction().context.get(QUEUED):
            # the worker's turn (or trytond-cron's own loop when no worker
            # is configured: ir.queue then runs the task after the commit)
            return super().run_once(crons)
        queued = [c for c in crons if c.method in cls.queued_methods]
        cls.enqueue(queued)
        super().run_once([c for c in crons if c not in queued])

    @classmethod
    def enqueue(cls, crons):
        """Push one task per cron to the queue named after its method,
        unless one is still waiting there: a run still to start will do the
        work of this one (two racing pushes only cost a second run, which
        our queued methods are made to survive)."""
        Queue = Pool().get('ir.queue')
        for cron in crons:
            with without_check_access():
                waiting = Queue.search([
                        ('name', '=', cron.method),
                        ('dequeued_at', '=', None),
                        ], limit=1)
            if waiting:
                continue
            with Transaction().set_context(
                    queue_name=cron.method, **{QUEUED: True}):
                cls.__queue__.run_once([cron])
