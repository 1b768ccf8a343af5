# This file is part of the factory addons.
"""Fault test: a fake K3Cloud failing ~20% of calls, nothing lost or doubled.

200 moves (receipts, issues, transfers) go through the outbox while the fake
injects every fault kind (500s, rate limits, expired sessions, timeouts,
malformed bodies, commit-then-fail, duplicated deliveries) with a seeded RNG.
On PostgreSQL two workers run at once (threads, FOR UPDATE SKIP LOCKED).
"""
import threading
from unittest.mock import patch

from trytond import backend
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from .tools import (
    HOLD, TIMEOUT, commit, do_moves, locations, make_endpoint, make_products,
    map_warehouse, new_company, second_warehouse, set_company, start_fake)

MOVES = 200


def batch(company, fake, endpoint):
    "140 receipts, then 40 issues and 20 transfers of the same products"
    loc = locations()
    other = second_warehouse('WH02-%d' % company.id)
    map_warehouse(endpoint, other, 'WH02')
    products = make_products(20, fake=fake)
    specs = [(products[i % 20], loc['supplier'], loc['input'], 10)
        for i in range(140)]
    specs += [(products[i % 20], loc['storage'], loc['production'], 1)
        for i in range(40)]
    specs += [(products[i % 20], loc['storage'], other.storage_location, 2)
        for i in range(20)]
    # Receipts first: the fake refuses negative stock like Kingdee does
    do_moves(company, specs[:140])
    do_moves(company, specs[140:])
    return products


def run_workers(endpoint_id, count):
    "Run ``count`` workers until nothing is left to claim"
    errors = []

    def drain():
        pool = Pool()
        Endpoint = pool.get('erp.sync.endpoint')
        Outbox = pool.get('erp.sync.outbox')
        for _ in range(100):  # bounded: a bug must not hang the test
            if not Outbox.process(endpoints=[Endpoint(endpoint_id)]):
                break

    def thread_main():
        try:
            with Transaction().start(DB_NAME, 1):
                drain()
        except Exception as exc:
            errors.append(exc)
    if count == 1:
        drain()
    else:
        threads = [threading.Thread(target=thread_main) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return errors


class FaultTestCase(DBTestCase):
    module = 'erp_sync'

    @with_transaction()
    def test_faulty_remote_every_move_confirmed_once(self):
        pool = Pool()
        Outbox = pool.get('erp.sync.outbox')
        Comparison = pool.get('erp.sync.stock.comparison')
        fake = start_fake(
            self, seed=20240607, fault_rate=0.2, hold_seconds=HOLD)
        company = new_company()
        with set_company(company):
            endpoint = make_endpoint(
                fake, company, timeout=TIMEOUT, max_attempts=30,
                call_attempts=5)
            map_warehouse(endpoint, locations()['warehouse'])
            batch(company, fake, endpoint)
            commit()

            # One worker on SQLite (one in-memory connection per thread)
            workers = 2 if backend.name == 'postgresql' else 1
            self.assertEqual(run_workers(endpoint.id, workers), [])
            commit()  # a fresh snapshot sees the workers' commits

            records = Outbox.search([('endpoint', '=', endpoint.id)])
            self.assertEqual(len(records), MOVES)
            self.assertEqual(
                {r.state for r in records}, {'confirmed'},
                [(r.key, r.state, r.last_error) for r in records
                    if r.state != 'confirmed'][:5])
            keys = {r.key for r in records}
            self.assertEqual(set(fake.applied_counts), keys)
            self.assertEqual(set(fake.applied_counts.values()), {1})
            documents = {}
            for form in ['STK_InStock', 'PRD_PickMtrl', 'STK_TransferDirect']:
                documents.update(fake.documents_per_key(form))
            self.assertEqual(documents, {k: 1 for k in keys})

            # The faults really happened, lost answers included
            fired = fake.faults.fired
            self.assertGreater(sum(fired.values()), MOVES * 0.3, fired)
            for kind in ['commit_then_fail', 'timeout', 'server_error',
                    'malformed', 'expire']:
                self.assertGreater(fired[kind], 0, kind)

            # And both sides hold the same stock afterwards
            fake.faults.clear()
            endpoint.pull([endpoint])
            rows = Comparison.compare([endpoint])
            self.assertEqual(len(rows), 40)  # 20 products x 2 warehouses
            self.assertEqual(
                [(r.product_code, r.warehouse_code, r.difference)
                    for r in rows if r.difference], [])

    @with_transaction()
    def test_claim_lost_to_another_worker_is_claimed_again(self):
        "A row posted by another worker after our snapshot: claim again"
        pool = Pool()
        Outbox = pool.get('erp.sync.outbox')
        table = Outbox.__table__()
        fake = start_fake(self)
        company = new_company()
        with set_company(company):
            loc = locations()
            endpoint = make_endpoint(fake, company)
            map_warehouse(endpoint, loc['warehouse'])
            products = make_products(2, fake=fake)
            do_moves(company, [(p, loc['supplier'], loc['input'], 5)
                    for p in products])
            commit()
            first = min(Outbox.search([('endpoint', '=', endpoint.id)]))
            claim, conflicts = Outbox._claim, []

            def racing_claim(endpoint_ids, skipped):
                if not conflicts and backend.name == 'postgresql':
                    # Our snapshot is taken, then the other worker commits
                    Transaction().connection.cursor().execute('SELECT 1')
                    with Transaction().new_transaction() as other:
                        other.connection.cursor().execute(*table.update(
                                [table.attempts], [table.attempts],
                                where=table.id == first.id))
                        other.commit()
                try:
                    return claim(endpoint_ids, skipped)
                except backend.DatabaseOperationalError as exc:
                    conflicts.append(exc)
                    raise
            with patch.object(Outbox, '_claim', racing_claim):
                self.assertEqual(Outbox.process(endpoints=[endpoint]), 2)
            commit()
            self.assertEqual(len(conflicts),
                1 if backend.name == 'postgresql' else 0)
            self.assertEqual(
                {r.state for r in Outbox.search(
                        [('endpoint', '=', endpoint.id)])}, {'confirmed'})


del DBTestCase
