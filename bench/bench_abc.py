"""Benchmark: ABC classification (factory_stock_ext).

products x 12 months of done moves (one issue per product and month, to
production or customer, plus a receipt per product and quarter) are generated
with bulk SQL, then ProductABC.compute() is timed against one bare SQL
aggregate over the same moves (goal: ratio <= 2): a rerun with nothing new
(abc_compute_*), the first computation (every row inserted) and a night
with new consumption of one product in twenty (most shares move).
Prints `name: value` lines. PostgreSQL when reachable, else SQLite.

Usage: python bench/bench_abc.py [--products N] [--small]
"""
import argparse
import datetime as dt
import os
import time

from benchlib import pick_backend, run_rolled_back  # noqa: E402
MONTHS = 12


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--products', type=int, default=20000)
    parser.add_argument('--small', action='store_true',
        help="2,000 products instead of the issue's 20,000")
    options = parser.parse_args()
    products = 2000 if options.small else options.products
    backend = pick_backend('bench_abc')
    print(f'backend: {backend}')
    print(f'products: {products}')
    print(f'months: {MONTHS}')

    # compute() locks its table
    run_rolled_back('factory_stock_ext', backend, run, products,
        lock_tables=['stock_product_abc'])


def generate(pool, cursor, backend, products, today):
    "Products and moves in a few INSERT ... SELECT"
    from trytond.modules.company.tests import create_company
    from trytond.transaction import Transaction
    Location = pool.get('stock.location')
    User = pool.get('res.user')
    company = create_company()
    User.write([User(Transaction().user)], {
            'companies': [('add', [company.id])], 'company': company.id})
    wh, = Location.search([('code', '=', 'WH')])
    customer, = Location.search([('code', '=', 'CUS')])
    supplier, = Location.search([('code', '=', 'SUP')])
    production, = Location.search([('type', '=', 'production')], limit=1)
    unit, = pool.get('product.uom').search([('name', '=', 'Unit')])
    param = '%s' if backend == 'postgresql' else '?'
    cursor.execute('CREATE TABLE bench_n (n INTEGER PRIMARY KEY)')
    cursor.executemany(f'INSERT INTO bench_n (n) VALUES ({param})',
        [(i,) for i in range(products)])
    now = "'%s'" % dt.datetime.now().isoformat(sep=' ')
    cursor.execute(
        'INSERT INTO product_template (name, type, default_uom, '
        'consumable, active, create_uid, create_date) '
        f"SELECT 'P' || n, 'goods', {unit.id}, false, true, 0, {now} "
        f'FROM bench_n')
    cursor.execute(
        'INSERT INTO product_product (template, active, code, '
        'create_uid, create_date) '
        f"SELECT id, true, name, 0, {now} FROM product_template "
        "WHERE name LIKE 'P%'")
    cursor.execute(
        'INSERT INTO product_cost_price (product, company, cost_price, '
        'create_uid, create_date) '
        f"SELECT id, {company.id}, 1 + id % 7, 0, {now} FROM product_product")
    cols = ('product, unit, quantity, internal_quantity, from_location, '
        'to_location, state, effective_date, planned_date, company, '
        'cost_price, unit_price, currency, create_uid, create_date')
    storage = wh.storage_location.id
    for month in range(MONTHS):
        date = "'%s'" % (today - dt.timedelta(days=30 * month + 1))
        # skewed usage so the classes are not trivial (Pareto-like)
        qty = '(1 + (p.id * p.id) % 97 * (p.id % 11))'
        target = production.id if month % 2 else customer.id
        cursor.execute(
            f'INSERT INTO stock_move ({cols}) '
            f"SELECT p.id, {unit.id}, {qty}, {qty}, {storage}, {target}, "
            f"'done', {date}, {date}, {company.id}, 1 + p.id % 7, 10, "
            f"{company.currency.id}, 0, {now} FROM product_product p")
        if month % 3 == 0:
            cursor.execute(
                f'INSERT INTO stock_move ({cols}) '
                f"SELECT p.id, {unit.id}, 500, 500, {supplier.id}, "
                f"{storage}, 'done', {date}, {date}, {company.id}, "
                f"1 + p.id % 7, 1, {company.currency.id}, 0, {now} "
                'FROM product_product p')
    cursor.execute('SELECT COUNT(*) FROM stock_move')
    return company, wh, cursor.fetchone()[0]


def best_of(n, func):
    timings = []
    for _ in range(n):
        start = time.perf_counter()
        func()
        timings.append(time.perf_counter() - start)
    return min(timings)


def run(pool, transaction, products, backend):
    from trytond.transaction import Transaction
    cursor = transaction.connection.cursor()
    today = pool.get('ir.date').today()
    t0 = time.perf_counter()
    company, wh, moves = generate(pool, cursor, backend, products, today)
    print(f'moves: {moves}')
    print(f'generate_seconds: {time.perf_counter() - t0:.1f}')
    if backend == 'postgresql':
        cursor.execute('ANALYZE')
    ABC = pool.get('stock.product.abc')
    since = "'%s'" % (today - dt.timedelta(days=365))
    # The same moves, valued the same way, in one bare GROUP BY
    bare = ('SELECT product, SUM(internal_quantity * cost_price) '
        "FROM stock_move WHERE state = 'done' "
        f'AND effective_date >= {since} GROUP BY product')

    def run_bare():
        cursor.execute(bare)
        cursor.fetchall()

    with Transaction().set_context(company=company.id):
        run_bare()  # warm-up so both sides read a warm cache
        bare_time = best_of(3, run_bare)
        # The first computation inserts every row; a rerun with nothing
        # new writes none; a night with new consumption of one product in
        # twenty changes the total, so most shares move and most rows are
        # written again
        first_time = best_of(1, lambda: ABC.compute(warehouses=[wh]))
        abc_time = best_of(3, lambda: ABC.compute(warehouses=[wh]))
        night_times = []
        for night in range(3):
            one_day_of_use(pool, cursor, company, wh, night)
            night_times.append(
                best_of(1, lambda: ABC.compute(warehouses=[wh])))
        night_time = min(night_times)
        query = ABC._classification_query(wh.id,
            today - dt.timedelta(days=365), 0.8, 0.15)

        def run_classify():
            cursor.execute(*query)
            cursor.fetchall()
        classify_time = best_of(3, run_classify)
    classes = ABC.classes_for(wh.id)
    counts = {c: list(classes.values()).count(c) for c in 'ABC'}
    print(f'bare_aggregate_seconds: {bare_time:.3f}')
    print(f'abc_compute_seconds: {abc_time:.3f}')
    print(f'abc_class_a_products: {counts["A"]}')
    print(f'abc_class_b_products: {counts["B"]}')
    print(f'abc_class_c_products: {counts["C"]}')
    print(f'abc_classify_seconds: {classify_time:.3f}')
    # classify: the classification query alone; compute: + storing the rows
    print('abc_classify_ratio_vs_bare_aggregate: '
        f'{classify_time / bare_time:.2f}')
    print(f'abc_compute_ratio_vs_bare_aggregate: {abc_time / bare_time:.2f}')
    print(f'abc_first_compute_seconds: {first_time:.3f}')
    print('abc_first_compute_ratio_vs_bare_aggregate: '
        f'{first_time / bare_time:.2f}')
    print(f'abc_nightly_compute_seconds: {night_time:.3f}')
    print('abc_nightly_compute_ratio_vs_bare_aggregate: '
        f'{night_time / bare_time:.2f}')


def one_day_of_use(pool, cursor, company, wh, night):
    "Done issues to customers today for one product in twenty"
    customer, = pool.get('stock.location').search([('code', '=', 'CUS')])
    unit, = pool.get('product.uom').search([('name', '=', 'Unit')])
    date = "'%s'" % pool.get('ir.date').today()
    now = "'%s'" % dt.datetime.now().isoformat(sep=' ')
    cursor.execute(
        'INSERT INTO stock_move (product, unit, quantity, internal_quantity, '
        'from_location, to_location, state, effective_date, planned_date, '
        'company, cost_price, unit_price, currency, create_uid, '
        'create_date) '
        f"SELECT p.id, {unit.id}, 3, 3, {wh.storage_location.id}, "
        f"{customer.id}, 'done', {date}, {date}, {company.id}, "
        f"1 + p.id % 7, 10, {company.currency.id}, 0, {now} "
        f'FROM product_product p WHERE p.id % 20 = {night}')


if __name__ == '__main__':
    main()
