# This file is part of the factory addons.
"""Crash test: the worker process is killed (SIGKILL) mid-batch, then
restarted; every move ends confirmed exactly once at the fake K3Cloud.

The kill is synchronised on the fake's commit hook: when the fake has
applied the N-th document, and before it answers, the hook kills the worker.
So the remote holds a document the worker never heard about (the worst
moment), and nothing waits on a timer.  On SQLite the in-memory test
database is copied to a file the worker process can open.
"""
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading

from trytond import backend
from trytond.tests.test_tryton import DB_NAME, with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from .tools import (
    HOLD, TIMEOUT, commit, do_moves, locations, make_endpoint, make_products,
    map_warehouse, new_company, set_company, start_fake)

MOVES = 60
KILL_AT = 25


class CrashTestCase(DBTestCase):
    module = 'erp_sync'

    def worker_database(self):
        "(name, extra environment) of a database a worker process can open"
        if backend.name != 'sqlite':
            return DB_NAME, {}
        directory = tempfile.mkdtemp(prefix='erp_sync_crash_')
        self.addCleanup(shutil.rmtree, directory, ignore_errors=True)
        name = 'crash'
        target = sqlite3.connect(os.path.join(directory, name + '.sqlite'))
        Transaction().connection.backup(target)
        target.close()
        self.sqlite_file = os.path.join(directory, name + '.sqlite')
        return name, {'TRYTOND_DATABASE__PATH': directory}

    def start_worker(self, database, env):
        return subprocess.Popen(
            [sys.executable, '-m', 'trytond.modules.erp_sync.worker',
                '-d', database],
            env=dict(os.environ, **env), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)

    def states(self, endpoint_id):
        "{key: (state, already_existed)} as committed by the workers"
        query = ('SELECT key, state, already_existed FROM erp_sync_outbox '
            'WHERE endpoint = %d' % endpoint_id)
        if backend.name == 'sqlite':
            connection = sqlite3.connect(self.sqlite_file)
            try:
                rows = connection.execute(query).fetchall()
            finally:
                connection.close()
        else:
            Transaction().commit()  # fresh snapshot
            cursor = Transaction().connection.cursor()
            cursor.execute(query)
            rows = cursor.fetchall()
        return {k: (s, bool(a)) for k, s, a in rows}

    @with_transaction()
    def test_worker_killed_mid_batch_then_restarted(self):
        fake = start_fake(self, seed=7, fault_rate=0.2, hold_seconds=HOLD)
        company = new_company()
        with set_company(company):
            endpoint = make_endpoint(
                fake, company, timeout=TIMEOUT, max_attempts=30)
            loc = locations()
            map_warehouse(endpoint, loc['warehouse'])
            products = make_products(10, fake=fake)
            do_moves(company, [
                    (products[i % 10], loc['supplier'], loc['input'], i + 1)
                    for i in range(MOVES)])
            endpoint_id = endpoint.id
            commit()
            database, env = self.worker_database()

        killed = threading.Event()
        in_flight = []

        def kill_worker(op, key):
            if (op == 'Audit' and not killed.is_set()
                    and fake.applied_total >= KILL_AT):
                in_flight.append(key)
                os.kill(worker.pid, signal.SIGKILL)
                killed.set()
        fake.commit_hooks.append(kill_worker)

        worker = self.start_worker(database, env)
        out, err = worker.communicate(timeout=300)
        self.assertTrue(killed.is_set(), (out, err))
        self.assertEqual(worker.returncode, -signal.SIGKILL, err)
        fake.commit_hooks.remove(kill_worker)

        states = self.states(endpoint_id)
        self.assertEqual(len(states), MOVES)
        key, = in_flight
        # Applied remotely, but the worker died before recording it
        self.assertEqual(fake.applied_counts[key], 1)
        self.assertIn(states[key][0], {'pending', 'sent'})
        confirmed = [k for k, (s, _) in states.items() if s == 'confirmed']
        self.assertTrue(0 < len(confirmed) < MOVES)

        # Restart: two workers at once where the database allows it
        count = 2 if backend.name == 'postgresql' else 1
        workers = [self.start_worker(database, env) for _ in range(count)]
        for process in workers:
            out, err = process.communicate(timeout=300)
            self.assertEqual(process.returncode, 0, err)

        states = self.states(endpoint_id)
        self.assertEqual(
            {s for s, _ in states.values()}, {'confirmed'}, states)
        self.assertTrue(states[key][1], "the replay found the document")
        self.assertEqual(set(fake.applied_counts), set(states))
        self.assertEqual(set(fake.applied_counts.values()), {1})
        self.assertEqual(
            fake.documents_per_key('STK_InStock'), {k: 1 for k in states})


del DBTestCase
