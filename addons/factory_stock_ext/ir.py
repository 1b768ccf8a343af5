# Scheduled tasks of the addon, chosen through the ir.cron method selection;
# boards limited to the actions the user may open.
from lxml import etree

from trytond.model import ModelView, dualmethod
from trytond.pool import Pool, PoolMeta
from trytond.transaction import (
    Transaction, check_access, without_check_access)

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


class View(metaclass=PoolMeta):
    __name__ = 'ir.ui.view'

    def get_arch(self, name):
        arch = super().get_arch(name)
        if self.type == 'board' and arch:
            arch = self._board_for_user(arch)
        return arch

    @classmethod
    def _board_for_user(cls, arch):
        """The board without the actions the user cannot open: the client
        loads each one and warns of every model it may not read (a clerk's
        alert board embeds stock values only supervisors see)"""
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        ModelAccess = pool.get('ir.model.access')
        Action = pool.get('ir.action')
        User = pool.get('res.user')
        # for every user but root: the getters of a read run without the
        # access checks, so the user's access is checked explicitly below
        if Transaction().user == 0:
            return arch
        tree = etree.fromstring(arch)
        groups = set(User.get_groups())
        removed = False
        for element in tree.xpath('//action[@name]'):
            name = element.get('name')
            if '.' in name:
                action_id = ModelData.get_id(*name.split('.', 1))
            else:
                action_id = int(name)
            window = Action(action_id).get_action_value()
            action_groups = set(Action(action_id).groups)
            allowed = (not action_groups
                or groups & {g.id for g in action_groups})
            model = window.get('res_model')
            if allowed and model:
                with check_access():
                    allowed = ModelAccess.check(model, 'read',
                        raise_exception=False)
            if not allowed:
                element.getparent().remove(element)
                removed = True
        if not removed:
            return arch
        return etree.tostring(tree, encoding='utf-8').decode('utf-8')
