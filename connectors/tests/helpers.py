"""Shared test helpers: fast retry policies, movement builders, a stock ledger."""
import collections
import datetime

import requests

from connectors.base import RetryPolicy

# Short read timeout so "timeout" faults (held answers) cost 0.2 s, never a real wait.
TIMEOUT = (2.0, 0.2)
HOLD = 1.0        # how long a fake holds a "timeout" answer: longer than TIMEOUT[1]


def session():
    """A requests session that ignores *_PROXY variables: loopback traffic must never
    be sent to a proxy (and skipping the environment scan saves ~0.3 ms a call)."""
    s = requests.Session()
    s.trust_env = False
    return s


def no_wait(attempts=6, sleeps=None):
    """A retry policy that records its delays instead of sleeping."""
    policy = RetryPolicy(attempts=attempts, base_delay=0.5, max_delay=8.0, seed=1,
                         sleep=(sleeps.append if sleeps is not None else (lambda s: None)))
    return policy


def mv(key, kind="receipt", lines=None, **line):
    """A movement dict; ``line`` fields build a single line when ``lines`` is None."""
    if lines is None:
        base = {"product_code": "P000001", "warehouse_code": "WH01", "quantity": 5, "lot": "L01"}
        base.update(line)
        lines = [base]
    return {"key": key, "kind": kind, "date": datetime.date(2025, 3, 1).isoformat(), "lines": lines}


def batch(count, prefix, warehouses, *, location="", to_location="", products=20, with_lots=True, counts=False):
    """``count`` movements cycling receipt / transfer / issue (and count gain / loss) over a few products.

    Returns (movements, expected deltas {(product, warehouse, location, lot): qty})."""
    kinds = ("receipt", "transfer", "issue") + (("count_gain", "count_loss") if counts else ())
    moves, deltas = [], collections.Counter()
    for i in range(count):
        p = i % products
        product, lot = "P%06d" % p, ("L%02d" % (p % 10) if with_lots else "")
        kind = kinds[i % len(kinds)]
        src = warehouses[0] if kind not in ("issue", "count_loss") else warehouses[1]
        line = {"product_code": product, "warehouse_code": src, "quantity": 1 + i % 3, "lot": lot}
        if location:
            line["location_code"] = location
        q = line["quantity"]
        if kind == "transfer":
            line["to_warehouse_code"] = warehouses[1]
            if to_location:
                line["to_location_code"] = to_location
            deltas[(product, src, location, lot)] -= q
            deltas[(product, warehouses[1], to_location or location, lot)] += q
        else:
            deltas[(product, src, location, lot)] += q if kind in ("receipt", "count_gain") else -q
        moves.append(mv("%s-%04d" % (prefix, i), kind, [line]))
    return moves, deltas


def seed_stock(fake, deltas, qty=100000.0):
    """Give every key the batch touches a large known quantity (no deficits)."""
    with fake.lock:
        for key in deltas:
            fake.stock.set(key, qty)
