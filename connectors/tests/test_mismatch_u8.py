"""Issue 21, Yonyou U8 OpenAPI: one test per mismatch with the real system (sample-driven fake)."""
import unittest

from connectors.errors import TransportError, UnsupportedKind
from connectors.fakes.yonyou import FakeU8
from connectors.yonyou import YonyouU8Client

from .helpers import TIMEOUT, mv, no_wait, session


class U8MismatchTest(unittest.TestCase):
    def fake(self, **kw):
        fake = FakeU8(stock_rows=kw.pop("stock_rows", 30), **kw).start()
        self.addCleanup(fake.stop)
        return fake

    def client(self, fake, **kw):
        args = dict(fake.client_kwargs(), retry=no_wait(4), timeout=TIMEOUT, session=session(), sync=True)
        args.update(kw)
        c = YonyouU8Client(**args)
        self.addCleanup(c.close)
        return c

    def test_no_match_20002_is_an_empty_pull(self):
        fake = self.fake(stock_rows=0)
        self.assertEqual(list(self.client(fake).iter_stock()), [])
        self.assertEqual(fake.request_counts["currentstock/batch_get"], 1)

    def test_client_does_not_depend_on_unpublished_codes(self):
        # Codes other than 0/20002/30021 are unknown: the fake answers others, the client
        # still tells token expiry, duplicates and refusals apart by their messages.
        fake = self.fake(codes={"token": "71001", "duplicate": "71002", "stock": "71003", "rate": "71004"},
                         biz_id_replay="refuse")
        c = self.client(fake)
        self.assertEqual(len(list(c.iter_stock())), 30)
        fake.expire_auth()
        self.assertEqual(len(list(c.iter_stock())), 30)
        self.assertEqual(c.stats["relogins"], 1)
        r1 = c.post_movement(mv("MOVE-1"))
        r2 = c.post_movement(mv("MOVE-1"))
        self.assertEqual((r2.remote_id, r2.already_existed), (r1.remote_id, True))
        self.assertEqual(fake.applied_counts["MOVE-1"], 1)

    def test_delivery_is_not_posted_as_saleout_add(self):
        fake = self.fake()
        c = self.client(fake)
        with self.assertRaises(UnsupportedKind) as cm:
            c.post_movement(mv("MOVE-DLV", "delivery"))
        self.assertEqual(cm.exception.code, "unsupported_kind")
        self.assertIn("saleout/add", cm.exception.message)
        self.assertFalse(cm.exception.retryable)
        self.assertEqual([op for op in fake.request_counts if op.endswith("/add")], [])
        # A site that has a confirmed voucher for it configures it.
        c = self.client(fake, vouchers={"delivery": "otherout"})
        self.assertTrue(c.post_movement(mv("MOVE-DLV", "delivery")).remote_id)

    def test_eai_proxy_down_is_retried(self):
        fake = self.fake()
        c = self.client(fake, retry=no_wait(4))
        fake.proxy_down = 2
        self.assertEqual(len(list(c.iter_stock())), 30)
        fake.proxy_down = 2
        c.post_movement(mv("MOVE-PROXY"))
        self.assertEqual(fake.applied_counts["MOVE-PROXY"], 1)
        fake.proxy_down = 10
        with self.assertRaises(TransportError) as cm:
            c.post_movement(mv("MOVE-PROXY-2"))
        self.assertTrue(cm.exception.retryable)
        self.assertIn("客户端未登录", cm.exception.message)

    def test_biz_id_and_tradeid_semantics(self):
        fake = self.fake(biz_id_replay="same")
        c = self.client(fake)
        fake.faults.push("commit_then_fail", "purchasein/add")
        r = c.post_movement(mv("MOVE-BIZ"))                 # replayed with the SAME biz_id, one voucher
        self.assertTrue(r.remote_id)
        self.assertEqual(fake.documents_per_key(), {"MOVE-BIZ": 1})
        add = fake.request_counts["purchasein/add"]
        self.assertEqual(add, 2)
        t = self.client(fake, idempotency="tradeid")
        fake.faults.push("commit_then_fail", "purchasein/add")
        t.post_movement(mv("MOVE-TRADE"))                   # one tradeid for the movement, reused on replay
        self.assertEqual(fake.request_counts["tradeid"], 1)
        self.assertEqual(sum(1 for v in fake.vouchers.values() if v["body"]["memory"] == "MOVE-TRADE"), 1)
