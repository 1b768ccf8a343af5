"""A pusher process killed mid-batch, then restarted: every movement applied once.

The kill is synchronised on the fake's commit hook, never on time: when the
fake commits the write that crosses the threshold, the hook SIGKILLs the child
from inside the request, before the answer is written — the worst moment (the
remote has the document, the pusher never hears of it).
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import unittest

from connectors.fakes import FakeKingdee, FakeSAP, FakeU8

from .helpers import batch, seed_stock

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "crash_pusher.py")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COUNT, KILL_AFTER = 60, 25


class CrashTest(unittest.TestCase):
    def run_child(self, system, kwargs, batch_file, hook=None):
        proc = subprocess.Popen([sys.executable, SCRIPT, system, json.dumps(kwargs), batch_file],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=ROOT, text=True)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        if hook is not None:
            hook["pid"] = proc.pid            # armed before the child may send anything
        out, err = proc.communicate("go\n", timeout=120)
        lines = [json.loads(line) for line in out.splitlines() if line.strip()]
        return proc.returncode, lines, err

    def crash_and_restart(self, fake, system, kwargs, write_ops, moves, deltas, expect_found):
        seed_stock(fake, deltas)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(moves, f)
        self.addCleanup(os.unlink, f.name)
        killed = threading.Event()
        state = {}

        def hook(op, key):
            if op in write_ops and fake.applied_total >= KILL_AFTER and not killed.is_set():
                os.kill(state["pid"], signal.SIGKILL)
                killed.set()
        fake.commit_hooks.append(hook)
        code, lines, err = self.run_child(system, kwargs, f.name, state)
        fake.commit_hooks.remove(hook)
        self.assertTrue(killed.is_set(), "the kill hook never fired: %s" % err[-500:])
        self.assertEqual(code, -signal.SIGKILL, err[-500:])
        self.assertLess(len(lines), expect_found)          # it died before reporting the last commit
        applied_at_kill = fake.applied_total

        code, lines, err = self.run_child(system, kwargs, f.name)
        self.assertEqual(code, 0, err[-2000:])
        self.assertEqual([line["key"] for line in lines], [m["key"] for m in moves])
        self.assertEqual(sum(line["already_existed"] for line in lines), expect_found)
        keys = {m["key"] for m in moves}
        self.assertEqual(dict(fake.applied_counts), {k: 1 for k in keys})
        self.assertEqual(fake.documents_per_key(), {k: 1 for k in keys})
        self.assertGreaterEqual(applied_at_kill, KILL_AFTER)
        with fake.lock:
            for key, delta in deltas.items():
                self.assertAlmostEqual(fake.stock.get(key[0], key[1], key[3], key[2]), 100000.0 + delta)

    def test_kingdee_killed_between_save_and_audit(self):
        with FakeKingdee(stock_rows=60) as fake:
            moves, deltas = batch(COUNT, "KDC", ("WH01", "WH02"))
            # Killed on the Save after KILL_AFTER audits: that bill exists unaudited (status A).
            self.crash_and_restart(fake, "kingdee", fake.client_kwargs(), {"Save"}, moves, deltas, KILL_AFTER + 1)
            self.assertEqual({b.status for b in fake.bills.by_id.values()}, {"C"})

    def test_yonyou_killed_after_voucher_added(self):
        with FakeU8(stock_rows=60) as fake:
            moves, deltas = batch(COUNT, "U8C", ("WH01", "WH02"))
            ops = {"purchasein/add", "transvouch/add", "materialout/add"}
            self.crash_and_restart(fake, "yonyou", fake.client_kwargs(), ops, moves, deltas, KILL_AFTER)

    def test_sap_killed_after_document_posted(self):
        with FakeSAP(stock_rows=60) as fake:
            moves, deltas = batch(COUNT, "SAPC", ("1010", "1020"), location="0001")
            self.crash_and_restart(fake, "sap", fake.client_kwargs(), {"odata.POST A_MaterialDocumentHeader"},
                                   moves, deltas, KILL_AFTER)
