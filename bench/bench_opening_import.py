"""Benchmark: opening balances from Excel (stock_ledger).

A sheet of N rows (default 100,000: 20,000 new products x 5 new bins, one new
lot per row) is written to a temporary .xlsx, then
1. read: our streamed reader against a bare openpyxl read-only iteration of
   the same file, and the peak memory of reading N/10 rows against N rows
   (a streamed read stays flat);
2. import: check + create products, lots and bins + post the opening
   inventories, in rows/s, against core stock.inventory creating and
   confirming the same number of lines for the same products (the posting
   any import must pay), in the same run.
Prints `name: value` lines. PostgreSQL when reachable, else SQLite.

Usage: python bench/bench_opening_import.py [--rows N] [--read-only]
  --read-only: only part 1 (no database)
"""
import argparse
import datetime as dt
import os
import resource
import tempfile
import time
import tracemalloc
from decimal import Decimal

from benchlib import pick_backend, run_rolled_back  # noqa: E402

BINS = 5


def write_sheet(path, rows):
    from openpyxl import Workbook
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["物料编码 Product code", "物料名称 Product name", "单位 Unit",
            "仓库 Warehouse", "库位 Bin location", "批号 Lot", "数量 Quantity",
            "单位成本 Unit cost"])
    for i in range(rows):
        sheet.append([f'M-{i // BINS:06d}', f'Material {i // BINS}', 'kg',
                'WH', f'R-{i % BINS}', f'LOT-{i}', (i % 97) + 0.5,
                float(Decimal(i % 13) + Decimal('0.0625'))])
    workbook.save(path)


def peak_read(path, reader):
    tracemalloc.start()
    count = sum(1 for _ in reader(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return count, peak


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--rows', type=int, default=100_000)
    parser.add_argument('--read-only', action='store_true')
    options = parser.parse_args()
    backend = pick_backend('bench_opening')
    print(f'backend: {backend}')
    print(f'rows: {options.rows}')
    with tempfile.TemporaryDirectory() as tmp:
        small, big = (os.path.join(tmp, f'{n}.xlsx')
            for n in ('small', 'big'))
        start = time.perf_counter()
        write_sheet(big, options.rows)
        print(f'sheet_write_s: {time.perf_counter() - start:.1f}')
        write_sheet(small, max(options.rows // 10, 1))
        if options.read_only:
            measure_read(small, big)
            return
        run_rolled_back('stock_ledger', backend, run, small, big,
            lock_tables=['stock_opening_import'])


def measure_read(small, big):
    "Print the read figures; return the number of data rows"
    from openpyxl import load_workbook
    from trytond.modules.stock_ledger import columns

    def ours(path):
        with open(path, 'rb') as fh:
            return columns.read_rows(fh.read())

    def bare(path):
        workbook = load_workbook(path, read_only=True, data_only=True)
        yield from workbook.worksheets[0].iter_rows(values_only=True)
        workbook.close()

    # Speed without tracemalloc (it slows Python down), memory with it
    start = time.perf_counter()
    sum(1 for _ in bare(big))
    bare_s = time.perf_counter() - start
    start = time.perf_counter()
    read_rows = sum(1 for _ in ours(big))
    ours_s = time.perf_counter() - start
    _, peak_big = peak_read(big, ours)
    _, peak_small = peak_read(small, ours)
    print(f'read_rows_per_s: {read_rows / ours_s:.0f}')
    print(f'read_ratio_vs_bare_openpyxl: {ours_s / bare_s:.2f}')
    print(f'read_peak_mib_tenth: {peak_small / 2**20:.1f}')
    print(f'read_peak_mib_full: {peak_big / 2**20:.1f}')
    print(f'read_peak_ratio_full_vs_tenth: {peak_big / peak_small:.2f}')
    return read_rows


def run(pool, transaction, small, big, backend):
    from trytond.modules.company.tests import create_company, set_company
    read_rows = measure_read(small, big)

    Import = pool.get('stock.opening.import')
    Inventory = pool.get('stock.inventory')
    Location = pool.get('stock.location')
    User = pool.get('res.user')
    company = create_company()
    User.write([User(transaction.user)], {
            'companies': [('add', [company.id])], 'company': company.id})
    with open(big, 'rb') as fh:
        data = fh.read()
    with set_company(company):
        start = time.perf_counter()
        record = Import.import_file(data, date=dt.date.today(),
            file_name='bench.xlsx', create_products=True,
            create_locations=True)
        import_s = time.perf_counter() - start
        assert record.rows == read_rows, (record.rows, read_rows)
        print(f'import_s: {import_s:.1f}')
        print(f'import_rows_per_s: {record.rows / import_s:.0f}')

        # Baseline: core inventories of the same size, the same products and
        # lots, into new bins of the same warehouse
        warehouse, = Location.search([('code', '=', 'WH')])
        bins = Location.create([{'name': f'CORE-{i}', 'type': 'storage',
                    'parent': warehouse.storage_location.id}
                for i in range(BINS)])
        lines = [(l.product.id, l.lot.id if l.lot else None, l.quantity)
            for i in record.inventories for l in i.lines]
        start = time.perf_counter()
        for offset in range(0, len(lines), 500):
            chunk = lines[offset:offset + 500]
            inventories = Inventory.create([{
                        'company': company.id,
                        'location': bins[n].id,
                        'date': dt.date.today(),
                        'lines': [('create', [{
                                        'product': p, 'lot': lot,
                                        'quantity': q}
                                    for j, (p, lot, q) in enumerate(chunk)
                                    if j % BINS == n])],
                        } for n in range(BINS)])
            Inventory.confirm(inventories)
        core_s = time.perf_counter() - start
    print(f'core_inventory_rows_per_s: {len(lines) / core_s:.0f}')
    print(f'import_ratio_vs_core_inventory: {import_s / core_s:.2f}')
    print('peak_rss_mib: '
        f'{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}')


if __name__ == '__main__':
    main()
