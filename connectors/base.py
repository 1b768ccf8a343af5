"""One session and retry policy for every client.

* timeouts on every request (connect, read);
* exponential backoff with full jitter on retryable errors only: 5xx,
  timeouts, connection errors, 429 / vendor call limits, malformed bodies
  (see ``errors.py``: ``retryable``).  4xx business errors are never retried;
* on ``SessionExpired`` the client logs in again once and replays the call:
  safe even for writes, because the remote refused the call before doing
  anything;
* the sleep function and the RNG are injectable so tests never really wait.

Non-idempotent writes are sent with ``replay=False``: a timeout or 5xx on
them is ambiguous (the remote may have committed), so instead of resending
blindly the client's ``post_movement`` looks the document up by our key and
only then decides (see each client).
"""
import email.utils
import functools
import inspect
import json
import random
import time
from collections import Counter

import requests

from . import redact as _redact
from .errors import (AuthError, ConnectorError, MalformedResponse, RateLimited,
                     RequestTimeout, ServerError, SessionExpired, TransportError)

# Public methods whose errors leave the client: their texts are redacted on the way out.
GUARDED = ("post_movement", "test_connection", "check", "preview", "login", "iter_stock", "iter_materials")

DEFAULT_TIMEOUT = (5.0, 60.0)   # (connect, read) seconds; the Kingdee SDK uses 120 s for both


class RetryPolicy:
    """How many attempts and how long to wait between them.

    Delay for attempt n (0-based) is uniform in [0, min(max_delay, base_delay * 2**n)]
    ("full jitter"), raised to the server's Retry-After when it sent one.
    """

    def __init__(self, attempts=5, base_delay=0.5, max_delay=30.0, sleep=time.sleep, seed=None):
        if attempts < 1:
            raise ValueError("attempts must be >= 1")
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.sleep = sleep
        self.rng = random.Random(seed)

    @classmethod
    def no_wait(cls, attempts=5, seed=0):
        """For tests and the fakes' demos: same decisions, zero waiting."""
        return cls(attempts=attempts, base_delay=0.0, max_delay=0.0, sleep=lambda s: None, seed=seed)

    def delay(self, attempt, error=None):
        cap = min(self.max_delay, self.base_delay * (2 ** attempt))
        delay = self.rng.uniform(0, cap) if cap > 0 else 0.0
        retry_after = getattr(error, "retry_after", None)
        if retry_after:
            delay = max(delay, min(float(retry_after), self.max_delay))
        return delay

    def pause(self, attempt, error=None):
        self.sleep(self.delay(attempt, error))


def parse_retry_after(value):
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def scrub(exc, secrets=()):
    """Redact a ConnectorError in place and cut its cause chain (the cause is a
    requests/zeep exception quoting the full URL, with U8's token in it)."""
    exc.message = _redact.redact(exc.message, secrets)
    exc.args = (exc.message,)
    exc.details = _redact.redact_obj(exc.details, secrets)
    exc.__cause__ = exc.__context__ = None
    exc.__suppress_context__ = True
    return exc


def _guard(fn):
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def gen(self, *args, **kw):
            try:
                yield from fn(self, *args, **kw)
            except ConnectorError as exc:
                raise scrub(exc, self.secrets()) from None
        return gen

    @functools.wraps(fn)
    def wrapper(self, *args, **kw):
        try:
            return fn(self, *args, **kw)
        except ConnectorError as exc:
            raise scrub(exc, self.secrets()) from None
    return wrapper


class BaseClient:
    """Shared HTTP plumbing; subclasses implement ``login`` (may be a no-op)."""

    system = "base"

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        for name in GUARDED:
            fn = cls.__dict__.get(name)
            if fn is not None and not getattr(fn, "_guarded", False):
                wrapped = _guard(fn)
                wrapped._guarded = True
                setattr(cls, name, wrapped)

    def __init__(self, base_url, *, timeout=DEFAULT_TIMEOUT, retry=None, session=None, verify=True):
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = tuple(timeout) if isinstance(timeout, (tuple, list)) else (timeout, timeout)
        self.retry = retry or RetryPolicy()
        self.session = session or requests.Session()
        self.session.verify = verify
        self.logged_in = False
        self.stats = Counter()   # logins, retries, relogins...: read by tests and the CLI
        _redact.install_log_filter()

    def secrets(self):
        """Values that must never appear in a text: credentials, tokens, session ids."""
        return [v for v in self._secret_values() if isinstance(v, str) and v]

    def _secret_values(self):
        return []

    def remember_secrets(self):
        """Register the current secret values for the log filter (call after login too)."""
        _redact.register(*self.secrets())

    # -- to override -------------------------------------------------------
    def login(self):
        self.logged_in = True

    # -- retry loop ----------------------------------------------------------
    def ensure_login(self):
        if not self.logged_in:
            self.call(self.login, login=True)

    def call(self, fn, *, replay=True, login=False):
        """Run ``fn()`` under the retry policy.

        replay=False: a retryable error is raised at once (the caller decides,
        see module doc) — except SessionExpired, which always re-logs in and
        replays once since the remote refused before applying.
        """
        if not login:
            self.ensure_login()
        relogged = False
        attempt = 0
        while True:
            try:
                return fn()
            except SessionExpired as exc:
                if login:
                    raise AuthError("login answered 'session lost': %s" % exc.message,
                                    system=self.system) from None
                if relogged:
                    # A fresh session was refused at once: credentials or rights, not
                    # expiry (Kingdee MsgCode 1).  Stop; a person must fix the setup.
                    raise AuthError("%s refused the call again right after a new login: %s "
                                    "(check the user, its rights and the application's "
                                    "authorisation)" % (self.system, exc.message),
                                    system=self.system, code="auth_failed") from None
                # Re-login once and replay immediately (no backoff).
                self.stats["relogins"] += 1
                self.logged_in = False
                self.call(self.login, login=True)
                relogged = True
                continue
            except ConnectorError as exc:
                error = exc
                relogged = False     # only "session lost" right after a new login means auth
            if not error.retryable or (not replay and not isinstance(error, SessionExpired)):
                raise error
            attempt += 1
            if attempt >= self.retry.attempts:
                error.attempts = attempt
                raise error
            self.stats["retries"] += 1
            self.stats["retry_" + error.code] += 1
            self.retry.pause(attempt - 1, error)

    def backoff_or_raise(self, exc, attempt):
        """For ``post_movement`` loops: wait before the next look-up, or give up."""
        if not exc.retryable:
            raise scrub(exc, self.secrets()) from None
        attempt += 1
        if attempt >= self.retry.attempts:
            raise scrub(exc, self.secrets()) from None
        self.stats["movement_retries"] += 1
        self.retry.pause(attempt - 1, exc)
        return attempt

    # -- HTTP ------------------------------------------------------------------
    def http(self, method, url, **kw):
        """Send one request; map transport failures, 5xx and 429 to our errors.

        Other 4xx are returned to the caller, which knows the vendor's error body.
        """
        kw.setdefault("timeout", self.timeout)
        self.stats["requests"] += 1
        try:
            resp = self.session.request(method, url, **kw)
        except requests.Timeout:
            raise RequestTimeout("no answer from %s within %.1f s (%s %s)"
                                 % (self.system, self.timeout[1], method, _short(url)),
                                 system=self.system) from None
        except requests.RequestException as exc:
            # The exception text quotes the URL with its query (U8: the token): redact,
            # and drop the cause so no traceback carries it either.
            raise TransportError("cannot reach %s at %s: %s"
                                 % (self.system, _short(url), _redact.redact(_reason(exc), self.secrets())),
                                 system=self.system) from None
        if resp.status_code == 429:
            raise RateLimited("%s says too many requests (HTTP 429) for %s" % (self.system, _short(url)),
                              retry_after=parse_retry_after(resp.headers.get("Retry-After")),
                              system=self.system)
        if resp.status_code >= 500:
            raise ServerError("%s failed with HTTP %d on %s %s: %s"
                              % (self.system, resp.status_code, method, _short(url), _snippet(resp.text)),
                              status=resp.status_code, system=self.system)
        return resp

    def parse_json(self, resp, what):
        try:
            return json.loads(resp.content)
        except ValueError as exc:
            raise MalformedResponse("%s sent a body that is not valid JSON for %s: %s"
                                    % (self.system, what, _snippet(resp.text)),
                                    system=self.system) from exc

    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _short(url):
    return url.split("?", 1)[0]


def _reason(exc):
    """The useful part of a requests error ("Connection refused"), without the URL."""
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out", "No route to host",
                   "Connection reset", "certificate verify failed", "Failed to resolve"):
        if marker in text:
            return marker
    return type(exc).__name__ + ": " + _short(text)


def _snippet(text, size=200):
    text = (text or "").strip().replace("\n", " ")
    return text[:size] + ("…" if len(text) > size else "")
