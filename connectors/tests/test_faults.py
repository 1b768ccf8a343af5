"""1,000 goods movements through post_movement while 20% of all calls fail.

The fakes answer from the vendor samples (fakes/samples.py), so this runs
against the real reply shapes.

Faults are drawn by the fake's seeded RNG over every request (logins, look-ups,
writes, polls).  Movements whose retries run out are pushed again, as the
outbox's next run would.  The fake's counters must then show every movement
applied exactly once, one remote document per key, and the exact stock.
"""
import unittest

from connectors.errors import ConnectorError
from connectors.fakes import FakeKingdee, FakeSAP, FakeU8
from connectors.kingdee import KingdeeClient
from connectors.sap_odata import SapODataClient
from connectors.yonyou import YonyouU8Client

from .helpers import HOLD, TIMEOUT, batch, no_wait, seed_stock, session

COUNT = 1000
RATE = 0.2
# Every kind appears; "timeout" costs the 0.2 s client timeout each, so it is drawn less often.
WEIGHTS = {"server_error": 2, "rate_limit": 1, "expire": 2, "timeout": 0.15, "malformed": 2,
           "commit_then_fail": 3, "duplicate": 2}
SEED = 20250301


class FaultTest(unittest.TestCase):
    def push_all(self, fake, client, moves, deltas):
        seed_stock(fake, deltas)
        fake.faults.configure(rate=RATE, kinds=WEIGHTS, seed=SEED)
        pending, rounds = list(moves), 0
        while pending and rounds < 5:
            rounds += 1
            left = []
            for m in pending:
                try:
                    client.post_movement(m)
                except ConnectorError as exc:
                    if not exc.retryable:
                        raise AssertionError("movement %s refused: %s" % (m["key"], exc))
                    left.append(m)
            pending = left
        fake.faults.configure(rate=0.0)
        self.assertEqual(pending, [], "movements still failing after 5 rounds")
        keys = {m["key"] for m in moves}
        fired, requests = sum(fake.faults.fired.values()), sum(fake.request_counts.values())
        self.assertGreater(fired / requests, RATE * 0.8, "faults were not really injected")
        self.assertEqual(set(fake.faults.fired), set(WEIGHTS))     # every kind happened
        self.assertEqual(dict(fake.applied_counts), {k: 1 for k in keys})
        self.assertEqual(fake.documents_per_key(), {k: 1 for k in keys})
        with fake.lock:
            for key, delta in deltas.items():
                self.assertAlmostEqual(fake.stock.get(key[0], key[1], key[3], key[2]), 100000.0 + delta, places=6,
                                       msg="stock of %s" % (key,))
        return fired, requests

    def test_kingdee(self):
        with FakeKingdee(stock_rows=60, hold_seconds=HOLD) as fake:
            client = KingdeeClient(**fake.client_kwargs(), retry=no_wait(10), timeout=TIMEOUT, session=session())
            moves, deltas = batch(COUNT, "KD", ("WH01", "WH02"))
            self.push_all(fake, client, moves, deltas)

    def test_yonyou(self):
        with FakeU8(stock_rows=60, hold_seconds=HOLD, async_polls=1) as fake:
            client = YonyouU8Client(**fake.client_kwargs(), retry=no_wait(10), timeout=TIMEOUT, session=session())
            moves, deltas = batch(COUNT, "U8", ("WH01", "WH02"))
            self.push_all(fake, client, moves, deltas)

    def test_sap_odata(self):
        with FakeSAP(stock_rows=60, hold_seconds=HOLD) as fake:
            client = SapODataClient(**fake.client_kwargs(), retry=no_wait(10), timeout=TIMEOUT, session=session())
            # Counts too: they go through physical-inventory documents (701/702).
            moves, deltas = batch(COUNT, "SAP", ("1010", "1020"), location="0001", counts=True)
            self.push_all(fake, client, moves, deltas)
