# This file is part of the factory addons.
"""The outbox flush cron hands its work to the task queue, where
trytond-worker runs it (docs/DEPLOYMENT.md); the stack itself is tested by
tests/integration/test_production_stack.py"""
from trytond import config
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)

FLUSH = 'erp.sync.outbox|process_cron'


class QueuedCronTestCase(DBTestCase):
    module = 'erp_sync'

    def setUp(self):
        super().setUp()
        # as deploy/trytond.conf: pushed tasks wait for trytond-worker
        worker = config.get('queue', 'worker')
        config.set('queue', 'worker', 'True')
        self.addCleanup(config.set, 'queue', 'worker', worker)

    def flush_cron(self):
        pool = Pool()
        Cron = pool.get('ir.cron')
        ModelData = pool.get('ir.model.data')
        return Cron(ModelData.get_id('erp_sync', 'cron_outbox_process'))

    @with_transaction()
    def test_flush_queued_not_run(self):
        "The cron pushes one task named after its method, for run_once"
        pool = Pool()
        Cron = pool.get('ir.cron')
        Queue = pool.get('ir.queue')
        cron = self.flush_cron()
        Cron.run_once([cron])
        task, = Queue.search([('name', '=', FLUSH)])
        self.assertEqual(task.data['model'], 'ir.cron')
        self.assertEqual(task.data['method'], 'run_once')
        self.assertEqual(list(task.data['instances']), [cron.id])
        self.assertIsNone(task.dequeued_at)

    @with_transaction()
    def test_waiting_task_not_pushed_twice(self):
        "A flush still waiting in the queue is not pushed again"
        pool = Pool()
        Cron = pool.get('ir.cron')
        Queue = pool.get('ir.queue')
        cron = self.flush_cron()
        Cron.run_once([cron])
        Cron.run_once([cron])
        self.assertEqual(Queue.search_count([('name', '=', FLUSH)]), 1)
        # once a worker took it, the next run is queued again
        task, = Queue.search([('name', '=', FLUSH)])
        task.dequeued_at = task.enqueued_at
        task.save()
        Cron.run_once([cron])
        self.assertEqual(Queue.search_count([('name', '=', FLUSH)]), 2)

    @with_transaction()
    def test_pull_not_queued(self):
        "Only the listed methods are queued: the daily pull stays in cron"
        pool = Pool()
        Cron = pool.get('ir.cron')
        self.assertIn(FLUSH, Cron.queued_methods)
        self.assertNotIn('erp.sync.endpoint|pull_cron', Cron.queued_methods)
