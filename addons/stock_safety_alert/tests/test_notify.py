# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"E-mail to responsible users and overlapping runs."
from trytond import config
from trytond.pool import Pool
from trytond.sendmail import SMTPDataManager
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from .smtp import SMTPServer
from .tools import Fixture


def deliver_mails():
    """Run the commit phase of the transaction's SMTP data manager: the test
    transaction is rolled back, and trytond sends mails only on commit"""
    transaction = Transaction()
    for manager in transaction._datamanagers:
        if isinstance(manager, SMTPDataManager):
            manager.tpc_vote(transaction)
            manager.tpc_finish(transaction)


class SafetyNotifyTestCase(DBTestCase):
    "E-mail notifications and run lock"
    module = 'stock_safety_alert'

    def setUp(self):
        super().setUp()
        self.smtp = SMTPServer()
        self.addCleanup(self.smtp.stop)
        for key, value in [('uri', self.smtp.uri), ('from', 'erp@example.com')]:
            old = config.get('email', key)
            config.set('email', key, value)
            self.addCleanup(config.set, 'email', key, old)

    def site(self):
        pool = Pool()
        User = pool.get('res.user')
        Zone = pool.get('stock.location.zone')
        fx = Fixture.build()
        fx.keeper = User(login='keeper', name="Keeper",
            email='keeper@example.com')
        fx.keeper.save()
        fx.mute = User(login='mute', name="Mute")
        fx.mute.save()
        zone = Zone(name="Raw", code="RAW", warehouse=fx.wh,
            responsible=fx.keeper)
        zone.save()
        fx.storage.zone = zone
        fx.storage.save()
        return fx

    @with_transaction()
    def test_email_opt_in_to_assignee(self):
        pool = Pool()
        Alert = pool.get('stock.alert')
        Config = pool.get('stock.safety.configuration')
        fx = self.site()
        # issued without a receipt: a negative stock alert for the keeper
        fx.issue(fx.product("First"), 2, 1)
        Pool().get('stock.safety.nightly').run()
        deliver_mails()
        self.assertEqual(self.smtp.messages, [], "e-mail is opt-in")

        config = Config(1)
        config.notify_email = True
        config.save()
        fx.issue(fx.product("Second"), 3, 1)
        Pool().get('stock.safety.nightly').run()
        deliver_mails()
        (sender, to, msg), = self.smtp.messages
        self.assertEqual((sender, to), ('<erp@example.com>',
                ['keeper@example.com']))
        self.assertEqual(msg['Subject'], "1 new stock alerts for you")
        body = msg.get_payload(decode=True).decode()
        # only the new alert, with its description and proposed action
        self.assertIn('Second', body)
        self.assertNotIn('First', body)
        alert, = Alert.search([('product.rec_name', '=', 'Second')])
        self.assertIn(alert.proposal, body)

    @with_transaction()
    def test_email_only_users_with_address(self):
        pool = Pool()
        Alert = pool.get('stock.alert')
        Config = pool.get('stock.safety.configuration')
        Zone = pool.get('stock.location.zone')
        fx = self.site()
        Zone.write([fx.storage.zone], {'responsible': fx.mute.id})
        config = Config(1)
        config.notify_email = True
        config.save()
        fx.issue(fx.product("Third"), 2, 1)
        Pool().get('stock.safety.nightly').run()
        deliver_mails()
        alert, = Alert.search([])
        self.assertEqual(alert.assignee, fx.mute)
        self.assertEqual(self.smtp.messages, [])

    @with_transaction()
    def test_overlapping_run_is_skipped(self):
        pool = Pool()
        Alert = pool.get('stock.alert')
        fx = self.site()
        fx.issue(fx.product("Fourth"), 2, 1)
        self.assertTrue(Pool().get('stock.safety.nightly').run())
        # the lock lasts until the end of the transaction: re-entrant
        self.assertTrue(Pool().get('stock.safety.nightly').run())
        transaction = Transaction()
        if transaction.database.has_select_for():
            # PostgreSQL: a second connection while this run holds the lock
            with transaction.new_transaction() as other:
                self.assertFalse(Pool().get('stock.safety.nightly').run())
                cursor = other.connection.cursor()
                cursor.execute('SELECT COUNT(*) FROM stock_alert')
                self.assertEqual(cursor.fetchone()[0], 0)
        else:
            # SQLite: one writer at a time, lock_id is always granted
            self.assertTrue(Pool().get('stock.safety.nightly')._lock_run())
        self.assertEqual(len(Alert.search([])), 1)


del DBTestCase
