"""Who does what, and when: the demo's real flows run as the user whose job
it is, one call at a time, on a simulated day.

`Actors.call('li', func, ...)` runs func in its own transaction as user li
with access checks on (Tryton's `_check_access` context, as for a client
call), so a rule the addons enforce in the model also holds for the demo;
like the RPC dispatcher it restarts the call with the table or record locks
the code asked for. `on_day(date)` moves the clock with time-machine, so
that everything that reads the date (Date.today(), a lot's QC hold date, a
task's posted date, the outbox dates) sees the simulated day: the demo is
the same whatever day it is built on.
"""
import contextlib
import datetime as dt
import logging

import time_machine

from trytond.pool import Pool
from trytond.transaction import Transaction, TransactionError

ROOT = 0
# tables the flows lock (seen in builds): taken from the first call on
KNOWN_LOCKS = ['account_configuration', 'account_journal_period',
    'stock_product_abc', 'stock_safety_configuration']
logger = logging.getLogger(__name__)


class Actors:

    def __init__(self, company=None, users=()):
        self.company = company.id if company else None
        self.users = dict(users)
        self.users['admin'] = Pool().get('ir.model.data').get_id(
            'res', 'user_admin')
        self.users['cron'] = ROOT
        self.calls = 0
        # the table locks the flows asked for: later calls take them up
        # front instead of starting again (one build process, no contention)
        self.locks = list(KNOWN_LOCKS)

    def call(self, login, func, *args, **kwargs):
        return self._call(login, True, func, *args, **kwargs)

    def call_unchecked(self, login, func, *args, **kwargs):
        """As call() but without the access checks: only where an access
        right the role needs is missing in an addon (named at the caller)"""
        return self._call(login, False, func, *args, **kwargs)

    def _call(self, login, check, func, *args, **kwargs):
        """func(*args, **kwargs) as a client call of `login` ('cron': a
        scheduled task, as root) in a transaction of its own, committed;
        the build's transaction is committed first so that the call sees
        it (and SQLite lets the call write)"""
        # not at import: the backend is chosen by the configuration, which
        # `python -m demo_factory` sets after importing this package
        from trytond import backend
        outer = Transaction()
        outer.commit()
        user = self.users[login]
        name = getattr(func, '__qualname__', repr(func))
        extras = {'_lock_tables': list(self.locks)}
        context = {'_check_access': check and user != ROOT}
        if self.company:
            context.update(company=self.company, companies=[self.company])
        while True:
            with outer.new_transaction(**extras) as transaction:
                if backend.name == 'sqlite':
                    # trytond's SQLite shares one connection per database in
                    # a thread, and Cache.sync at the start of a transaction
                    # may have left it in autocommit: a call that restarts
                    # would keep what its first try wrote
                    transaction.connection.isolation_level = 'IMMEDIATE'
                try:
                    with transaction.set_user(user), \
                            transaction.set_context(context):
                        result = func(*args, **kwargs)
                except TransactionError as error:
                    # as trytond's dispatcher: again, with the locks the
                    # code asked for
                    transaction.rollback()
                    error.fix(extras)
                    logger.debug("%s restarts with the locks %s", name,
                        extras)
                    self.locks = list(extras.get('_lock_tables', []))
                    continue
            self.calls += 1
            return result


@contextlib.contextmanager
def on_day(date, hour=10):
    """The clock shows `date` at `hour` (local time) while inside.

    Calls made inside stamp their rows with that time on SQLite (its
    CURRENT_TIMESTAMP is the clock at the transaction's start); PostgreSQL
    stamps the real time."""
    moment = dt.datetime.combine(date, dt.time(hour))
    with time_machine.travel(moment, tick=False):
        yield
