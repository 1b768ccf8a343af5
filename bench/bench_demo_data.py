"""Demo-data generation speed, in rows written per second.

Run: .venv/bin/python bench/bench_demo_data.py [--products 300] [--scale 5000]

Two builds, on PostgreSQL when reachable (else SQLite), each from a copy of
the cached activated template (activation is excluded):
- the demo as `make demo` builds it (`--products`, a year, the real flows of
  the count rounds, the live days and the nightly jobs): rows per second of
  the whole build, and the flows' calls per second;
- the bulk history alone at `--scale` products (`--history-only`): rows per
  second of the bulk writer, the part that grows with the factory.
The ratio of the two rates says what the flows cost against the bulk baseline
measured in the same run.
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from demo_factory import database  # noqa: E402

# not rows of the history: what the build reports about itself
NOT_ROWS = {'seconds', 'unused_materials', 'users', 'calls', 'products',
    'live_purchases', 'count_tasks'}


def backend():
    try:
        import psycopg
        psycopg.connect(database.PG_URI + 'postgres', connect_timeout=3).close()
        return 'postgresql', database.PG_URI
    except Exception:  # any failure to connect means: use SQLite
        return 'sqlite', 'sqlite://'


def build(uri, db, products, *extra):
    out = subprocess.run([sys.executable, '-m', 'demo_factory', '--db', db,
            '--uri', uri, '--products', str(products),
            '--end-date', '2026-06-30', '--fresh', '--erp-port', '0',
            *extra],
        check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT).stdout
    database.drop(db, uri)
    counts = json.loads(out.strip().splitlines()[-1])
    rows = sum(v for k, v in counts.items()
        if k not in NOT_ROWS and not k.startswith('outbox_'))
    return counts, rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--products', type=int, default=300)
    parser.add_argument('--scale', type=int, default=5000)
    options = parser.parse_args()
    name, uri = backend()
    print(f'backend: {name}')
    counts, rows = build(uri, 'bench_demo_data', options.products)
    seconds = counts['seconds']
    print(f'demo_data_products: {options.products}')
    print(f'demo_data_rows: {rows}')
    print(f'demo_data_seconds: {seconds}')
    print(f'demo_data_rows_per_s: {rows / seconds:.0f}')
    print(f'demo_data_flow_calls: {counts["calls"]}')
    print(f'demo_data_flow_calls_per_s: {counts["calls"] / seconds:.1f}')
    bulk, bulk_rows = build(uri, 'bench_demo_history', options.scale,
        '--history-only')
    bulk_rate = bulk_rows / bulk['seconds']
    print(f'demo_history_products: {options.scale}')
    print(f'demo_history_moves: {bulk["stock_move"]}')
    print(f'demo_history_rows: {bulk_rows}')
    print(f'demo_history_seconds: {bulk["seconds"]}')
    print(f'demo_history_rows_per_s: {bulk_rate:.0f}')
    print(f'demo_data_rate_vs_history: {rows / seconds / bulk_rate:.3f}')


if __name__ == '__main__':
    main()
