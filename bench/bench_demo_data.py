"""Demo-data generation speed: rows written per second for N products x 365 days.

Run: .venv/bin/python bench/bench_demo_data.py [--products 20000]
Uses PostgreSQL when reachable (else SQLite). Database activation is excluded
(it is a copy of a cached template); the figure is the generator's own work:
master data through the ORM plus the simulated year written in bulk SQL.
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from demo_factory import database  # noqa: E402


def backend():
    try:
        import psycopg
        psycopg.connect(database.PG_URI + 'postgres', connect_timeout=3).close()
        return 'postgresql', database.PG_URI
    except Exception:
        return 'sqlite', 'sqlite://'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--products', type=int, default=20000)
    options = parser.parse_args()
    name, uri = backend()
    db = 'bench_demo_data'
    database.fresh(db, uri)
    out = subprocess.run([sys.executable, '-m', 'demo_factory', '--db', db,
            '--uri', uri, '--products', str(options.products),
            '--end-date', '2026-06-30'],
        check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT).stdout
    counts = json.loads(out.strip().splitlines()[-1])
    rows = sum(v for k, v in counts.items()
        if k not in {'seconds', 'unused_materials', 'users'})
    print(f'backend: {name}')
    print(f'demo_data_products: {options.products}')
    print(f'demo_data_moves: {counts["stock_move"]}')
    print(f'demo_data_rows: {rows}')
    print(f'demo_data_seconds: {counts["seconds"]}')
    print(f'demo_data_rows_per_s: {rows / counts["seconds"]:.0f}')
    database.drop(db, uri)


if __name__ == '__main__':
    main()
