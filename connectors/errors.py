"""Structured connector errors.

Every error has a stable ``code`` (for the outbox, logs and the HTTP API) and a
message written for a person.  ``retryable`` tells the retry policy in
``base.py`` whether trying again later may help; the policy never looks at
anything else.
"""


class ConnectorError(Exception):
    """Root of every error raised by a connector client."""

    code = "connector_error"
    retryable = False

    def __init__(self, message, *, system=None, code=None, details=None):
        super().__init__(message)
        self.message = message
        self.system = system
        if code is not None:
            self.code = code
        self.details = details or {}

    def __str__(self):
        prefix = "[%s] " % self.system if self.system else ""
        return "%s%s (%s)" % (prefix, self.message, self.code)


class InvalidMovement(ConnectorError, ValueError):
    """The movement dict handed to ``post_movement`` cannot be posted as is."""

    code = "invalid_movement"


class TransportError(ConnectorError):
    """The request may not have reached the remote, or its answer was lost."""

    code = "transport_error"
    retryable = True


class RequestTimeout(TransportError):
    code = "timeout"


class ServerError(TransportError):
    """HTTP 5xx (or a vendor's equivalent): the remote failed, try later."""

    code = "server_error"

    def __init__(self, message, *, status=None, **kw):
        super().__init__(message, **kw)
        self.status = status


class MalformedResponse(TransportError):
    """The remote answered, but the body cannot be parsed."""

    code = "malformed_response"


class RateLimited(TransportError):
    """HTTP 429 or a vendor 'call limit' code; ``retry_after`` in seconds if known."""

    code = "rate_limited"

    def __init__(self, message, *, retry_after=None, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class AuthError(ConnectorError):
    """Credentials refused or permission missing: a person must fix the setup."""

    code = "auth_failed"


class SessionExpired(AuthError):
    """The session/token is no longer valid: log in again and replay once.

    Retryable because a fresh login normally fixes it; ``base.BaseClient.call``
    re-logs in before the first replay, and turns a second one into a plain
    ``AuthError`` (Kingdee answers "session lost" for bad credentials too: a
    loop of re-logins would never end).
    """

    code = "session_expired"
    retryable = True


class BusinessError(ConnectorError):
    """The remote understood the request and refused it (never retried).

    ``code`` is the remote's own code (Kingdee MsgCode, U8 errcode, SAP message
    id such as ``M7/021``) so callers can match on it.
    """

    code = "business_error"

    def __init__(self, code, message, system, *, details=None):
        super().__init__(message, system=system, code=str(code), details=details)


class RemoteBusy(TransportError):
    """The remote refused for a passing reason: a lock held by a user, its proxy
    (U8 EAI client) down, its database busy.  Nothing was applied; try later."""

    code = "remote_busy"


class UnsupportedKind(ConnectorError):
    """This system has no confirmed way to post this movement kind (configure one)."""

    code = "unsupported_kind"


def from_class(cls, system, code, message, *, details=None):
    """The error for one vendor answer of class ``cls`` (see ``error_table``)."""
    from .error_table import AUTH, RELOGIN, RETRYABLE
    if cls == RELOGIN:
        return SessionExpired(message, system=system, details=details)
    if cls == AUTH:
        return AuthError(message, system=system, details=dict(details or {}, remote_code=str(code)))
    if cls == RETRYABLE:
        return RemoteBusy(message, system=system, details=dict(details or {}, remote_code=str(code)))
    return BusinessError(code, message, system, details=details)
