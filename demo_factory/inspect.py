"""python -m demo_factory.inspect --db demo [--alive|--models|--what a,b]: what a demo holds.

Default: stock figures as Tryton computes them (quantity on hand per product
code and warehouse, the materials production consumed). --alive: what each
feature has to act on today (alerts per type, QC hold, receipts waiting,
count tasks per state, accuracy months, outbox per state...). --models: the
number of records of every stored model, to compare two builds. --screens:
the menus our entries hang under and the English strings without zh_CN (the
browser walk of every screen, tests/browser).
"""
import argparse
import json
import sys
from collections import Counter

from . import database, opening_example

# Stored models whose rows depend on the build's process, not on the demo
VOLATILE = {'ir.session', 'ir.session.wizard', 'res.user.login.attempt',
    'ir.cache', 'ir.queue', 'ir.lang.config', 'res.user.device',
    'ir.note.read', 'res.user.warning'}


def _started(db):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    if db not in Pool.database_list():  # once per process (--what)
        Pool(db).init()
    return Pool, Transaction().start(db, 0, readonly=True)


def summary(db):
    Pool, transaction = _started(db)
    from trytond.transaction import Transaction
    with transaction:
        pool = Pool()
        Product = pool.get('product.product')
        Location = pool.get('stock.location')
        Move = pool.get('stock.move')
        warehouses = Location.search([('type', '=', 'warehouse')],
            order=[('code', 'ASC')])
        products = Product.search([], order=[('code', 'ASC')])
        on_hand = {}
        for warehouse in warehouses:
            with Transaction().set_context(locations=[warehouse.id],
                    with_childs=True):
                for product in Product.browse(products):
                    on_hand[f'{product.code}@{warehouse.code}'] = round(
                        product.quantity, 4)
        consumed = sorted({m.product.code for m in Move.search([
                        ('to_location.type', '=', 'production'),
                        ('state', '=', 'done')])})
        materials = sorted(p.code for p in products if not p.producible)
        return {'on_hand': on_hand, 'consumed': consumed,
            'materials': materials}


def model_counts(db):
    "{model: records} of every model stored in a table of its own"
    Pool, transaction = _started(db)
    from trytond.model import ModelSQL
    with transaction:
        pool = Pool()
        cursor = transaction.connection.cursor()
        counts = {}
        for name, Model in sorted(pool.iterobject()):
            if (not issubclass(Model, ModelSQL) or name in VOLATILE
                    or (callable(Model.table_query)
                        and Model.table_query() is not None)):
                continue
            table = Model.__table__()
            cursor.execute(*table.select(table.id))
            counts[name] = len(cursor.fetchall())
        return counts


def alive(db):
    "What each feature has to act on, as its screens would list it"
    Pool, transaction = _started(db)
    from trytond.transaction import Transaction
    with transaction:
        pool = Pool()
        Company = pool.get('company.company')
        company, = Company.search([], limit=1)
        with Transaction().set_context(company=company.id,
                companies=[company.id]):
            return _alive(pool, company)


def _states(Model, domain=None, field='state'):
    return dict(Counter(getattr(r, field)
            for r in Model.search(domain or [])))


def _alive(pool, company):
    Alert = pool.get('stock.alert')
    Parameter = pool.get('stock.safety.parameter')
    OrderPoint = pool.get('stock.order_point')
    Request = pool.get('purchase.request')
    Lot = pool.get('stock.lot')
    Move = pool.get('stock.move')
    Shipment = pool.get('stock.shipment.in')
    Task = pool.get('stocktake.task')
    Accuracy = pool.get('stocktake.accuracy')
    Outbox = pool.get('erp.sync.outbox')
    Mapping = pool.get('erp.sync.mapping')
    Reconcile = pool.get('stock.ledger.reconcile')
    parameters = Parameter.search([])
    held = Lot.search([('qc_state', '=', 'hold')])
    return {
        'alerts_open': _states(Alert, [('state', '=', 'open')], 'type'),
        'parameters': len(parameters),
        'parameters_with_method': sum(1 for p in parameters if p.method),
        'parameters_with_safety_stock': sum(1 for p in parameters
            if p.safety_stock),
        'parameters_with_reorder_point': sum(1 for p in parameters
            if p.reorder_point),
        'order_points': OrderPoint.search_count([]),
        'purchase_requests': Request.search_count([]),
        'lots_on_hold': len(held),
        'hold_dates': len({l.qc_hold_date for l in held}),
        'lots_released': Lot.search_count([('qc_state', '=', 'released')]),
        'lots_rejected': Lot.search_count([('qc_state', '=', 'rejected')]),
        'receipts_waiting': Move.search_count([
                ('from_location.type', '=', 'supplier'),
                ('state', '=', 'draft'),
                ('origin', 'like', 'purchase.line,%')]),
        'shipments_in': _states(Shipment),
        'count_tasks': _states(Task),
        'accuracy_months': sorted({a.month for a in Accuracy.search([])}),
        'outbox': _states(Outbox),
        'mappings': Mapping.search_count([]),
        'reconciliations': [{'date': r.date,
                'difference': str(r.difference),
                'kinds': sorted({d.kind for d in r.differences})}
            for r in Reconcile.search([], order=[('date', 'ASC')])],
        'opening_example_problems': opening_example.import_check(company),
        'stock_periods_closed': pool.get('stock.period').search_count(
            [('state', '=', 'closed')]),
        'figures_differences': _figures_differences(pool, company),
        }


def _figures_differences(pool, company):
    """Bins, products and lots whose on hand today by stock.figures (from
    the closed periods' caches) differs from a plain sum of the done moves"""
    from sql.aggregate import Sum
    from trytond.transaction import Transaction
    Figures = pool.get('stock.figures')
    Move = pool.get('stock.move')
    figures = Figures.on_hand(company, grouping=('product', 'lot'),
        per_location=True)
    counted = set(Figures.locations())
    move = Move.__table__()
    cursor = Transaction().connection.cursor()
    plain = {}
    for side, sign in [(move.to_location, 1), (move.from_location, -1)]:
        cursor.execute(*move.select(side, move.product, move.lot,
                Sum(move.internal_quantity),
                where=(move.state == 'done')
                & (move.company == int(company)),
                group_by=[side, move.product, move.lot]))
        for location, product, lot, quantity in cursor:
            if location in counted:
                key = (location, product, lot)
                plain[key] = plain.get(key, 0) + sign * quantity
    plain = {k: round(q, 6) for k, q in plain.items() if round(q, 6)}
    figures = {k: round(q, 6) for k, q in figures.items() if round(q, 6)}
    return sorted(str(k) for k in set(plain) | set(figures)
        if plain.get(k) != figures.get(k))


def screens(db):
    """The core menus that hold our addons' menu entries (the area a user
    walks), the ids of our menu entries by XML id and the source strings of
    every module that have no zh_CN"""
    Pool, transaction = _started(db)
    with transaction:
        pool = Pool()
        Data = pool.get('ir.model.data')
        Menu = pool.get('ir.ui.menu')
        Translation = pool.get('ir.translation')
        menus = {f'{d.module}.{d.fs_id}': d.db_id for d in Data.search([
                    ('model', '=', 'ir.ui.menu'),
                    ('module', 'in', database.MODULES)])}
        ours = set(menus.values())
        roots = {m.parent.id for m in Menu.browse(list(ours))
            if m.parent and m.parent.id not in ours}
        # as Tryton reads them: a fuzzy translation is not used, and one
        # equal to its source is still English (core has some of each)
        key = ('module', 'name', 'type', 'res_id', 'src')
        translated = {tuple(getattr(t, k) for k in key)
            for t in Translation.search([('lang', '=', 'zh_CN'),
                    ('value', 'not in', [None, '']), ('fuzzy', '=', False)])
            if t.value != t.src}
        untranslated = {t.src for t in Translation.search(
                [('lang', '=', 'en')])
            if tuple(getattr(t, k) for k in key) not in translated}
        return {'roots': sorted(roots), 'menus': menus,
            'untranslated': sorted(s for s in untranslated if s)}


INSPECTIONS = {'summary': summary, 'models': model_counts, 'alive': alive,
    'screens': screens}


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m demo_factory.inspect')
    parser.add_argument('--db', default='demo')
    parser.add_argument('--uri', default='sqlite://')
    what = parser.add_mutually_exclusive_group()
    what.add_argument('--alive', action='store_true')
    what.add_argument('--models', action='store_true')
    what.add_argument('--screens', action='store_true')
    # several in one process (one start of the pool instead of one each):
    # {name: result}
    what.add_argument('--what', type=lambda v: v.split(','),
        help="comma-separated: " + ', '.join(INSPECTIONS))
    options = parser.parse_args(argv)
    database.configure(options.uri)
    if options.what:
        result = {name: INSPECTIONS[name](options.db)
            for name in options.what}
    elif options.alive:
        result = alive(options.db)
    elif options.models:
        result = model_counts(options.db)
    elif options.screens:
        result = screens(options.db)
    else:
        result = summary(options.db)
    json.dump(result, sys.stdout, sort_keys=True, default=str)
    return 0


if __name__ == '__main__':
    sys.exit(main())
