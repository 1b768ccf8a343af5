"""The CLI end to end: serve-fake in a child process, test / pull / push against it."""
import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import unittest

from connectors.__main__ import main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class CliTest(unittest.TestCase):
    def run_main(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(argv))
        return code, out.getvalue(), err.getvalue()

    def test_serve_fake_then_test_pull_push(self):
        tmp = tempfile.mkdtemp()
        config = os.path.join(tmp, "u8.json")
        env = dict(os.environ, PYTHONPATH=ROOT)
        proc = subprocess.Popen([sys.executable, "-m", "connectors", "serve-fake", "yonyou", "--port", "0",
                                 "--stock-rows", "250", "--write-config", config],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        first = proc.stdout.readline()            # blocks until the fake listens
        self.assertIn("fake yonyou listening on http://127.0.0.1:", first)
        with open(config) as f:
            self.assertEqual(json.load(f)["app_key"], "fakekey")
        common = ("yonyou", "--config", config, "--set", "sync=true", "--no-progress")

        code, out, _ = self.run_main(*common, "test")
        self.assertEqual(code, 0)
        self.assertIn("token ok", out)

        rows_file = os.path.join(tmp, "rows.jsonl")
        code, _, err = self.run_main(*common, "pull-stock", "--out", rows_file)
        self.assertEqual(code, 0)
        with open(rows_file) as f:
            rows = [json.loads(line) for line in f]
        self.assertEqual(len(rows), 250)
        self.assertIn("250 stock row(s)", err)

        moves = os.path.join(tmp, "moves.jsonl")
        with open(moves, "w") as f:
            for key, product in (("CLI-1", "P000001"), ("CLI-2", "NOPE"), ("CLI-1", "P000001")):
                f.write(json.dumps({"key": key, "kind": "receipt", "date": "2025-03-01", "lines": [
                    {"product_code": product, "warehouse_code": "WH01", "quantity": 2}]}) + "\n")
        code, out, _ = self.run_main(*common, "push", "--file", moves)
        results = [json.loads(line) for line in out.splitlines()]
        self.assertEqual(code, 1)                                   # one movement was refused
        self.assertEqual([r["ok"] for r in results], [True, False, True])
        self.assertEqual(results[1]["code"], "50002")
        self.assertTrue(results[2]["already_existed"])

        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0)
        self.assertIn("applied: 1 movement(s)", err)

    def test_bad_settings_and_unreachable_remote(self):
        code, _, err = self.run_main("sap", "--url", "http://127.0.0.1:9/sap/opu/odata/sap/", "--set", "username=U",
                                     "--set", "password=P", "--set", "timeout=[0.5, 0.5]",
                                     "--attempts", "1", "test")
        self.assertEqual(code, 1)
        self.assertIn("cannot reach sap", err)
        with self.assertRaises(SystemExit) as cm:
            self.run_main("kingdee", "--url", "http://127.0.0.1:9/", "test")
        self.assertIn("cannot build the kingdee client", str(cm.exception))


class CheckCommandTest(unittest.TestCase):
    """``python -m connectors check SYSTEM``: read-only, says what works, what is missing, what it would post."""

    def run_check(self, system, fake_kwargs, *extra):
        tmp = tempfile.mkdtemp()
        config = os.path.join(tmp, "conn.json")
        with open(config, "w") as f:
            json.dump(fake_kwargs, f)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", system, "--config", config, "--attempts", "1"] + list(extra))
        return code, out.getvalue(), err.getvalue()

    def test_each_system(self):
        from connectors.fakes import FakeKingdee, FakeSAP, FakeU8
        writes = {"kingdee": ("Save", "Submit", "Audit"), "yonyou": ("/add",), "sap": ("POST", "PATCH")}
        for system, fake in (("kingdee", FakeKingdee(denied_forms=("PRD_PickMtrl",))), ("yonyou", FakeU8()),
                             ("sap", FakeSAP())):
            with self.subTest(system=system), fake:
                code, out, _ = self.run_check(system, fake.client_kwargs(), "--key", "TDEMO-123456789")
                self.assertIn("OK      logged in as", out)
                self.assertIn("would be posted as", out)
                self.assertIn("receipt", out)
                self.assertFalse([op for op in fake.request_counts if any(w in op for w in writes[system])])
                self.assertEqual(fake.applied_total, 0)
                if system == "kingdee":
                    self.assertEqual(code, 1)
                    self.assertIn("MISSING no access to PRD_PickMtrl", out)
                if system == "yonyou":
                    self.assertEqual(code, 1)             # delivery: no saleout/add
                    self.assertIn("MISSING delivery movements cannot be posted", out)
                if system == "sap":
                    self.assertIn("CHECK   delivery is not confirmed", out)
                    self.assertIn("keys such as TDEMO-123456789 (15 characters) fit MaterialDocumentHeaderText", out)
                for secret in (fake.client_kwargs().get("password"), fake.client_kwargs().get("app_secret")):
                    if secret:
                        self.assertNotIn(secret, out)

    def test_unreachable_system_is_reported_not_raised(self):
        code, out, err = self.run_check("sap", {"base_url": "http://127.0.0.1:9/sap/opu/odata/sap/",
                                                "username": "U", "password": "Pw-Not-Shown-1",
                                                "timeout": [0.5, 0.5]})
        self.assertEqual(code, 1)
        self.assertIn("MISSING login of U refused: cannot reach sap", out)
        self.assertNotIn("Pw-Not-Shown-1", out + err)
