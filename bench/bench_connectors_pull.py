"""Pull 100k on-hand stock rows from the fake K3Cloud: paged vs one query per row.

Both request shapes are the real ones (organisation filter, OrderString; the fake
answers from the vendor samples).  Goal: paged/per-record ratio >= 5; the
peak memory of a 100k-row pull is printed (one page in memory at a time).

Run from the repo root:  .venv/bin/python bench/bench_connectors_pull.py
The fake runs in its own process (``python -m connectors serve-fake``) so the
client measured here does not share the GIL with it and tracemalloc sees only
the client.  Prints ``name: value`` lines on stdout; notes go to stderr.
"""
import itertools
import json
import os
import subprocess
import sys
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import requests  # noqa: E402

from connectors import KingdeeClient, RetryPolicy  # noqa: E402

ROWS = 100_000
SAMPLE = 2_000          # per-record queries actually made; the rate is extrapolated to ROWS
PAGE = 2_000            # the client's default ExecuteBillQuery Limit (contract §1.3 default)


def start_fake():
    proc = subprocess.Popen([sys.executable, "-m", "connectors", "serve-fake", "kingdee", "--port", "0",
                             "--stock-rows", str(ROWS)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True,
                            env=dict(os.environ, PYTHONPATH=ROOT))
    proc.stdout.readline()                                    # "fake kingdee listening on ..."
    kwargs = json.loads(proc.stdout.readline().split(":", 1)[1])
    return proc, kwargs


def client(kwargs):
    session = requests.Session()
    session.trust_env = False            # loopback: never through a proxy
    c = KingdeeClient(**kwargs, page_size=PAGE, retry=RetryPolicy(attempts=3, base_delay=0.1),
                      timeout=(5, 60), session=session)
    c.test_connection()
    return c


def pull(c, limit=None):
    """Stream rows, keep only a running total: what a sync job does with a page."""
    count, total = 0, 0
    for row in itertools.islice(c.iter_stock(), limit):
        count += 1
        total += row.quantity
    return count, total


def peak_mb(c, limit):
    tracemalloc.start()
    tracemalloc.reset_peak()
    count, _ = pull(c, limit)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return count, peak / 1e6


def main():
    proc, kwargs = start_fake()
    try:
        c = client(kwargs)
        t = time.perf_counter()
        sample, count = [], 0
        for i, row in enumerate(c.iter_stock()):
            count += 1
            if i % (ROWS // SAMPLE) == 0:
                sample.append((row.product_code, row.warehouse_code, row.lot))
        paged_s = time.perf_counter() - t
        assert count == ROWS, "expected %d rows, pulled %d" % (ROWS, count)
        paged_rate = count / paged_s

        t = time.perf_counter()
        keys = "FMaterialId.FNumber,FStockId.FNumber,FLot.FNumber,FBaseQty"
        for product, warehouse, lot in sample:
            # The same request shape as the paged pull: organisation filter and OrderString.
            flt = c.stock_filter("FMaterialId.FNumber='%s' and FStockId.FNumber='%s' and FLot.FNumber='%s'"
                                 % (product, warehouse, lot))
            rows = c.call(lambda: c.query_page("STK_Inventory", keys, flt, 0, 10, "FID ASC"))
            assert len(rows) == 1, rows
        per_record_s = time.perf_counter() - t
        per_record_rate = len(sample) / per_record_s

        n10, peak10 = peak_mb(c, 10_000)
        n100, peak100 = peak_mb(c, None)
        assert (n10, n100) == (10_000, ROWS)
    finally:
        proc.terminate()
        proc.wait(10)

    print("connectors_pull_k3cloud_rows: %d" % ROWS)
    print("connectors_pull_k3cloud_page_size: %d" % PAGE)
    print("connectors_pull_k3cloud_seconds: %.2f" % paged_s)
    print("connectors_pull_k3cloud_rows_per_s: %d" % paged_rate)
    print("connectors_pull_per_record_rows_per_s: %d" % per_record_rate)
    print("connectors_pull_per_record_sample_rows: %d" % len(sample))
    print("connectors_pull_per_record_extrapolated_seconds: %.1f" % (ROWS / per_record_rate))
    print("connectors_pull_ratio_vs_per_record: %.1f" % (paged_rate / per_record_rate))
    print("connectors_pull_k3cloud_peak_mb: %.2f" % peak100)
    print("connectors_pull_k3cloud_peak_mb_10k: %.2f" % peak10)
    print("connectors_pull_k3cloud_peak_mb_100k_over_10k: %.2f" % (peak100 / peak10))
    return 0


if __name__ == "__main__":
    sys.exit(main())
