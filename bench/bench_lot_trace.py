"""Benchmark: lot trace (factory_stock_ext).

A move table of background traffic (receipts, deliveries, productions with 4
inputs and 1 output over random lots) is generated with bulk SQL, plus a
finished lot 5 production levels deep (fan-in 3: 243 supplier lots) delivered
to 10 customers. The trace of that lot (both directions, tree nodes created)
is timed and its queries counted.
Prints `name: value` lines. PostgreSQL when reachable, else SQLite.

Usage: python bench/bench_lot_trace.py [--moves N] [--full]
  default 100,000 background moves; --full: the issue's 1,000,000
"""
import argparse
import datetime as dt
import logging
import os
import time

from benchlib import pick_backend, run_rolled_back  # noqa: E402
DEPTH = 5
FAN_IN = 3
DELIVERIES = 10


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--moves', type=int, default=100_000)
    parser.add_argument('--full', action='store_true',
        help="the issue's size: 1,000,000 background moves")
    options = parser.parse_args()
    moves = 1_000_000 if options.full else options.moves
    backend = pick_backend('bench_lot_trace')
    print(f'backend: {backend}')
    print(f'background_moves: {moves}')
    print(f'trace_depth: {DEPTH}')

    run_rolled_back('factory_stock_ext', backend, run, moves)


class Counter(logging.Handler):
    count = 0

    def emit(self, record):
        self.count += 1


def generate(pool, cursor, backend, n_moves):
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
    storage = wh.storage_location.id
    unit, = pool.get('product.uom').search([('name', '=', 'Unit')])
    p = '%s' if backend == 'postgresql' else '?'
    now = dt.datetime.now().replace(microsecond=0)
    today = now.date()
    # literals, not parameters: the bulk SQL uses % as modulo
    now_s, today_s = f"'{now}'", f"'{today}'"
    n_products = 1000
    n_lots = max(n_moves // 10, 100)
    n_productions = n_moves // 10  # 5 moves each: half the traffic

    cursor.execute('CREATE TABLE bench_n (n INTEGER PRIMARY KEY)')
    cursor.executemany(f'INSERT INTO bench_n (n) VALUES ({p})',
        [(i,) for i in range(max(n_moves // 2, n_lots, n_productions))])
    cursor.execute(
        'INSERT INTO product_template (name, type, default_uom, '
        'consumable, active, create_uid, create_date) '
        f"SELECT 'P' || n, 'goods', {unit.id}, false, true, 0, {now_s} "
        f'FROM bench_n WHERE n < {n_products}')
    cursor.execute(
        'INSERT INTO product_product (template, active, create_uid, '
        f'create_date) SELECT id, true, 0, {now_s} FROM product_template')
    cursor.execute('SELECT MIN(id) FROM product_product')
    p0, = cursor.fetchone()
    cursor.execute(
        'INSERT INTO stock_lot (number, product, active, create_uid, '
        f"create_date) SELECT 'BG' || n, {p0} + n % {n_products}, true, 0, "
        f'{now_s} FROM bench_n WHERE n < {n_lots}')
    cursor.execute('SELECT MIN(id) FROM stock_lot')
    l0, = cursor.fetchone()
    cursor.execute(
        'INSERT INTO production (company, warehouse, location, type, state, '
        'number, planned_date, effective_date, create_uid, create_date) '
        f"SELECT {company.id}, {wh.id}, {production.id}, 'assembly', 'done', "
        "'BGP' || n,"
        f' {today_s}, {today_s}, 0, {now_s} FROM bench_n '
        f'WHERE n < {n_productions}')
    cursor.execute('SELECT MIN(id) FROM production')
    r0, = cursor.fetchone()
    cols = ('product, unit, quantity, internal_quantity, from_location, '
        'to_location, state, effective_date, planned_date, company, lot, '
        'production_input, production_output, create_uid, create_date')
    lot = f'({l0} + (n * 7919) % {n_lots})'
    product = f'({p0} + ((n * 7919) % {n_lots}) % {n_products})'
    common = (f"1, 1, {{f}}, {{t}}, 'done', {today_s}, {today_s}, "
        f"{company.id}, {lot}")

    def insert(from_, to, extra, where):
        cursor.execute(
            f'INSERT INTO stock_move ({cols}) SELECT {product}, {unit.id}, '
            + common.format(f=from_, t=to) + f', {extra}, 0, {now_s} '
            f'FROM bench_n WHERE {where}')
    quarter = n_moves // 4
    insert(supplier.id, storage, 'NULL, NULL', f'n < {quarter}')
    insert(storage, customer.id, 'NULL, NULL', f'n < {quarter}')
    for k in range(4):  # production inputs
        insert(storage, production.id, f'{r0} + (n * {k + 3}) % '
            f'{n_productions}, NULL', f'n < {n_productions}')
    insert(production.id, storage, f'NULL, {r0} + n',
        f'n < {n_productions}')
    cursor.execute('SELECT COUNT(*) FROM stock_move')
    total_background, = cursor.fetchone()

    # The traced chain: level 0 lots come from suppliers, each production
    # of level k consumes FAN_IN lots of level k - 1.
    Lot = pool.get('stock.lot')
    Production = pool.get('production')
    Template = pool.get('product.template')
    template, = Template.create([{'name': 'Chain', 'type': 'goods',
                'default_uom': unit.id, 'products': [('create', [{}])]}])
    p0 = template.products[0].id
    lot_ids = [[l.id for l in Lot.create([{'number': f'C0-{i}',
                        'product': p0} for i in range(FAN_IN ** DEPTH)])]]

    def row(from_, to, lot, input_=None, output=None):
        return (p0, unit.id, 1, 1, from_, to, 'done', today, today,
            company.id, lot, input_, output, 0, now)
    rows = [row(supplier.id, storage, l) for l in lot_ids[0]]
    for level in range(1, DEPTH + 1):
        parents = lot_ids[-1]
        outs = Lot.create([{'number': f'C{level}-{i}', 'product': p0}
                for i in range(len(parents) // FAN_IN)])
        productions = Production.create([{'company': company.id,
                    'warehouse': wh.id, 'location': production.id}
                for _ in outs])
        for i, (out, prod) in enumerate(zip(outs, productions)):
            for lot_id in parents[i * FAN_IN:(i + 1) * FAN_IN]:
                rows.append(row(storage, production.id, lot_id, prod.id))
            rows.append(row(production.id, storage, out.id, None, prod.id))
        lot_ids.append([l.id for l in outs])
    final, = lot_ids[-1]
    rows.extend(row(storage, customer.id, final) for _ in range(DELIVERIES))
    cursor.executemany(f'INSERT INTO stock_move ({cols}) VALUES ('
        + ', '.join([p] * 15) + ')', rows)
    values = rows
    return Lot(final), total_background + len(values)


def run(pool, transaction, n_moves, backend):
    cursor = transaction.connection.cursor()
    t0 = time.perf_counter()
    final, total = generate(pool, cursor, backend, n_moves)
    print(f'moves: {total}')
    print(f'generate_seconds: {time.perf_counter() - t0:.1f}')
    if backend == 'postgresql':
        cursor.execute('ANALYZE')
    Session = pool.get('stock.lot.trace.session')
    Session.build_tree(final)  # warm-up
    transaction.cache.clear()

    counter = Counter()
    if backend == 'postgresql':
        logger = logging.getLogger('trytond.backend.postgresql.database')
        logger.addHandler(counter)
        logger.propagate = False
        logger.setLevel(logging.DEBUG)
    else:
        transaction.connection.set_trace_callback(
            lambda statement: counter.emit(None))
    start = time.perf_counter()
    session = Session.trace(final)
    elapsed = time.perf_counter() - start
    if backend == 'postgresql':
        logger.setLevel(logging.WARNING)
    else:
        transaction.connection.set_trace_callback(None)
    nodes = len(session.nodes)
    receipts = sum(1 for n in session.nodes if n.kind == 'receipt')
    deliveries = sum(1 for n in session.nodes if n.kind == 'delivery')
    print(f'trace_nodes: {nodes}')
    print(f'trace_supplier_receipts: {receipts}')
    print(f'trace_customer_deliveries: {deliveries}')
    print(f'trace_seconds: {elapsed:.3f}')
    print(f'trace_queries: {counter.count}')


if __name__ == '__main__':
    main()
