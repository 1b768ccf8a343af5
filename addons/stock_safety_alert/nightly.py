# This file is part of stock_safety_alert.  The nightly run: usage, then
# safety stock and order points, then alerts, for every company.
import datetime as dt
import logging

from sql import Select

from trytond import backend
from trytond.ir.cron import str2bigint
from trytond.model import Model
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from .bulk import without_cyclic_gc
from .demand import Snapshot

logger = logging.getLogger(__name__)


class NightlyRun(Model):
    __name__ = 'stock.safety.nightly'
    __string__ = "Safety Stock Nightly Run"

    @classmethod
    def run(cls, warehouses=None):
        """The scheduled task: statistics once, then safety stock and order
        points, then alerts, per company"""
        pool = Pool()
        Alert = pool.get('stock.alert')
        Config = pool.get('stock.safety.configuration')
        Parameter = pool.get('stock.safety.parameter')
        Usage = pool.get('stock.safety.usage')
        Company = pool.get('company.company')
        Location = pool.get('stock.location')
        Date = pool.get('ir.date')
        if not cls._lock_run():
            logger.info("stock alert run skipped: another one is running")
            return False
        if backend.name == 'postgresql':
            # a few dozen statements over tens of thousands of rows, each
            # of which JIT would compile for up to a tenth of a second
            Transaction().connection.cursor().execute('SET LOCAL jit = off')
        config = Config(1)
        if warehouses is None:
            warehouses = Location.search([('type', '=', 'warehouse')])
        # one day for the whole run: the totals and the snapshots agree
        today, started = Date.today(), dt.datetime.now()
        with without_cyclic_gc():
            # Every company's pending usage is merged by one call
            Usage.bring_up_to_date(
                Snapshot.window_start(today, config.window_days))
            for company in Company.search([]):
                with Transaction().set_context(company=company.id):
                    snapshot = Snapshot.collect(
                        warehouses, today, company.id)
                    snapshot.config = config
                    Parameter.compute(snapshot, config)
                    Alert.refresh(snapshot, notify=config.notify,
                        email=config.notify_email)
        with without_check_access():
            Config.write([Config(1)], {'last_run': started})
        return True

    @classmethod
    def _lock_run(cls):
        """Try to take the run lock until the end of the transaction.

        Two overlapping runs (the cron and "Run Once", two workers) would
        insert the same alert keys; the second one is skipped instead, as the
        first computes the same result. On PostgreSQL this is a transaction
        advisory lock, which never blocks nor touches a table users write to;
        SQLite lets only one writer in at a time anyway (lock_id is TRUE)."""
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        cursor.execute(*Select([transaction.database.lock_id(
                        str2bigint('stock.alert,run'))]))
        return bool(cursor.fetchone()[0])
