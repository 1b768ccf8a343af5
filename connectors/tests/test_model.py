import datetime
import unittest
from decimal import Decimal

from connectors.errors import InvalidMovement
from connectors.model import Movement, StockRow, to_decimal

from .helpers import mv


class MovementTest(unittest.TestCase):
    def test_coerce_valid(self):
        m = Movement.coerce(mv("MOVE-1", quantity="2.5"))
        self.assertEqual(m.key, "MOVE-1")
        self.assertEqual(m.date, datetime.date(2025, 3, 1))
        self.assertEqual(m.lines[0].quantity, Decimal("2.5"))
        self.assertIs(Movement.coerce(m), m)

    def test_rejections_name_the_problem(self):
        cases = [
            ({"kind": "receipt"}, "no 'key'"),
            (dict(mv("K"), kind="scrap"), "kind 'scrap'"),
            (dict(mv("K"), date="01/02/2025"), "is not a date"),
            (dict(mv("K"), lines=[]), "has no lines"),
            (mv("K", quantity=0), "must be positive"),
            (mv("K", quantity="abc"), "not a number"),
            (mv("K", product_code=""), "needs product_code"),
            (mv("K", kind="transfer"), "needs to_warehouse_code"),
        ]
        for value, text in cases:
            with self.subTest(text=text):
                with self.assertRaises(InvalidMovement) as cm:
                    Movement.coerce(value)
                self.assertIn(text, str(cm.exception))
                self.assertEqual(cm.exception.code, "invalid_movement")
                self.assertFalse(cm.exception.retryable)

    def test_stock_row_and_decimal(self):
        row = StockRow("P1", "WH01", "L1", to_decimal(1.1))
        self.assertEqual(row.as_dict()["quantity"], Decimal("1.1"))
        self.assertEqual(to_decimal("10.000"), Decimal("10"))
        self.assertEqual(to_decimal(None), Decimal(0))
