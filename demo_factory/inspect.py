"""python -m demo_factory.inspect --db demo: stock figures as Tryton computes them.

Prints JSON: quantity on hand per product code and warehouse (core
products_by_location) and the materials that were consumed by production.
"""
import argparse
import json
import sys

from . import database


def summary(db):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool(db).init()
    with Transaction().start(db, 0, readonly=True):
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


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m demo_factory.inspect')
    parser.add_argument('--db', default='demo')
    parser.add_argument('--uri', default='sqlite://')
    options = parser.parse_args(argv)
    database.configure(options.uri)
    json.dump(summary(options.db), sys.stdout, sort_keys=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
