"""Configuration checks before first use: what works, what is missing, what would be posted.

``client.check(...)`` (every client) runs READ-ONLY calls and returns a list of
``Finding``; ``python -m connectors check`` prints them and the erp_sync
``Test Connection`` button translates them (each ``code`` + ``status`` has an
``ir.message``; ``params`` fill it).  ``text`` is the English sentence.
"""
from dataclasses import dataclass, field

OK, MISSING, WARNING, INFO = "ok", "missing", "warning", "info"


@dataclass(frozen=True)
class Finding:
    status: str                 # ok | missing | warning | info
    code: str                   # login | service | key_length | unsupported_kind | unconfirmed | would_post
    text: str                   # English, for the CLI and logs
    params: dict = field(default_factory=dict, compare=False)

    @property
    def problem(self):
        return self.status in (MISSING, WARNING)


def login(ok, user, error=""):
    if ok:
        return Finding(OK, "login", "logged in as %s" % user, {"user": user})
    return Finding(MISSING, "login", "login of %s refused: %s" % (user, error), {"user": user, "error": error})


def service(name, error=None, kinds=""):
    if error is None:
        return Finding(OK, "service", "%s is readable" % name, {"service": name, "kinds": kinds})
    return Finding(MISSING, "service", "no access to %s: %s" % (name, error),
                   {"service": name, "error": error, "kinds": kinds})


def unverifiable(name, kinds):
    return Finding(INFO, "service_write", "%s cannot be checked without posting (used for %s)" % (name, kinds),
                   {"service": name, "kinds": kinds})


def key_length(key, field_name, limit):
    params = {"key": key, "length": len(key), "field": field_name, "limit": limit}
    if len(key) <= limit:
        return Finding(OK, "key_length", "keys such as %s (%d characters) fit %s (%d)" % (
            key, len(key), field_name, limit), params)
    return Finding(MISSING, "key_length", "keys such as %s have %d characters but %s holds %d: shorten the "
                   "key prefix" % (key, len(key), field_name, limit), params)


def unsupported(kind, reason):
    return Finding(MISSING, "unsupported_kind", "%s movements cannot be posted: %s" % (kind, reason),
                   {"kind": kind, "reason": reason})


def unconfirmed(what, detail):
    return Finding(WARNING, "unconfirmed", "%s is not confirmed by the vendor's documentation: %s" % (what, detail),
                   {"what": what, "detail": detail})


def would_post(kind, operation, body):
    return Finding(INFO, "would_post", "%s would be posted as %s" % (kind, operation),
                   {"kind": kind, "operation": operation, "body": body})


def safe(fn, *args, **kw):
    """Run one read-only probe; -> (result, None) or (None, error text)."""
    from .errors import ConnectorError
    try:
        return fn(*args, **kw), None
    except ConnectorError as exc:
        return None, exc.message


def sample_movement(kind, key, warehouse, location="", product="", to_warehouse="", to_location=""):
    """The movement a check previews for ``kind`` (one line of quantity 1)."""
    line = {"product_code": product or "SAMPLE-MATERIAL", "warehouse_code": warehouse, "location_code": location,
            "quantity": 1}
    if kind == "transfer":
        line["to_warehouse_code"] = to_warehouse or warehouse
        line["to_location_code"] = to_location or location
    return {"key": key, "kind": kind, "date": "2026-01-02", "lines": [line]}
