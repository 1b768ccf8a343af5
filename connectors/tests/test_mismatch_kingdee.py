"""Issue 21, Kingdee K3Cloud: one test per mismatch with the real system (sample-driven fake)."""
import unittest

from connectors.errors import AuthError, BusinessError, ConnectorError
from connectors.fakes.kingdee import FakeKingdee
from connectors.kingdee import KingdeeClient

from .helpers import TIMEOUT, mv, no_wait, session


class Case(unittest.TestCase):
    def fake(self, **kw):
        fake = FakeKingdee(stock_rows=30, **kw).start()
        self.addCleanup(fake.stop)
        return fake

    def client(self, fake, **kw):
        args = dict(fake.client_kwargs(), retry=no_wait(4), timeout=TIMEOUT, session=session())
        args.update(kw)
        c = KingdeeClient(**args)
        self.addCleanup(c.close)
        return c


class KingdeeMismatchTest(Case):
    def test_7_1_login_with_null_kdsvcsessionid_posts(self):
        fake = self.fake(login_sample="7.1")
        for auth in ("password", "appsecret"):
            with self.subTest(auth=auth):
                c = self.client(fake, **fake.client_kwargs(auth=auth))
                r = c.post_movement(mv("MOVE-71-" + auth))
                self.assertEqual(fake.bill("STK_InStock", r.number).status, "C")
                self.assertTrue(c.sid)

    def test_is_success_string_false_is_a_refusal(self):
        fake = self.fake(bool_style="string")
        c = self.client(fake)
        with self.assertRaises(BusinessError) as cm:
            c.post_movement(mv("MOVE-NOPE", product_code="NOPE"))
        self.assertIn("NOPE", cm.exception.message)
        self.assertEqual(fake.request_counts["Submit"] + fake.request_counts["Audit"], 0)

    def test_stock_pages_are_ordered_and_limited_to_our_organisation(self):
        fake = self.fake(other_org_rows=5, unordered_paging="shuffle")
        rows = list(self.client(fake).iter_stock(page_size=7))
        keys = [(r.product_code, r.warehouse_code, r.lot) for r in rows]
        self.assertEqual(len(keys), 30)
        self.assertEqual(len(set(keys)), 30)                  # no page overlapped another
        self.assertEqual(sum(r.quantity for r in rows), sum(q for *_, q in fake.stock.rows()))
        for form, flt, order, start, limit in fake.query_log:
            self.assertEqual((form, order), ("STK_Inventory", "FID ASC"))
            self.assertIn("FStockOrgId.FNumber='100'", flt)

    def test_session_lost_is_not_retried_endlessly(self):
        fake = self.fake()
        c = self.client(fake, retry=no_wait(6))
        c.test_connection()
        fake.revoked = True               # authorisation withdrawn: every call answers MsgCode 1
        before = sum(fake.request_counts.values())
        with self.assertRaises(AuthError) as cm:
            c.post_movement(mv("MOVE-REVOKED"))
        self.assertFalse(cm.exception.retryable)
        self.assertEqual(fake.logins, 2)                     # the first login and ONE re-login
        self.assertLessEqual(sum(fake.request_counts.values()) - before, 3)

    def test_duplicates_refused_beyond_the_bill_number_lookup(self):
        # The site's coding rule replaces FBillNo: the look-up by our key finds nothing.
        fake = self.fake(coding_rule=True)
        c = self.client(fake)
        with self.assertRaises(ConnectorError) as cm:
            c.post_movement(mv("MOVE-CODED"))
        self.assertEqual(cm.exception.code, "bill_number_rule")
        self.assertFalse(cm.exception.retryable)
        # A retry sends the same packet: ValidateRepeatJson makes Kingdee itself refuse it.
        with self.assertRaises(BusinessError) as cm:
            c.post_movement(mv("MOVE-CODED"))
        self.assertIn("重复", cm.exception.message)
        self.assertEqual(sum(fake.documents_per_key("STK_InStock").values()), 1)
        self.assertEqual(fake.applied_total, 0)
