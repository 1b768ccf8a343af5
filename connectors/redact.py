"""Keep credentials out of every text we store, show or log.

Secrets reach texts in three ways, each closed here:

* known values: a password, an app secret, a token or a session id a client
  holds.  Clients ``register`` them; ``redact`` replaces every registered value
  (and any value passed in) by ``***``;
* URLs: U8 puts ``token`` (and ``app_secret`` when asking for one) in the query
  string (vendor_samples/yonyou/currentstock_batch_get_request.txt), and
  ``requests`` exception texts quote the whole URL.  Parameters whose name
  says secret are masked whatever their value;
* logs: urllib3 logs request lines with their query at DEBUG.  ``LogFilter`` is
  put on the HTTP libraries' loggers (``install_log_filter``) and redacts each
  record before any handler sees it.
"""
import collections
import logging
import re
import threading

MASK = "***"
# Query/JSON/header names whose value is a secret (lower case, compared lower case).
SECRET_NAMES = ("app_secret", "appsecret", "appsec", "secret", "password", "pwd", "passwd", "token",
                "access_token", "sign", "signature", "x-kd-signature", "x-api-signature", "x-csrf-token",
                "kdservice-sessionid", "sid", "sessionid", "authorization")
_NAMES = "|".join(sorted((re.escape(n) for n in SECRET_NAMES), key=len, reverse=True))
# name=value in URLs and form bodies; "name": "value" in JSON; name: value in headers/reprs
_PATTERNS = (
    re.compile(r"(?i)(?<![\w-])(%s)=([^&\s'\"<>#]+)" % _NAMES),
    re.compile(r"(?i)([\"'](?:%s)[\"']\s*:\s*[\"'])([^\"']+)" % _NAMES),
    re.compile(r"(?i)(?<![\w-])(authorization[\"']?\s*[:=]\s*[\"']?(?:basic|bearer|session)\s+)([\w+/=.:-]+)"),
)
_MIN_LEN = 4          # shorter "secrets" (test dummies such as "x") would mask ordinary words
_MAX_KNOWN = 512

_known = collections.OrderedDict()
_lock = threading.Lock()


def register(*values):
    """Remember secret values (credentials, tokens, session ids) to mask everywhere."""
    with _lock:
        for value in values:
            if isinstance(value, str) and len(value) >= _MIN_LEN:
                _known[value] = None
                _known.move_to_end(value)
        while len(_known) > _MAX_KNOWN:       # tokens rotate: keep the recent ones
            _known.popitem(last=False)


def redact(text, secrets=()):
    """``text`` with every known or given secret and every secret-named parameter masked."""
    if text is None:
        return None
    text = str(text)
    with _lock:
        values = list(_known)
    values.extend(s for s in secrets if isinstance(s, str) and len(s) >= _MIN_LEN)
    # Longest first, so a secret containing another is masked whole.
    for value in sorted(set(values), key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    text = _PATTERNS[0].sub(lambda m: "%s=%s" % (m.group(1), MASK), text)
    text = _PATTERNS[1].sub(lambda m: m.group(1) + MASK, text)
    text = _PATTERNS[2].sub(lambda m: m.group(1) + MASK, text)
    return text


def redact_obj(value, secrets=()):
    """Redact every string inside a JSON-like structure (error details)."""
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {k: (MASK if str(k).lower() in SECRET_NAMES else redact_obj(v, secrets)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_obj(v, secrets) for v in value]
    return value


class LogFilter(logging.Filter):
    """Redacts a record's message (args merged) in place; never drops a record."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:           # a broken format string is not ours to fix
            return True
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


LOGGERS = ("urllib3.connectionpool", "urllib3", "requests", "zeep.transports", "connectors")
_filter = LogFilter()


def install_log_filter(names=LOGGERS):
    """Put the redacting filter on the loggers of the HTTP libraries (idempotent)."""
    for name in names:
        logger = logging.getLogger(name)
        if _filter not in logger.filters:
            logger.addFilter(_filter)
