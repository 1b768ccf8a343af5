"""python -m demo_factory --db demo [--products 300] [--seed 42] [--fresh|--keep]

--keep (what `make demo` uses) leaves an existing demo database as it is, with
whatever the users did in it, and builds one only when it is missing;
--fresh (`make demo-reset`) always rebuilds. The database is built under a
temporary name and renamed when complete, so an interrupted build never
leaves a half-made demo that --keep would then keep.
"""
import argparse
import datetime as dt
import json
import sys

from . import database, erp


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
    parser.add_argument('--erp-port', type=int, default=erp.DEFAULT_PORT,
        help="loopback port of the fake Kingdee ERP the demo posts to "
        "(0: any free port, for builds that run side by side)")
    parser.add_argument('--history-only', action='store_true',
        help="the bulk history alone, without the flows (benchmarks)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument('--fresh', action='store_true',
        help="rebuild the database even if it exists")
    mode.add_argument('--keep', action='store_true',
        help="keep an existing database; build only when it is missing")
    options = parser.parse_args(argv)

    if options.keep and database.exists(options.db, options.uri):
        print(f'Demo database "{options.db}" kept as it is '
            '(make demo-reset rebuilds it).', file=sys.stderr)
        print(json.dumps({'kept': options.db}))
        return 0
    if not options.erp_port:
        options.erp_port = erp.free_port()
    building = database.building_name(options.db)
    try:
        counts = build(building, options)
    except BaseException:
        database.drop(building, options.uri)
        raise
    database.rename(building, options.db, options.uri)
    print(json.dumps(counts, sort_keys=True))
    return 0


def build(name, options):
    "A fresh copy of the template, the factory, then its outbox posted"
    database.configure(options.uri)
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError

    from .build import Options, generate
    build_options = Options(products=options.products, seed=options.seed,
        days=options.days, end_date=options.end_date,
        erp_url=erp.url(options.erp_port),
        live_days=0 if options.history_only else 10,
        flows=not options.history_only)
    extras = {}
    while True:
        database.fresh(name, options.uri)
        Pool.stop(name)
        Pool(name).init()
        try:
            with Transaction().start(name, 0, **extras) as transaction:
                counts = generate(build_options)
                transaction.commit()
            break
        except TransactionError as error:
            # The build commits as it goes: start again from a fresh copy,
            # with the table locks taken up front as Tryton asks
            error.fix(extras)
    if not options.history_only:
        counts.update(erp.post_outbox(name, options))
    # no connection of ours may stay open on a database being renamed
    from trytond import backend
    Pool.stop(name)
    backend.Database(name).close()
    return counts


if __name__ == '__main__':
    sys.exit(main())
