"""Retry policy and BaseClient plumbing, against a real loopback fake."""
import socket
import unittest

from connectors.base import BaseClient, RetryPolicy, parse_retry_after
from connectors.errors import (AuthError, BusinessError, RateLimited, RequestTimeout, ServerError,
                               SessionExpired, TransportError)
from connectors.fakes.base import FakeServer, Route, json_response

from .helpers import HOLD, TIMEOUT, no_wait, session


class EchoFake(FakeServer):
    """A minimal fake: GET /echo answers {"ok": true}."""

    def route(self, req):
        return Route("echo", lambda r: json_response({"ok": True}))


class ScriptedClient(BaseClient):
    """A concrete client whose login is counted (BaseClient's is a no-op)."""

    system = "scripted"

    def login(self):
        self.stats["logins"] += 1
        self.logged_in = True


class RetryPolicyTest(unittest.TestCase):
    def test_full_jitter_bounds_and_retry_after(self):
        p = RetryPolicy(attempts=5, base_delay=1.0, max_delay=10.0, seed=3)
        for attempt in range(6):
            d = p.delay(attempt)
            self.assertGreaterEqual(d, 0)
            self.assertLessEqual(d, min(10.0, 2 ** attempt))
        self.assertGreaterEqual(p.delay(0, RateLimited("x", retry_after=7)), 7)
        self.assertLessEqual(p.delay(0, RateLimited("x", retry_after=99)), 10.0)
        self.assertEqual(parse_retry_after("3"), 3.0)
        self.assertIsNone(parse_retry_after(None))

    def test_call_retries_retryable_only(self):
        sleeps = []
        c = ScriptedClient("http://127.0.0.1:9/", retry=no_wait(4, sleeps))
        seq = [ServerError("boom"), RequestTimeout("slow"), "done"]

        def fn():
            item = seq.pop(0)
            if isinstance(item, Exception):
                raise item
            return item
        self.assertEqual(c.call(fn), "done")
        self.assertEqual(len(sleeps), 2)
        self.assertEqual(c.stats["retries"], 2)

        calls = []

        def refused():
            calls.append(1)
            raise BusinessError("11", "no", "scripted")
        with self.assertRaises(BusinessError):
            c.call(refused)
        self.assertEqual(len(calls), 1)

    def test_call_gives_up_after_attempts(self):
        c = ScriptedClient("http://127.0.0.1:9/", retry=no_wait(3))
        calls = []

        def fail():
            calls.append(1)
            raise ServerError("down")
        with self.assertRaises(ServerError) as cm:
            c.call(fail)
        self.assertEqual(len(calls), 3)
        self.assertEqual(cm.exception.attempts, 3)

    def test_no_replay_for_writes_but_relogin_once(self):
        c = ScriptedClient("http://127.0.0.1:9/", retry=no_wait(5))
        calls = []

        def write():
            calls.append(1)
            raise ServerError("maybe committed")
        with self.assertRaises(ServerError):
            c.call(write, replay=False)
        self.assertEqual(len(calls), 1)

        seq = [SessionExpired("lost"), "ok"]

        def expiring():
            item = seq.pop(0)
            if isinstance(item, Exception):
                raise item
            return item
        self.assertEqual(c.call(expiring, replay=False), "ok")
        self.assertEqual(c.stats["relogins"], 1)
        self.assertEqual(c.stats["logins"], 2)

    def test_login_failure_is_not_retried(self):
        class Refused(ScriptedClient):
            def login(self):
                self.stats["logins"] += 1
                raise AuthError("bad password")
        c = Refused("http://127.0.0.1:9/", retry=no_wait(5))
        with self.assertRaises(AuthError):
            c.call(lambda: "never")
        self.assertEqual(c.stats["logins"], 1)


class HttpMappingTest(unittest.TestCase):
    def test_connection_refused_is_transport_error(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()           # nothing listens there now
        c = ScriptedClient("http://127.0.0.1:%d/" % port, retry=no_wait(2), timeout=TIMEOUT, session=session())
        with self.assertRaises(TransportError) as cm:
            c.http("GET", c.base_url + "echo")
        self.assertTrue(cm.exception.retryable)
        self.assertIn("cannot reach", cm.exception.message)

    def test_fault_kinds_map_to_errors(self):
        with EchoFake(hold_seconds=HOLD) as fake:
            c = ScriptedClient(fake.root_url, retry=no_wait(2), timeout=TIMEOUT, session=session())
            url = fake.root_url + "/echo"
            for kind, error in (("server_error", ServerError), ("rate_limit", RateLimited),
                                ("timeout", RequestTimeout)):
                fake.faults.push(kind)
                with self.subTest(kind=kind), self.assertRaises(error):
                    c.http("GET", url)
            fake.faults.push("malformed")
            with self.assertRaises(TransportError) as cm:
                c.parse_json(c.http("GET", url), "echo")
            self.assertEqual(cm.exception.code, "malformed_response")
            self.assertEqual(c.parse_json(c.http("GET", url), "echo"), {"ok": True})
            self.assertEqual(dict(fake.faults.fired), {"server_error": 1, "rate_limit": 1, "timeout": 1,
                                                        "malformed": 1})

    def test_fakes_refuse_non_loopback(self):
        with self.assertRaises(ValueError):
            EchoFake(host="0.0.0.0")
