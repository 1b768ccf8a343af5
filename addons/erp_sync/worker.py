# This file is part of the factory addons.
"""Post the ERP outbox of a database once, from the command line.

    python -m trytond.modules.erp_sync.worker -d DATABASE [-c trytond.conf]

Production runs the same code as a task of ``trytond-worker``: ir.cron
"Post ERP Outbox" queues it (docs/DEPLOYMENT.md); this entry point exists
for operators and for the crash test, which kills it mid-batch and starts
it again.  Safe to run several at
once: records are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL.
"""
import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('-c', '--config', default=None)
    parser.add_argument('-u', '--user', type=int, default=0,
        help="user id to run as (0 = root, as trytond-cron)")
    parser.add_argument('--limit', type=int, default=None,
        help="stop after that many records")
    options = parser.parse_args(argv)

    from trytond import config
    if options.config:
        config.update_etc(options.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    pool = Pool(options.database)
    with Transaction().start(options.database, 0, readonly=True):
        pool.init()
    with Transaction().start(options.database, options.user) as transaction:
        Outbox = pool.get('erp.sync.outbox')
        handled = Outbox.process(limit=options.limit)
        transaction.commit()
    print('%d outbox records handled' % handled, flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
