# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The bulk writes store every value as the ORM would read it back:
quotes, backslashes, braces and commas in text, NULLs, exact floats, ints
in float columns, dates, timestamps, decimals and booleans."""
import datetime as dt
from decimal import Decimal

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)

from ..bulk import bulk_insert, bulk_update, invalidate_cache

TEXTS = ['a "quoted", {braced} key', 'back\\slash\\', 'NULL', '', ' sp ']


class SafetyBulkTestCase(DBTestCase):
    "Bulk insert and update of the run"
    module = 'stock_safety_alert'

    @with_transaction()
    def test_values_round_trip(self):
        Alert = Pool().get('stock.alert')
        now = dt.datetime(2026, 12, 5, 1, 2, 3, 123456)
        names = ['key', 'type', 'state', 'quantity', 'threshold',
            'occurrences', 'value', 'date', 'detected_at']
        rows = [[key, 'dead', 'open', 0.1 + 0.2 * i, None if i else 3,
                i + 1, Decimal('12.34') * i, dt.date(2026, 1, 1 + i), now]
            for i, key in enumerate(TEXTS)]
        bulk_insert(Alert, names, rows)
        invalidate_cache('stock.alert')
        alerts = {a.key: a for a in Alert.search([])}
        self.assertEqual(sorted(alerts), sorted(TEXTS))
        for key, _, _, qty, threshold, count, value, date, when in rows:
            alert = alerts[key]
            self.assertEqual(alert.quantity, qty)  # exact, not rounded
            self.assertEqual(alert.threshold, threshold)
            self.assertEqual(alert.occurrences, count)
            self.assertEqual(alert.value, value)
            self.assertEqual(alert.date, date)
            # PostgreSQL keeps timestamps to the second
            self.assertEqual(alert.detected_at.replace(microsecond=0),
                when.replace(microsecond=0))

        later = now + dt.timedelta(days=1)
        bulk_update(Alert, ['note', 'lead_time', 'days_of_cover', 'date'],
            [[alerts[k].id, k + '\n"', 7, None, None] for k in TEXTS[1:]],
            constants={'changed_at': later, 'occurrences': 2})
        invalidate_cache('stock.alert')
        for alert in Alert.search([('key', '!=', TEXTS[0])]):
            self.assertEqual(alert.note, alert.key + '\n"')
            self.assertEqual(alert.lead_time, 7.0)
            self.assertIsNone(alert.days_of_cover)
            self.assertIsNone(alert.date)
            self.assertEqual(alert.changed_at.replace(microsecond=0),
                later.replace(microsecond=0))
            self.assertEqual(alert.occurrences, 2)
        # a row not listed keeps its values, constants included
        first, = Alert.search([('key', '=', TEXTS[0])])
        self.assertIsNone(first.note)
        self.assertIsNone(first.changed_at)
        self.assertEqual(first.occurrences, 1)


del DBTestCase
