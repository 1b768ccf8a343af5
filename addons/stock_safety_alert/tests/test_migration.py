# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"Columns renamed by an update keep their values."
import datetime as dt

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

MODULE = 'stock_safety_alert'


class SafetyMigrationTestCase(DBTestCase):
    "Migrations of stock_safety_alert"
    module = MODULE

    def check_rename(self, model, old, new, **required):
        "A database with the old column: the update renames it, values kept"
        Model = Pool().get(model)
        table = Model.__table__()
        cursor = Transaction().connection.cursor()
        stamp = dt.datetime(2026, 1, 2, 3, 4, 5)
        cursor.execute(*table.insert(
                [getattr(table, n) for n in [new, *required]],
                [[stamp, *required.values()]]))
        Model.__table_handler__(MODULE).column_rename(new, old)

        Model.__register__(MODULE)
        handler = Model.__table_handler__(MODULE)
        self.assertTrue(handler.column_exist(new))
        self.assertFalse(handler.column_exist(old))
        cursor.execute(*table.select(getattr(table, new)))
        value, = cursor.fetchone()
        if isinstance(value, str):  # SQLite
            value = dt.datetime.fromisoformat(value)
        self.assertEqual(value, stamp)

    @with_transaction()
    def test_parameter_computed_at(self):
        self.check_rename('stock.safety.parameter', 'computed_at',
            'changed_at')

    @with_transaction()
    def test_alert_last_seen(self):
        self.check_rename('stock.alert', 'last_seen', 'changed_at',
            key='dead:1:2:', type='dead', state='open')


del DBTestCase
