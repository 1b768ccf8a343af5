"""Benchmark: statistics + safety stock + alerts (stock_safety_alert).

products x 2 warehouses x 365 days of done moves are generated with bulk SQL,
then the daily usage and the stock balance are built from them once (what
the first run does), yesterday's run makes the parameters, order points and
alerts (timed as the first run), and the nightly run (stock.safety.nightly
run: merge today's usage and stock, statistics, safety stock, order points,
alerts) is timed against
  - one bare SQL GROUP BY over the same moves (goal: ratio <= 2),
  - a naive per-product ORM loop on a sample (--sample, 500), extrapolated
    (goal: >= 50x faster).
Prints `name: value` lines. PostgreSQL when reachable, else SQLite.

With --sweep, the same night is then run again from the same committed
state once per order point tolerance listed (each run rolled back): the
trade-off between steadier order points and the run's time, on one data
set instead of one generation per tolerance.

Usage: python bench/bench_safety_alert.py [--products N] [--full]
    [--sample N] [--tolerance SHARE] [--sweep SHARE,SHARE,...]
    [--profile] [--profile-out FILE]
"""
import argparse
import cProfile
import datetime as dt
import os
import pathlib
import resource
import sys
import time

from benchlib import pick_backend, run_rolled_back  # noqa: E402
ROOT = pathlib.Path(__file__).resolve().parent.parent
DAYS = 365
SAMPLE = 500


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--products', type=int, default=2000)
    parser.add_argument('--full', action='store_true',
        help="the issue's size: 20,000 products")
    parser.add_argument('--sample', type=int, default=SAMPLE,
        help="products timed in the naive ORM loop (0: skip it)")
    parser.add_argument('--profile', action='store_true',
        help="profile the nightly run with cProfile (its time includes "
        "the profiler's)")
    parser.add_argument('--tolerance', type=float, default=0,
        help="the configuration's order point tolerance for the nightly "
        "runs (yesterday's run writes every order point with none)")
    parser.add_argument('--sweep', type=lambda text: [
            float(share) for share in text.split(',')], default=[],
        metavar='SHARE,...',
        help="order point tolerances to run the same night with, each from "
        "the same state (e.g. 0,0.02,0.05,0.1)")
    parser.add_argument('--profile-out', metavar='FILE',
        help="also save the whole profile there (python -m pstats FILE)")
    options = parser.parse_args()
    if options.full:
        options.products = 20000
    products = options.products
    backend = pick_backend('bench_safety_alert')
    # the module cache keyed on the addons' sources, as tools/run_tests.py:
    # a template keyed on module names only goes stale when fields change
    sys.path.insert(0, str(ROOT))
    from demo_factory.database import sources_hash
    os.environ['DB_CACHE'] = str(ROOT / '.cache' / 'db' / sources_hash())
    print(f'backend: {backend}')
    print(f'products: {products}')
    print('warehouses: 2')
    print(f'days: {DAYS}')
    print(f'order_point_tolerance: {options.tolerance}')

    # the configuration singleton is created by locking its table, closing
    # a stock period locks the moves
    run_rolled_back('stock_safety_alert', backend, run, options,
        lock_tables=['stock_safety_configuration', 'stock_move'])


def date_expr(backend, start, column):
    if backend == 'sqlite':
        return f"date('{start}', CAST(({column}) AS TEXT) || ' days')"
    return f"(DATE '{start}' + {column})"


def generate(pool, cursor, backend, products, today):
    """Products, a second warehouse, purchases and all moves in a few
    INSERT ... SELECT. Product families (id % 10) make every alert type and
    every statistic do real work:
      0-4 steady: daily issues, a purchase received every 30 days
      5   lotted: one recent lot-tracked receipt, expiring or held in QC
      6   starved: purchases stop at day 300 (below safety, negative stock;
          id % 20 == 16 has a draft receipt pending: no reorder alert)
      7   overstock: five times the normal purchases
      8   slow: issues stop at day 200
      9   dead: one receipt 800 days before the window, never used"""
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
    party = pool.get('party.party')(name="Bench Supplier")
    party.save()

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
        'unit_price, currency, lot, origin, create_uid, create_date')
    common = (f"{company.id}, 1, {company.currency.id}")
    storages = {wh1.id: wh1.storage_location.id, wh2.id: storage2.id}
    for storage in storages.values():
        # one issue per product and day; usage varies with product and day
        qty = '((p.id * 7 + d.n * 13) % 10 + 1)'
        date = date_expr(backend, start, 'd.n')
        cursor.execute(
            f'INSERT INTO stock_move ({cols}) '
            f"SELECT p.id, {unit.id}, {qty}, {qty}, {storage}, {customer.id},"
            f" 'done', {date}, {date}, {common}, NULL, NULL, 0, {now} "
            f'FROM product_product p, bench_n d WHERE d.n < {DAYS} '
            'AND p.id % 10 NOT IN (5, 9) AND (p.id % 10 != 8 OR d.n < 200)')
        # dead stock: received long before the window, never issued
        date = date_expr(backend, start, '-800')
        cursor.execute(
            f'INSERT INTO stock_move ({cols}) '
            f"SELECT p.id, {unit.id}, 5, 5, {supplier.id}, {storage},"
            f" 'done', {date}, {date}, {common}, NULL, NULL, 0, {now} "
            'FROM product_product p WHERE p.id % 10 = 9')
        # pending receipts: an open supply silences "below reorder point"
        date = date_expr(backend, start, str(DAYS))
        cursor.execute(
            f'INSERT INTO stock_move ({cols}) '
            f"SELECT p.id, {unit.id}, 100, 100, {supplier.id}, {storage},"
            f" 'draft', NULL, {date}, {common}, NULL, NULL, 0, {now} "
            'FROM product_product p WHERE p.id % 20 = 16')
    generate_lots(cursor, backend, start, today, storages, supplier, unit,
        cols, common, now)
    generate_purchases(cursor, backend, start, storages, supplier, unit,
        party, company, cols, common, now)
    cursor.execute('SELECT COUNT(*) FROM stock_move')
    return company, [wh1, wh2], cursor.fetchone()[0]


def generate_lots(cursor, backend, start, today, storages, supplier, unit,
        cols, common, now):
    "Family 5: one lot per product, expiring in 10 days or held in QC"
    soon = date_expr(backend, today.isoformat(), '10')
    held = date_expr(backend, today.isoformat(), '-10')
    cursor.execute(
        'INSERT INTO stock_lot (number, product, expiration_date, qc_state, '
        'qc_hold_date, create_uid, create_date) '
        "SELECT 'L' || p.id, p.id, "
        f"CASE WHEN p.id % 20 = 5 THEN {soon} END, "
        "CASE WHEN p.id % 20 = 15 THEN 'hold' ELSE 'none' END, "
        f"CASE WHEN p.id % 20 = 15 THEN {held} END, 0, {now} "
        'FROM product_product p WHERE p.id % 10 = 5')
    date = date_expr(backend, start, str(DAYS - 20))
    for storage in storages.values():
        cursor.execute(
            f'INSERT INTO stock_move ({cols}) '
            f"SELECT l.product, {unit.id}, 10, 10, {supplier.id}, {storage},"
            f" 'done', {date}, {date}, {common}, l.id, NULL, 0, {now} "
            "FROM stock_lot l WHERE l.number LIKE 'L%'")


def generate_purchases(cursor, backend, start, storages, supplier, unit,
        party, company, cols, common, now):
    """A purchase per warehouse every 30 days, one line per product, each
    received 3 to 11 days after its order date (lead-time statistics)"""
    for wh in storages:
        date = date_expr(backend, start, 'd.n')
        cursor.execute(
            'INSERT INTO purchase_purchase (company, party, currency, '
            'warehouse, purchase_date, reference, state, invoice_method, '
            'invoice_state, shipment_state, create_uid, create_date) '
            f"SELECT {company.id}, {party.id}, {company.currency.id}, {wh}, "
            f"{date}, CAST(d.n AS VARCHAR), 'done', 'manual', 'none', "
            f"'received', 0, {now} FROM bench_n d "
            'WHERE d.n % 30 = 0 AND d.n <= 330')
    n = 'CAST(pu.reference AS INTEGER)'
    cursor.execute(
        'INSERT INTO purchase_line (purchase, type, sequence, product, '
        'quantity, unit, unit_price, create_uid, create_date) '
        f"SELECT pu.id, 'line', 1, p.id, "
        '(170 + p.id % 50) * CASE WHEN p.id % 10 = 7 THEN 5 ELSE 1 END, '
        f'{unit.id}, 1, 0, {now} '
        'FROM purchase_purchase pu, product_product p '
        f'WHERE pu.party = {party.id} AND p.id % 10 NOT IN (5, 9) '
        f'AND (p.id % 10 != 6 OR {n} < 300)')
    date = date_expr(backend, start,
        f'({n} + 3 + l.product % 7 + ({n} / 30) % 3)')
    storage = 'CASE pu.warehouse %s END' % ' '.join(
        f'WHEN {w} THEN {s}' for w, s in storages.items())
    cursor.execute(
        f'INSERT INTO stock_move ({cols}) '
        f"SELECT l.product, {unit.id}, l.quantity, l.quantity, "
        f"{supplier.id}, {storage}, 'done', {date}, {date}, {common}, NULL, "
        "'purchase.line,' || l.id, 0, " f'{now} '
        'FROM purchase_line l JOIN purchase_purchase pu '
        f'ON l.purchase = pu.id WHERE pu.party = {party.id}')


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


def on_hand_sources(pool, company, today):
    """Seconds to read the on hand of every storage location, product and
    lot through the one stock-figures API: answered from the run's balance
    rows (kept by move hooks), and from core's quantities (context
    stock_figures_from_moves) before and after the month's stock period is
    closed (closing timed too): what decides whether the hooks are still
    needed"""
    from trytond.transaction import Transaction
    Balance = pool.get('stock.safety.balance')
    Figures = pool.get('stock.figures')
    Period = pool.get('stock.period')
    assert Balance.is_built(), 'the run did not build the balance'
    timed = {}

    def time_it(name, func):
        t0 = time.perf_counter()
        result = func()
        timed[name] = time.perf_counter() - t0
        return result

    def figures():
        return Figures.on_hand(company, grouping=('product', 'lot'),
            per_location=True)

    def from_moves():
        with Transaction().set_context(stock_figures_from_moves=True):
            return figures()
    by_balance = time_it('on_hand_balance_rows', figures)
    by_moves = time_it('on_hand_figures_no_period', from_moves)
    period, = Period.create([{'company': company.id,
                'date': today.replace(day=1) - dt.timedelta(days=1)}])
    time_it('stock_period_close', lambda: Period.close([period]))
    by_period = time_it('on_hand_figures_closed_period', from_moves)
    # The same figures whichever way (floats summed in another order)

    def rounded(rows):
        return {k: round(q, 6) for k, q in rows.items() if abs(q) > 1e-6}
    assert rounded(by_balance) == rounded(by_moves) == rounded(
        by_period), 'on hand sources disagree'
    return timed


def tolerance_sweep(pool, transaction, tolerances, warehouses):
    """[(tolerance, seconds, order points written)] of the nightly run
    from the state committed before tonight's run (what came after it is
    rolled back first), once per tolerance"""
    if not tolerances:
        return []
    Config = pool.get('stock.safety.configuration')
    Nightly = pool.get('stock.safety.nightly')
    OrderPoint = pool.get('stock.order_point')
    warehouses = pool.get('stock.location').browse(
        [w.id for w in warehouses])
    result = []
    for tolerance in tolerances:
        transaction.rollback()
        config = Config(1)
        config.order_point_tolerance = tolerance
        config.save()
        before = {p.id: (p.min_quantity, p.target_quantity)
            for p in OrderPoint.search([])}
        t0 = time.perf_counter()
        Nightly.run(warehouses=warehouses)
        seconds = time.perf_counter() - t0
        written = sum(1 for p in OrderPoint.search([])
            if before.get(p.id) != (p.min_quantity, p.target_quantity))
        result.append((tolerance, seconds, written))
    transaction.rollback()
    return result


def profile_report(profiler, top=25):
    """Where the nightly run spends its time (cProfile, cumulative): our
    addons' functions first, then the database calls they made"""
    import pstats
    stats = pstats.Stats(profiler)
    stats.sort_stats('cumulative')
    stats.print_stats(r'modules/(stock_safety_alert|factory_stock_ext)', top)
    stats.print_stats(r'execute', 5)


def take_out_today(cursor, today):
    """Set today's done moves aside before the usage, balance and lead times
    are built from the moves: a night finds them done since the last run,
    recorded as pending rows (hand_back_today). Built with them and taken
    out, today's usage rows would leave dead rows on today's date that the
    run reads through, which no night has."""
    cursor.execute('CREATE TEMPORARY TABLE bench_today AS '
        "SELECT * FROM stock_move WHERE state = 'done' "
        f"AND effective_date = '{today.isoformat()}'")
    cursor.execute('DELETE FROM stock_move '
        'WHERE id IN (SELECT id FROM bench_today)')


def hand_back_today(pool, cursor):
    "Today's moves back, recorded as Move.do records the moves it does"
    cursor.execute('INSERT INTO stock_move SELECT * FROM bench_today')
    cursor.execute('SELECT id FROM bench_today')
    moves = pool.get('stock.move').browse([i for i, in cursor.fetchall()])
    for name in ['stock.safety.usage', 'stock.safety.balance',
            'stock.safety.lead']:
        pool.get(name).record(moves)


def run(pool, transaction, options, backend):
    from trytond.transaction import Transaction
    products = options.products
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
    Nightly = pool.get('stock.safety.nightly')
    Config = pool.get('stock.safety.configuration')
    config = Config(1)
    config.default_lead_time = 7
    config.save()
    with Transaction().set_context(company=company.id):
        Product = pool.get('product.product')
        # one warm-up of the bare query so both sides run with a warm
        # cache, then the best of three: the baseline at its fastest
        bare = ('SELECT product, from_location, SUM(internal_quantity) '
            "FROM stock_move WHERE state = 'done' "
            'GROUP BY product, from_location')
        cursor.execute(bare)
        cursor.fetchall()
        t_bare = None
        for _ in range(3):
            t0 = time.perf_counter()
            cursor.execute(bare)
            cursor.fetchall()
            spent = time.perf_counter() - t0
            t_bare = spent if t_bare is None else min(t_bare, spent)

        # The one-off build of the daily usage and the stock balance from
        # every move (at the first run, or after a change of the warehouse
        # layout); moves done later append pending rows to them. The
        # generator wrote today's moves in SQL: they are set aside first
        # and handed back afterwards as Move.do records them.
        take_out_today(cursor, today)
        Usage = pool.get('stock.safety.usage')
        t0 = time.perf_counter()
        Usage.bring_up_to_date()
        t_backfill = time.perf_counter() - t0
        # Yesterday's run, which makes the parameters, order points and
        # alerts a nightly run finds.
        Date = pool.get('ir.date')
        Date.today = staticmethod(
            lambda timezone=None: today - dt.timedelta(days=1))
        try:
            t0 = time.perf_counter()
            Nightly.run(warehouses=warehouses)
            t_first = time.perf_counter() - t0
        finally:
            del Date.today
        # Committed, as each night's run is its own transaction: rows
        # updated in the transaction that inserted them would have their
        # foreign keys checked again, which a nightly run never pays (the
        # database is dropped at the end all the same)
        transaction.commit()
        hand_back_today(pool, cursor)
        if backend == 'postgresql':
            cursor.execute('ANALYZE stock_safety_usage')
            cursor.execute('ANALYZE stock_safety_balance')
        transaction.commit()

        config = Config(1)
        config.order_point_tolerance = options.tolerance
        config.save()
        transaction.commit()
        # The nightly run: one day enters the window and one leaves it
        profile = (cProfile.Profile()
            if options.profile or options.profile_out else None)
        t0 = time.perf_counter()
        if profile:
            profile.runcall(Nightly.run, warehouses=warehouses)
        else:
            Nightly.run(warehouses=warehouses)
        t_run = time.perf_counter() - t0
        t0 = time.perf_counter()
        Nightly.run(warehouses=warehouses)
        t_rerun = time.perf_counter() - t0
        Parameter = pool.get('stock.safety.parameter')
        cursor.execute('SELECT type, COUNT(*) FROM stock_alert '
            'GROUP BY type ORDER BY type')
        by_type = dict(cursor.fetchall())
        cursor.execute('SELECT COUNT(*) FROM stock_safety_parameter '
            'WHERE lead_time_samples > 0')
        measured = cursor.fetchone()[0]

        on_hand = on_hand_sources(pool, company, today)

        t_naive = None
        if options.sample:
            sample = Product.search(
                [], limit=options.sample, order=[('id', 'ASC')])
            t0 = time.perf_counter()
            naive_loop(pool, sample, warehouses, today)
            t_naive = (time.perf_counter() - t0) * products / len(sample)
        parameters = Parameter.search_count([])
        # last: it rolls back what the lines above measured
        sweep = tolerance_sweep(pool, transaction, options.sweep,
            warehouses)
    print(f'parameters: {parameters}')
    print(f'parameters_with_lead_time_samples: {measured}')
    print(f'alerts: {sum(by_type.values())}')
    for type_ in sorted(Alert._alert_types):
        print(f'alerts_{type_}: {by_type.get(type_, 0)}')
    print(f'bare_group_by_seconds: {t_bare:.3f}')
    print(f'safety_alert_first_run_seconds: {t_first:.3f}')
    print(f'safety_alert_run_seconds: {t_run:.3f}')
    print(f'safety_alert_rerun_seconds: {t_rerun:.3f}')
    if t_naive is not None:
        print(f'naive_orm_loop_extrapolated_seconds: {t_naive:.1f}')
    print(f'usage_backfill_seconds: {t_backfill:.3f}')
    print('safety_alert_first_run_ratio_vs_bare_group_by: '
        f'{t_first / t_bare:.2f}')
    print(f'safety_alert_run_ratio_vs_bare_group_by: {t_run / t_bare:.2f}')
    print('safety_alert_rerun_ratio_vs_bare_group_by: '
        f'{t_rerun / t_bare:.2f}')
    print('usage_backfill_ratio_vs_bare_group_by: '
        f'{t_backfill / t_bare:.2f}')
    if t_naive is not None:
        print('naive_orm_loop_ratio_vs_safety_alert_run: '
            f'{t_naive / t_run:.1f}')
    for tolerance, seconds, moved in sweep:
        print(f'sweep_tolerance_{tolerance:g}_run_seconds: {seconds:.3f}')
        print(f'sweep_tolerance_{tolerance:g}_run_ratio_vs_bare_group_by: '
            f'{seconds / t_bare:.2f}')
        print(f'sweep_tolerance_{tolerance:g}_order_points_written: {moved}')
    for name, seconds in on_hand.items():
        print(f'{name}_seconds: {seconds:.3f}')
        print(f'{name}_ratio_vs_bare_group_by: {seconds / t_bare:.2f}')
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f'peak_rss_mb: {rss:.0f}')
    if profile:
        profile_report(profile)
        if options.profile_out:
            profile.dump_stats(options.profile_out)


if __name__ == '__main__':
    sys.exit(main())
