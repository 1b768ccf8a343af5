"""The production stack of deploy/stack.py (`make serve-prod`) on PostgreSQL:
gunicorn with 2 WSGI workers, 1 trytond-cron and 1 trytond-worker on loopback
ports. A receipt, a count on the handheld API and the ERP outbox flush go
through it over HTTP, and the queued tasks are run by the worker process.

PostgreSQL only: the stack refuses SQLite (several processes on one
database need SKIP LOCKED and NOTIFY), so on SQLite this test fails rather
than pretend; tools/run_tests.py runs it on PostgreSQL only.
"""
import base64
import datetime as dt
import json
import re
import tempfile
import time
import unittest
import urllib.request

import psycopg

from demo_factory import database, erp
from deploy.stack import Stack, rpc
from support import backend_uri, build_demo, free_port, unique_name

FLUSH = 'erp.sync.outbox|process_cron'
NIGHTLY = 'stock.safety.nightly|run'
DEADLINE = 45


def poll(condition, what, timeout=DEADLINE):
    "condition() until it returns something true, or fail at the deadline"
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f'not within {timeout} s: {what}')
        time.sleep(0.2)  # polling other processes, not a fixed wait


class ProductionStackTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.uri = backend_uri()
        if not cls.uri.startswith('postgresql'):
            raise AssertionError('the production stack runs on PostgreSQL '
                'only: set TRYTOND_DATABASE_URI=postgresql://…')
        cls.db = unique_name('prodstack')
        cls.addClassCleanup(database.drop, cls.db, cls.uri)
        # the smallest demo with a mapped material and an open count task
        build_demo(cls.db, products=10, days=14)
        cls.sql = psycopg.connect(cls.uri + cls.db, autocommit=True)
        cls.addClassCleanup(cls.sql.close)

        cls.fake = erp.fake(free_port()).start()
        cls.addClassCleanup(cls.fake.stop)
        # Only the two queued crons are due: the cron's first pass (at its
        # start) queues them, the others wait for their next day
        cls.query('UPDATE erp_sync_endpoint SET base_url = %s',
            (cls.fake.url,), fetch=False)
        cls.query("UPDATE ir_cron SET next_call = CASE WHEN method IN "
            "(%s, %s) THEN now() at time zone 'utc' - interval '1 minute' "
            "ELSE now() at time zone 'utc' + interval '1 day' END",
            (FLUSH, NIGHTLY), fetch=False)
        # the demo build ran the nightly run itself: forget it, so that what
        # the test sees was done through the stack
        cls.query('UPDATE stock_safety_configuration SET last_run = NULL',
            fetch=False)
        cls.query('DELETE FROM ir_cron_log', fetch=False)

        logs = tempfile.TemporaryDirectory()
        cls.addClassCleanup(logs.cleanup)
        cls.stack = Stack(cls.db, cls.uri, port=free_port(), workers=2,
            queue_workers=1, log_dir=logs.name, verbose=True,
            env={'TRYTOND_ERP_SYNC__SECRET_KEY': database.secret_key()})
        cls.addClassCleanup(cls.stack.stop)
        cls.stack.start().wait_ready()
        cls.session = cls.login('admin', database.ADMIN_PASSWORD)
        # the user's context (company, language) that sao sends with calls
        cls.context = rpc(cls.stack.url, cls.db,
            'model.res.user.get_preferences', [True, {}],
            session=cls.session)

    @classmethod
    def query(cls, sql, params=(), fetch=True):
        "Read (and set up) the database beside the stack"
        cursor = cls.sql.execute(sql, params)
        return cursor.fetchall() if fetch else None

    @classmethod
    def login(cls, login, password):
        user_id, token = rpc(cls.stack.url, cls.db, 'common.db.login',
            [login, {'password': password}, 'en'])[:2]
        cls.user_id = user_id
        return base64.b64encode(
            f'{login}:{user_id}:{token}'.encode()).decode()

    def call(self, method, *args):
        """A JSON-RPC call as the administrator; a warning is answered "yes"
        and the call repeated, as sao does"""
        try:
            return rpc(self.stack.url, self.db, method,
                [*args, self.context], session=self.session)
        except RuntimeError as error:
            kind, details = error.args[1]
            if kind != 'UserWarning':
                raise
        rpc(self.stack.url, self.db, 'model.res.user.warning.create',
            [[{'user': self.user_id, 'name': details[0], 'always': False}],
                self.context], session=self.session)
        return rpc(self.stack.url, self.db, method, [*args, self.context],
            session=self.session)

    def worker_ran(self, task_id):
        "The task's line in the worker's log (run_task logs it at INFO)"
        pattern = re.compile(rf'<Task {task_id}@{self.db}> in \d+ ms')
        return pattern.search(self.stack.log('worker'))

    def finished_task(self, name, after=0):
        rows = self.query('SELECT id FROM ir_queue WHERE name = %s '
            'AND finished_at IS NOT NULL AND id > %s ORDER BY id', (name,
                after))
        return rows[-1][0] if rows else None

    def test_cron_queues_nightly_run_for_worker(self):
        "trytond-cron queues the nightly run; trytond-worker runs it"
        task_id = poll(lambda: self.finished_task(NIGHTLY),
            'the nightly run finished from the queue')
        self.assertTrue(self.worker_ran(task_id), self.stack.log('worker'))
        self.assertNotRegex(self.stack.log('cron'), rf'<Task {task_id}@')
        # the cron pass logged the hand-over, the run itself did its work
        self.assertTrue(self.query('SELECT 1 FROM ir_cron_log l JOIN ir_cron '
                'c ON c.id = l.cron WHERE c.method = %s', (NIGHTLY,)))
        (last_run,), = self.query(
            'SELECT last_run FROM stock_safety_configuration')
        self.assertIsNotNone(last_run)

    def test_receipt_count_and_flush(self):
        "A receipt and a count over HTTP, then the outbox flush in the worker"
        move_id = self.receive()
        self.count()
        # written with the stock change, by the WSGI worker that made it
        (record_id,), = self.query('SELECT id FROM erp_sync_outbox '
            'WHERE move = %s', (move_id,))
        # the cron's first flush may still be waiting or running: then it
        # or the task pushed below posts the receipt
        before = self.finished_task(FLUSH) or 0
        cron_id, = [c['id'] for c in self.call('model.ir.cron.search_read',
                [('method', '=', FLUSH)], 0, None, None, ['id'])]
        # "Run Once" in the client: the WSGI worker only queues the flush
        self.call('model.ir.cron.run_once', [cron_id])
        poll(lambda: self.query('SELECT state FROM erp_sync_outbox '
                'WHERE id = %s', (record_id,))[0][0] == 'confirmed',
            'the receipt confirmed by the ERP')
        key, = [k for k, in self.query(
                'SELECT key FROM erp_sync_outbox WHERE id = %s',
                (record_id,))]
        self.assertEqual(self.fake.applied_counts[key], 1)
        task_id = poll(lambda: self.finished_task(FLUSH, before),
            'the flush task finished')
        self.assertTrue(self.worker_ran(task_id), self.stack.log('worker'))
        for name in ['wsgi', 'cron']:
            self.assertNotRegex(self.stack.log(name), rf'<Task {task_id}@')

    def receive(self):
        "A supplier receipt of a mapped material into the warehouse's QC hold"
        (product, unit, warehouse, qc, storage, supplier, company,
                currency), = self.query("""
            SELECT p.id, t.default_uom, w.id, w.qc_location,
                w.storage_location, s.id, e.company, c.currency
            FROM erp_sync_mapping m
            JOIN erp_sync_endpoint e ON e.id = m.endpoint
            JOIN company_company c ON c.id = e.company
            JOIN product_product p ON p.id = m.product
            JOIN product_template t ON t.id = p.template
            JOIN stock_location w ON w.type = 'warehouse'
                AND w.qc_location IS NOT NULL
            JOIN stock_location s ON s.type = 'supplier'
            WHERE m.type = 'product'
            ORDER BY p.id, w.id, s.id LIMIT 1""")
        party, = [p for p, in self.query(
                'SELECT party FROM purchase_line l JOIN purchase_purchase '
                'p ON p.id = l.purchase LIMIT 1')]
        # a supplier lot, as a clerk records it (some materials need one)
        expires = dt.date.today() + dt.timedelta(days=365)
        lot_id, = self.call('model.stock.lot.create', [{
                    'product': product, 'number': unique_name('LOT'),
                    'shelf_life_expiration_date': {'__class__': 'date',
                        'year': expires.year, 'month': expires.month,
                        'day': expires.day}}])
        shipment_id, = self.call('model.stock.shipment.in.create', [{
                    'supplier': party, 'warehouse': warehouse,
                    'warehouse_input': qc, 'warehouse_storage': storage,
                    'company': company,
                    'incoming_moves': [('create', [{
                                    'product': product, 'unit': unit,
                                    'quantity': 3, 'from_location': supplier,
                                    'to_location': qc, 'company': company,
                                    'unit_price': '2.5',
                                    'currency': currency, 'lot': lot_id,
                                    }])],
                    }])
        self.call('model.stock.shipment.in.receive', [shipment_id])
        (move_id, state), = self.query('SELECT id, state FROM stock_move '
            'WHERE shipment = %s AND to_location = %s',
            (f'stock.shipment.in,{shipment_id}', qc))
        self.assertEqual(state, 'done')
        return move_id

    def count(self):
        """The assignee counts an open task on the handheld API (what the
        books say), finishes it, and the administrator approves and posts"""
        (task_id, user_id), = self.query("SELECT id, assignee FROM "
            "stocktake_task WHERE state = 'open' AND assignee IS NOT NULL "
            "ORDER BY id LIMIT 1")
        app_id, = self.call('model.res.user.application.create', [{
                    'user': user_id, 'application': 'stocktake_mobile',
                    'state': 'validated'}])
        (key,), = [[r['key']] for r in self.call(
                    'model.res.user.application.read', [app_id], ['key'])]
        api = f'/{self.db}/stocktake/api/tasks/{task_id}'
        task = self.http(api, key)
        self.assertTrue(task['lines'])
        for line in task['lines']:
            self.http(api + '/counts', key, {
                    'location': line['location'],
                    'code': line['product_code'], 'lot': line['lot'],
                    'quantity': self.book_quantity(line['id']),
                    'client_key': f'prodstack-{line["id"]}'})
        self.assertEqual(self.http(api + '/finish', key, {})['state'],
            'counted')
        self.call('model.stocktake.task.approve', [task_id])
        self.call('model.stocktake.task.post', [task_id])
        (state,), = self.query('SELECT state FROM stocktake_task '
            'WHERE id = %s', (task_id,))
        self.assertEqual(state, 'done')

    def book_quantity(self, line_id):
        "The line's quantity on the books, from the done moves"
        (quantity,), = self.query("""
            SELECT COALESCE(SUM(CASE WHEN m.to_location = l.location
                    THEN m.internal_quantity ELSE -m.internal_quantity END),
                    0)
            FROM stocktake_task_line l
            LEFT JOIN stock_move m ON m.state = 'done'
                AND m.product = l.product
                AND m.lot IS NOT DISTINCT FROM l.lot
                AND l.location IN (m.from_location, m.to_location)
            WHERE l.id = %s""", (line_id,))
        return float(quantity)

    def http(self, path, key, body=None):
        "The handheld API: a bearer key, JSON in and out"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.stack.url + path, data=data,
            headers={'Authorization': f'bearer {key}',
                'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())


if __name__ == '__main__':
    unittest.main()
