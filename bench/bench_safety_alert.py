"""Benchmark: statistics + safety stock + alerts (stock_safety_alert).

products x 2 warehouses x 365 days of done moves are generated with bulk SQL,
then the whole nightly run (Alert.run: statistics, safety stock, order points,
alerts) is timed against
  - one bare SQL GROUP BY over the same moves (goal: ratio <= 2),
  - a naive per-product ORM loop on a 500-product sample, extrapolated
    (goal: >= 50x faster).
Prints `name: value` lines. PostgreSQL when reachable, else SQLite.

Usage: python bench/bench_safety_alert.py [--products N] [--full]
"""
import argparse
import datetime as dt
import os
import resource
import sys
import time

from benchlib import pick_backend  # noqa: E402
DAYS = 365
SAMPLE = 500


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--products', type=int, default=2000)
    parser.add_argument('--full', action='store_true',
        help="the issue's size: 20,000 products")
    options = parser.parse_args()
    products = 20000 if options.full else options.products
    backend = pick_backend('bench_safety_alert', db_cache='postgresql://')
    print(f'backend: {backend}')
    print(f'products: {products}')
    print('warehouses: 2')
    print(f'days: {DAYS}')

    from trytond.tests.test_tryton import DB_NAME, USER, activate_module
    activate_module(['stock_safety_alert'])
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    try:
        # the configuration singleton is created by locking its table
        with Transaction().start(DB_NAME, USER, context={},
                _lock_tables=['stock_safety_configuration']) as transaction:
            run(Pool(), transaction, products, backend)
            transaction.rollback()
    finally:
        if backend == 'postgresql':
            from trytond.tests.test_tryton import drop_db
            drop_db()


def date_expr(backend, start, column):
    if backend == 'sqlite':
        return f"date('{start}', '+' || {column} || ' days')"
    return f"(DATE '{start}' + {column})"


def generate(pool, cursor, backend, products, today):
    "Products, a second warehouse and all moves in a few INSERT ... SELECT"
    from trytond.modules.company.tests import create_company
    Location = pool.get('stock.location')
    User = pool.get('res.user')
    company = create_company()
    User.write([User(Transaction_user())], {
            'companies': [('add', [company.id])], 'company': company.id})
    wh1, = Location.search([('code', '=', 'WH')])
    storage2 = Location(name="Storage 2", type='storage')
    storage2.save()
    wh2 = Location(name="Warehouse 2", type='warehouse',
        storage_location=storage2,
        input_location=Location(name="Input 2", type='storage'),
        output_location=Location(name="Output 2", type='storage'),
        production_location=wh1.production_location)
    wh2.input_location.save()
    wh2.output_location.save()
    wh2.save()
    storage2.parent = wh2
    storage2.save()
    customer, = Location.search([('code', '=', 'CUS')])
    supplier, = Location.search([('code', '=', 'SUP')])
    unit, = pool.get('product.uom').search([('name', '=', 'Unit')])

    cursor.execute('CREATE TABLE bench_n (n INTEGER PRIMARY KEY)')
    cursor.executemany('INSERT INTO bench_n (n) VALUES (%s)'
        if backend == 'postgresql' else 'INSERT INTO bench_n (n) VALUES (?)',
        [(i,) for i in range(max(products, DAYS))])
    now = "'%s'" % dt.datetime.now().isoformat(sep=' ')
    cursor.execute(
        'INSERT INTO product_template (name, type, default_uom, '
        'purchase_uom, purchasable, consumable, active, '
        'safety_method, create_uid, create_date) '
        f"SELECT 'P' || n, 'goods', {unit.id}, {unit.id}, true, false, "
        f"true, 'service', 0, {now} FROM bench_n WHERE n < {products}")
    cursor.execute(
        'INSERT INTO product_product (template, active, code, '
        'create_uid, create_date) '
        f"SELECT id, true, name, 0, {now} FROM product_template "
        "WHERE name LIKE 'P%'")
    cursor.execute(
        'INSERT INTO product_cost_price (product, company, cost_price, '
        'create_uid, create_date) '
        f"SELECT id, {company.id}, 2, 0, {now} FROM product_product")
    start = today - dt.timedelta(days=DAYS - 1)
    cols = ('product, unit, quantity, internal_quantity, from_location, '
        'to_location, state, effective_date, planned_date, company, '
        'unit_price, currency, create_uid, create_date')
    for storage in [wh1.storage_location.id, storage2.id]:
        # one issue per product and day; usage varies with product and day
        qty = '((p.id * 7 + d.n * 13) % 10 + 1)'
        date = date_expr(backend, start, 'd.n')
        cursor.execute(
            f'INSERT INTO stock_move ({cols}) '
            f"SELECT p.id, {unit.id}, {qty}, {qty}, {storage}, {customer.id},"
            f" 'done', {date}, {date}, {company.id}, 1, {company.currency.id},"
            f" 0, {now} FROM product_product p, bench_n d "
            f'WHERE d.n < {DAYS}')
        # a receipt every 30 days keeps most products in stock
        qty = '(170 + p.id % 50)'
        cursor.execute(
            f'INSERT INTO stock_move ({cols}) '
            f"SELECT p.id, {unit.id}, {qty}, {qty}, {supplier.id}, {storage},"
            f" 'done', {date}, {date}, {company.id}, 1, {company.currency.id},"
            f" 0, {now} FROM product_product p, bench_n d "
            f'WHERE d.n < {DAYS} AND d.n % 30 = 0')
    cursor.execute('SELECT COUNT(*) FROM stock_move')
    return company, [wh1, wh2], cursor.fetchone()[0]


def Transaction_user():
    from trytond.transaction import Transaction
    return Transaction().user


def naive_loop(pool, products, warehouses, today):
    "What a per-product implementation does: ORM reads per product"
    from trytond.modules.stock_safety_alert import formula
    Move = pool.get('stock.move')
    Product = pool.get('product.product')
    start = today - dt.timedelta(days=DAYS - 1)
    for product in products:
        for wh in warehouses:
            moves = Move.search([
                    ('product', '=', product.id),
                    ('state', '=', 'done'),
                    ('from_location', 'child_of', [wh.id], 'parent'),
                    ('to_location.type', 'in', ['customer', 'production']),
                    ('effective_date', '>=', start),
                    ])
            daily = {}
            for move in moves:
                daily[move.effective_date] = (
                    daily.get(move.effective_date, 0) + move.internal_quantity)
            total = sum(daily.values())
            mean, std = formula.moments(
                total, sum(v * v for v in daily.values()), DAYS)
            quantity = Product.products_by_location(
                [wh.id], with_childs=True,
                grouping_filter=([product.id],)).get((wh.id, product.id), 0)
            safety, rop, _ = formula.compute('service', {
                    'avg_daily': mean, 'std_daily': std,
                    'avg_lead_time': 7})
            _ = quantity < safety or quantity < rop


def run(pool, transaction, products, backend):
    from trytond.transaction import Transaction
    cursor = transaction.connection.cursor()
    today = pool.get('ir.date').today()
    t0 = time.perf_counter()
    company, warehouses, moves = generate(
        pool, cursor, backend, products, today)
    gen = time.perf_counter() - t0
    print(f'moves: {moves}')
    print(f'generate_rows_per_second: {moves / gen:.0f}')
    if backend == 'postgresql':
        cursor.execute('ANALYZE')
    Alert = pool.get('stock.alert')
    Config = pool.get('stock.safety.configuration')
    config = Config(1)
    config.default_lead_time = 7
    config.save()
    with Transaction().set_context(company=company.id):
        Product = pool.get('product.product')
        # one warm-up of the bare query so both sides run with a warm cache
        bare = ('SELECT product, from_location, SUM(internal_quantity) '
            "FROM stock_move WHERE state = 'done' "
            'GROUP BY product, from_location')
        cursor.execute(bare)
        cursor.fetchall()
        t0 = time.perf_counter()
        cursor.execute(bare)
        cursor.fetchall()
        t_bare = time.perf_counter() - t0

        t0 = time.perf_counter()
        Alert.run(warehouses=warehouses)
        t_run = time.perf_counter() - t0
        t0 = time.perf_counter()
        Alert.run(warehouses=warehouses)
        t_rerun = time.perf_counter() - t0
        Parameter = pool.get('stock.safety.parameter')
        cursor.execute('SELECT COUNT(*) FROM stock_alert')
        alerts = cursor.fetchone()[0]

        sample = Product.search([], limit=SAMPLE, order=[('id', 'ASC')])
        t0 = time.perf_counter()
        naive_loop(pool, sample, warehouses, today)
        t_naive = (time.perf_counter() - t0) * products / len(sample)
    print(f'parameters: {Parameter.search_count([])}')
    print(f'alerts: {alerts}')
    print(f'bare_group_by_seconds: {t_bare:.3f}')
    print(f'safety_alert_run_seconds: {t_run:.3f}')
    print(f'safety_alert_rerun_seconds: {t_rerun:.3f}')
    print(f'naive_orm_loop_extrapolated_seconds: {t_naive:.1f}')
    print(f'safety_alert_run_ratio_vs_bare_group_by: {t_run / t_bare:.2f}')
    print(f'naive_orm_loop_ratio_vs_safety_alert_run: {t_naive / t_run:.1f}')
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f'peak_rss_mb: {rss:.0f}')


if __name__ == '__main__':
    sys.exit(main())
