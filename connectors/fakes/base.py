"""Loopback HTTP harness shared by the fake ERPs.

A fake is a ``FakeServer`` subclass that maps a request to an operation
(``route``).  This module adds what every fake needs: a ThreadingHTTPServer on
127.0.0.1 (port 0 → a free port), one lock around business state, fault
injection with a seeded RNG, per-key apply counters and commit hooks that tests
use to synchronise (never sleeps).

Fault kinds (``FAULT_KINDS``):
  server_error      HTTP 500, nothing applied
  rate_limit        the vendor's "too many calls" answer, nothing applied
  expire            sessions/tokens/CSRF tokens are invalidated, then the call runs
  timeout           the call is APPLIED, then the answer is held for ``hold_seconds``
                    (longer than the client's read timeout) and the connection dropped
  malformed         the call is APPLIED, the body is cut in half
  commit_then_fail  the call is APPLIED, then HTTP 500 is returned
  duplicate         the call is delivered twice (an at-least-once gateway) and the
                    second answer returned; only on operations the fake marks
                    ``dup_safe`` (where the real remote has a uniqueness guard)
"""
import collections
import http.cookies
import http.server
import json
import random
import sys
import threading
import urllib.parse

FAULT_KINDS = ("server_error", "rate_limit", "expire", "timeout", "malformed",
               "commit_then_fail", "duplicate")


class Request:
    __slots__ = ("method", "path", "query", "headers", "body", "cookies", "fake")

    def __init__(self, method, path, query, headers, body, cookies, fake):
        self.method, self.path, self.query = method, path, query
        self.headers, self.body, self.cookies, self.fake = headers, body, cookies, fake

    def json(self):
        return json.loads(self.body.decode("utf-8") or "{}")


class Response:
    __slots__ = ("status", "body", "headers")

    def __init__(self, status=200, body=b"", headers=None, content_type="application/json; charset=utf-8"):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.headers = list(headers or [])
        if content_type and not any(k.lower() == "content-type" for k, _ in self.headers):
            self.headers.append(("Content-Type", content_type))


def json_response(obj, status=200, headers=None):
    return Response(status, json.dumps(obj, ensure_ascii=False, separators=(",", ":")), headers)


class Route:
    """What ``FakeServer.route`` returns: an operation name, a callable, and
    whether a duplicated delivery is harmless on the real remote."""
    __slots__ = ("op", "fn", "dup_safe")

    def __init__(self, op, fn, dup_safe=True):
        self.op, self.fn, self.dup_safe = op, fn, dup_safe


class FaultInjector:
    """Decides, per request, whether and which fault to inject.

    ``rate`` is the probability that a call is faulted; ``kinds`` maps kind →
    weight.  ``push`` queues deterministic faults for contract tests.
    """

    def __init__(self, seed=0, rate=0.0, kinds=None, ops=None):
        self._lock = threading.Lock()
        self.rng = random.Random(seed)
        self.queue = collections.deque()
        self.fired = collections.Counter()
        self.configure(rate=rate, kinds=kinds, ops=ops)

    def configure(self, rate=None, kinds=None, ops=None, seed=None):
        with self._lock:
            if seed is not None:
                self.rng.seed(seed)
            if rate is not None:
                self.rate = float(rate)
            if kinds is not None or not hasattr(self, "kinds"):
                kinds = kinds or FAULT_KINDS
                if not isinstance(kinds, dict):
                    kinds = {k: 1.0 for k in kinds}
                unknown = set(kinds) - set(FAULT_KINDS)
                if unknown:
                    raise ValueError("unknown fault kinds %s; known: %s" % (sorted(unknown), FAULT_KINDS))
                self.kinds = dict(kinds)
            if ops is not None or not hasattr(self, "ops"):
                self.ops = ops   # None = every op; else a collection of op-name substrings

    def push(self, kind, match="", times=1):
        """Force ``kind`` on the next ``times`` calls whose op name contains ``match``."""
        if kind not in FAULT_KINDS:
            raise ValueError("unknown fault kind %r" % kind)
        with self._lock:
            for _ in range(times):
                self.queue.append((kind, match))

    def clear(self):
        with self._lock:
            self.queue.clear()
            self.rate = 0.0

    def pick(self, op):
        with self._lock:
            for i, (kind, match) in enumerate(self.queue):
                if match in op:
                    del self.queue[i]
                    return kind
            if self.rate <= 0 or (self.ops is not None and not any(m in op for m in self.ops)):
                return None
            if self.rng.random() >= self.rate:
                return None
            kinds = list(self.kinds)
            return self.rng.choices(kinds, weights=[self.kinds[k] for k in kinds])[0]

    def record(self, kind):
        with self._lock:
            self.fired[kind] += 1


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive: one TCP connection per client session
    disable_nagle_algorithm = True   # headers and body are two writes: avoid the 40 ms delayed-ACK stall

    def log_message(self, fmt, *args):   # quiet: tests and benches read stdout
        pass

    def _dispatch(self):
        fake = self.server.fake
        parsed = urllib.parse.urlsplit(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(parsed.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        cookies = {}
        if self.headers.get("Cookie"):
            jar = http.cookies.SimpleCookie()
            try:
                jar.load(self.headers["Cookie"])
            except http.cookies.CookieError:
                pass
            cookies = {k: m.value for k, m in jar.items()}
        req = Request(self.command, urllib.parse.unquote(parsed.path), query, self.headers, body, cookies, fake)
        resp = fake.handle(req)
        if resp is None:          # "timeout": drop the connection without an answer
            self.close_connection = True
            return
        try:
            self.send_response(resp.status)
            for name, value in resp.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True   # the client went away (killed, timed out)

    do_GET = do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = do_MERGE = _dispatch


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 64

    def handle_error(self, request, client_address):
        # A client that timed out or was killed resets its connection: expected here.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


class FakeServer:
    """Base of every fake: lifecycle, fault injection and counters."""

    system = "fake"

    def __init__(self, *, seed=0, fault_rate=0.0, fault_kinds=None, hold_seconds=2.0,
                 host="127.0.0.1", port=0):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("fakes only listen on loopback, not %r" % host)
        self.host, self.port = host, port
        self.lock = threading.RLock()            # serialises all business state
        self.faults = FaultInjector(seed=seed, rate=fault_rate, kinds=fault_kinds)
        self.hold_seconds = hold_seconds
        self.applied_counts = collections.Counter()   # external key -> times its stock effect was applied
        self.request_counts = collections.Counter()   # op -> calls received
        self.commit_hooks = []                   # fn(op, key) after each committed write
        self._applied_cond = threading.Condition()
        self._closing = threading.Event()
        self._httpd = None
        self._thread = None

    # -- lifecycle -------------------------------------------------------------
    def start(self):
        self._closing.clear()
        self._httpd = _HTTPServer((self.host, self.port), _Handler)
        self._httpd.fake = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name="%s-fake" % self.system,
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._closing.set()             # releases held "timeout" answers at once
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(5)
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def root_url(self):
        return "http://%s:%d" % (self.host, self.port)

    # -- subclass API ----------------------------------------------------------
    def route(self, req):
        """Return a ``Route`` for the request, or a ``Response`` (e.g. 404)."""
        raise NotImplementedError

    def expire_auth(self):
        """Invalidate every session/token (fault 'expire' and tests)."""

    def fresh_auth(self, req):
        """True when ``req`` carries a session/token not used before (see ``handle``)."""
        return False

    def rate_limited_response(self, req):
        return Response(429, b"Too Many Requests", [("Retry-After", "0")], "text/plain")

    def server_error_response(self, req):
        return Response(500, b"Internal Server Error", content_type="text/plain")

    # -- counters --------------------------------------------------------------
    @property
    def applied_total(self):
        return sum(self.applied_counts.values())

    def record_apply(self, key):
        """Called by subclasses, under ``self.lock``, when a key's stock effect is applied."""
        with self._applied_cond:
            self.applied_counts[key] += 1
            self._applied_cond.notify_all()

    def committed(self, op, key):
        """Called by subclasses after any committed write (before the answer is sent)."""
        for hook in list(self.commit_hooks):
            hook(op, key)

    def wait_for_applies(self, count, timeout=30.0):
        """Block until ``applied_total >= count``; a safety net, returns False on timeout."""
        with self._applied_cond:
            return self._applied_cond.wait_for(lambda: self.applied_total >= count, timeout)

    # -- dispatch --------------------------------------------------------------
    def _run(self, route, req):
        with self.lock:
            return route.fn(req)

    def handle(self, req):
        route = self.route(req)
        if isinstance(route, Response):
            return route
        with self.lock:
            self.request_counts[route.op] += 1
        kind = self.faults.pick(route.op)
        if kind == "duplicate" and not route.dup_safe:
            kind = None
        if kind == "expire" and self.fresh_auth(req):
            # A session/token used for the first time is never expired at once: on the
            # real systems a refusal right after a new login means bad credentials
            # (Kingdee MsgCode 1), and the clients stop on it.
            kind = None
        if kind:
            self.faults.record(kind)
        if kind == "server_error":
            return self.server_error_response(req)
        if kind == "rate_limit":
            return self.rate_limited_response(req)
        if kind == "expire":
            with self.lock:
                self.expire_auth()
        resp = self._run(route, req)
        if kind == "duplicate":
            resp = self._run(route, req)
        elif kind == "commit_then_fail":
            resp = self.server_error_response(req)
        elif kind == "malformed":
            resp = Response(resp.status, resp.body[: max(1, len(resp.body) // 2)], resp.headers)
        elif kind == "timeout":
            self._closing.wait(self.hold_seconds)
            return None
        return resp
