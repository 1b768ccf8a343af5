"""python -m demo_factory --db demo [--products 300] [--seed 42] [--fresh]"""
import argparse
import datetime as dt
import json
import sys

from . import database


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m demo_factory',
        description="Build a deterministic demo factory database")
    parser.add_argument('--db', default='demo')
    parser.add_argument('--uri', default='sqlite://',
        help="sqlite:// (default, file under var/) or postgresql://...")
    parser.add_argument('--products', type=int, default=300)
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--days', type=int, default=365)
    parser.add_argument('--end-date', type=dt.date.fromisoformat,
        default=dt.date.today())
    parser.add_argument('--fresh', action='store_true',
        help="drop and recreate the database with our modules first")
    options = parser.parse_args(argv)

    if options.fresh:
        database.fresh(options.db, options.uri)
    database.configure(options.uri)
    from trytond.pool import Pool
    from trytond.transaction import Transaction, _TransactionLockError

    from .build import Options, generate
    Pool(options.db).init()
    extras = {}
    while True:
        try:
            with Transaction().start(options.db, 0, **extras) as transaction:
                counts = generate(Options(products=options.products,
                        seed=options.seed, days=options.days,
                        end_date=options.end_date))
                transaction.commit()
            break
        except _TransactionLockError as error:
            # Tryton asks to restart with the table locks taken up front
            error.fix(extras)
    print(json.dumps(counts, sort_keys=True))
    return 0


if __name__ == '__main__':
    sys.exit(main())
