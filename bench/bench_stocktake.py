"""Bench: count tasks for N product-location lines, counted and posted,
against core stock.inventory completing and confirming the same lines.

Usage: python bench/bench_stocktake.py [--full]   (default 2,000 lines,
--full 100,000). Prints `name: value` lines; the ratio is total stocktake
time (generate + count + finish + approve + post) over core time
(create + complete_lines + count + confirm). 1% of lines carry a variance.
"""
import argparse
import os
import pathlib
import sys
import time

from benchlib import pick_backend  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--full', action='store_true')
    parser.add_argument('--bins', type=int, help="override the size")
    parser.add_argument('--products', type=int, help="override the size")
    options = parser.parse_args()
    bins, products = (100, 1000) if options.full else (20, 100)
    bins, products = options.bins or bins, options.products or products
    backend_name = pick_backend('bench_stocktake')
    # trytond keys its DB cache on module names only: key it on the addon
    # sources as tools/run_tests.py does, so a changed field is never stale
    # (imported after the environment: it may import trytond's config)
    sys.path.insert(0, str(ROOT))
    from demo_factory.database import sources_hash
    os.environ.setdefault('DB_CACHE',
        str(ROOT / '.cache' / 'db' / sources_hash()))
    from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
    from trytond.transaction import Transaction
    print(f'backend: {backend_name}')
    print(f'lines: {bins * products}')
    try:
        # Inside the try: a failed activation must not leave its database
        activate_module('stocktake_mobile')
        with Transaction().start(DB_NAME, 0) as transaction:
            data = setup(bins, products)
            transaction.commit()
        with Transaction().start(DB_NAME, 0) as transaction:
            core = run_core(data)
            transaction.rollback()
        with Transaction().start(DB_NAME, 0) as transaction:
            ours = run_stocktake(data)
            transaction.rollback()
    finally:
        if backend_name == 'postgresql':
            drop_db()
    print(f'core_inventory_seconds: {core:.2f}')
    for name, value in ours.items():
        print(f'stocktake_{name}_seconds: {value:.2f}')
    print(f'stocktake_ratio_vs_core_inventory: {ours["total"] / core:.3f}')


def setup(bins, products):
    from decimal import Decimal

    from sql import Literal
    from sql.functions import CurrentTimestamp

    from trytond.modules.company.tests import create_company, set_company
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Location = pool.get('stock.location')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Move = pool.get('stock.move')
    Zone = pool.get('stock.location.zone')
    User = pool.get('res.user')
    company = create_company()
    with set_company(company):
        warehouse, = Location.search([('code', '=', 'WH')])
        supplier, = Location.search([('code', '=', 'SUP')])
        unit, = Uom.search([('name', '=', 'Unit')])
        counter, = User.create([{'login': 'counter', 'name': 'Counter',
                    'stocktake_capacity': bins * products,
                    'companies': [('add', [company.id])],
                    'company': company.id}])
        locations = Location.create([{'name': f'Bin {i}', 'code': f'B{i}',
                    'type': 'storage',
                    'parent': warehouse.storage_location.id}
                for i in range(bins)])
        Zone.create([{'name': 'All', 'code': 'ALL',
                    'warehouse': warehouse.id, 'responsible': counter.id,
                    'locations': [('add', [warehouse.storage_location.id])]}])
        templates = Template.create([{'name': f'Part {i}', 'type': 'goods',
                    'default_uom': unit.id, 'code': f'P{i:05d}',
                    'products': [('create', [{'cost_price': Decimal(1)}])]}
                for i in range(products)])
        # One INSERT ... SELECT of done moves (product x bin): the ORM create
        # and do() of 100,000 moves took most of an hour here, and the setup
        # is not what is measured; the books only need done moves with an
        # effective date, as the core quantity computation reads them
        move = Move.__table__()
        product = pool.get('product.product').__table__()
        location = Location.__table__()
        today = pool.get('ir.date').today()
        columns = {'product': product.id, 'to_location': location.id,
            'unit': Literal(unit.id), 'quantity': Literal(10),
            'internal_quantity': Literal(10),
            'from_location': Literal(supplier.id), 'state': Literal('done'),
            'effective_date': Literal(today), 'planned_date': Literal(today),
            'unit_price': Literal(Decimal(1)),
            'currency': Literal(company.currency.id),
            'company': Literal(company.id),
            'create_uid': Literal(Transaction().user),
            'create_date': CurrentTimestamp()}
        Transaction().connection.cursor().execute(*move.insert(
                [getattr(move, n) for n in columns],
                product.join(location, type_='CROSS').select(
                    *columns.values(),
                    where=product.template.in_([t.id for t in templates])
                    & location.id.in_([l.id for l in locations]))))
    return {'company': company.id, 'warehouse': warehouse.id,
        'locations': [l.id for l in locations], 'counter': counter.id}


def counted(index, book):
    "Quantities counted: 1% of lines are off by one"
    return book - 1 if index % 100 == 0 else book


def write_grouped(Model, records, field, quantities, extra=None):
    groups = {}
    for record, qty in zip(records, quantities):
        groups.setdefault(qty, []).append(record)
    args = []
    for qty, group in groups.items():
        args.extend((group, dict(extra or {}, **{field: qty})))
    Model.write(*args)


def run_core(data):
    """Core at its best: one inventory per bin, created, completed, counted
    and confirmed on its own, as a clerk does it bin by bin. Handing core
    all the inventories at once costs it far more (inventory.lines of every
    inventory re-read per inventory), which would flatter the ratio."""
    from trytond.pool import Pool
    pool = Pool()
    Inventory = pool.get('stock.inventory')
    Line = pool.get('stock.inventory.line')
    start = time.perf_counter()
    index = 0
    with Transaction_ctx(data):
        for location in data['locations']:
            inventory, = Inventory.create([{'location': location,
                        'company': data['company'],
                        'empty_quantity': 'keep'}])
            Inventory.complete_lines([inventory])
            lines = Inventory(inventory.id).lines
            write_grouped(Line, lines, 'quantity',
                [counted(index + i, l.expected_quantity)
                    for i, l in enumerate(lines)])
            index += len(lines)
            Inventory.confirm([inventory])
    return time.perf_counter() - start


def run_stocktake(data):
    import datetime as dt

    from trytond.modules.stocktake_mobile import batch
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Program = pool.get('stocktake.program')
    Task = pool.get('stocktake.task')
    Line = pool.get('stocktake.task.line')
    result = {}
    with Transaction_ctx(data):
        start = time.perf_counter()
        program, = Program.create([{'name': 'Bench', 'company': data['company'],
                    'warehouse': data['warehouse'], 'horizon': 400,
                    'start_date': dt.date.today() - dt.timedelta(days=400)}])
        tasks = Program.generate_tasks([program])
        result['generate'] = time.perf_counter() - start
        mark = time.perf_counter()
        # Ids in SQL, records in slices: one browse of 100,000 is quadratic
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.select(line.id, order_by=[line.id]))
        lines = batch.browse(Line, [i for i, in cursor])
        # Setup stocked 10 of everything: the counter finds that, mostly
        write_grouped(Line, lines, 'counted_quantity',
            [counted(i, 10) for i in range(len(lines))],
            {'round': 1, 'counted_at': dt.datetime.utcnow(),
                'counted_by': data['counter'],
                'first_counted_by': data['counter']})
        result['count'] = time.perf_counter() - mark
        mark = time.perf_counter()
        Task.finish(tasks)
        Task.write(tasks, {'state': 'counted'})  # recounts are not benched
        Task.approve(tasks)
        Task.post(tasks)
        result['post'] = time.perf_counter() - mark
        result['total'] = time.perf_counter() - start
    return result


class Transaction_ctx:
    "Company context for the bench steps"
    def __init__(self, data):
        from trytond.transaction import Transaction
        self.manager = Transaction().set_context(company=data['company'],
            _skip_warnings=True)

    def __enter__(self):
        return self.manager.__enter__()

    def __exit__(self, *args):
        return self.manager.__exit__(*args)


if __name__ == '__main__':
    sys.exit(main())
