"""Contract tests of YonyouU8Client against FakeU8 (contract §2.1)."""
import unittest

from connectors.errors import AuthError, BusinessError, InvalidMovement, ServerError, TransportError
from connectors.fakes.yonyou import FakeU8
from connectors.yonyou import YonyouU8Client

from .helpers import HOLD, TIMEOUT, mv, no_wait, session


class U8Case(unittest.TestCase):
    fake_kw = {}

    def setUp(self):
        self.fake = FakeU8(stock_rows=30, hold_seconds=HOLD, **self.fake_kw).start()
        self.addCleanup(self.fake.stop)
        self.sleeps = []
        self.client = self.make_client()

    def make_client(self, **kw):
        args = dict(self.fake.client_kwargs(), retry=no_wait(6, self.sleeps), timeout=TIMEOUT, session=session())
        args.update(kw)
        client = YonyouU8Client(**args)
        self.addCleanup(client.close)
        return client

    def qty(self, product="P000001", wh="WH01", lot="L01"):
        return self.fake.stock.get(product, wh, lot)


class ReadTest(U8Case):
    def test_token_then_paged_stock(self):
        self.assertIn("50 inventory record", self.client.test_connection())
        rows = list(self.client.iter_stock(page_size=7))
        self.assertEqual(len(rows), 30)
        self.assertEqual(self.fake.request_counts["currentstock/batch_get"], 5)
        self.assertEqual((rows[4].product_code, rows[4].warehouse_code, rows[4].lot), ("P000001", "WH02", "L01"))
        self.assertEqual(self.fake.request_counts["token"], 1)

    def test_exact_multiple_uses_page_count(self):
        self.assertEqual(len(list(self.client.iter_stock(page_size=10))), 30)
        self.assertEqual(self.fake.request_counts["currentstock/batch_get"], 3)

    def test_filters_and_manual_change(self):
        self.fake.set_stock("P000004", "WH02", 7, lot="L04")
        rows = list(self.client.iter_stock(invcode_begin="P000004", invcode_end="P000004", whcode_begin="WH02",
                                           whcode_end="WH02"))
        self.assertEqual([(r.product_code, int(r.quantity)) for r in rows], [("P000004", 7)])

    def test_materials(self):
        mats = list(self.client.iter_materials(page_size=15))
        self.assertEqual((len(mats), mats[0].code, mats[0].uom), (50, "P000000", "PCS"))

    def test_page_size_over_maximum_is_business_error(self):
        self.fake.max_rows_per_page = 5
        with self.assertRaises(BusinessError) as cm:
            list(self.client.iter_stock(page_size=10))
        self.assertEqual(cm.exception.code, self.fake.codes["bad_request"])

    def test_wrong_secret_is_auth_error_not_retried(self):
        c = self.make_client(app_secret="nope-wrong")
        with self.assertRaises(AuthError) as cm:
            list(c.iter_stock())
        self.assertIn("app_secret", str(cm.exception))
        self.assertEqual(self.fake.request_counts["token"], 1)

    def test_unauthorised_enterprise_30021(self):
        c = self.make_client(to_account="other")
        with self.assertRaises(AuthError) as cm:
            c.test_connection()
        self.assertEqual(cm.exception.code, "auth_failed")
        self.assertIn("30021", cm.exception.message)

    def test_expired_token_is_refetched_once(self):
        list(self.client.iter_stock())
        self.fake.expire_auth()
        self.assertEqual(len(list(self.client.iter_stock())), 30)
        self.assertEqual(self.client.stats["relogins"], 1)
        self.assertEqual(self.fake.request_counts["token"], 2)

    def test_token_refreshed_before_it_expires(self):
        list(self.client.iter_stock())
        self.client.token_expiry = 0        # as if its lifetime (expiresIn) had run out
        list(self.client.iter_stock())
        self.assertEqual(self.fake.request_counts["token"], 2)
        self.assertEqual(self.client.stats["relogins"], 0)   # no server refusal needed

    def test_transient_faults_are_retried(self):
        for kind in ("server_error", "timeout", "malformed", "rate_limit", "duplicate", "expire"):
            self.fake.faults.push(kind, "currentstock")
        for _ in range(6):
            self.assertEqual(len(list(self.client.iter_stock(page_size=100))), 30)
        self.assertEqual(sum(v for k, v in self.client.stats.items() if k.startswith("retry_")), 4)
        self.assertEqual(self.client.stats["relogins"], 1)

    def test_rate_limit_errcode_exhausts_to_a_retryable_error(self):
        c = self.make_client(retry=no_wait(2))
        self.fake.faults.push("rate_limit", "currentstock", times=2)
        with self.assertRaises(TransportError) as cm:
            list(c.iter_stock())
        self.assertTrue(cm.exception.retryable)
        self.assertIn("频率", cm.exception.message)


class WriteTest(U8Case):
    fake_kw = {"async_polls": 2}

    def test_every_kind_async_with_polling(self):
        # No delivery: there is no saleout/add (test_mismatch_u8).
        cases = [("receipt", {}, 5, 0), ("issue", {}, -5, 0), ("transfer", {"to_warehouse_code": "WH02"}, -5, 5),
                 ("count_gain", {}, 5, 0), ("count_loss", {}, -5, 0)]
        for kind, extra, d1, d2 in cases:
            with self.subTest(kind=kind):
                a, b = self.qty(), self.qty(wh="WH02")
                r = self.client.post_movement(mv("MOVE-" + kind, kind, **extra))
                self.assertFalse(r.already_existed)
                self.assertEqual((self.qty(), self.qty(wh="WH02")), (a + d1, b + d2))
                again = self.client.post_movement(mv("MOVE-" + kind, kind, **extra))
                self.assertEqual((again.remote_id, again.already_existed), (r.remote_id, True))
        self.assertEqual(set(self.fake.applied_counts.values()), {1})
        self.assertEqual(self.fake.request_counts["result"], 5 * 2 * 3)     # 2 "pending" + 1 final per add
        self.assertEqual(self.sleeps.count(1.0), 30)                        # ping_after honoured, injected sleep
        voucher = self.fake.vouchers[r.remote_id]
        self.assertEqual((voucher["voucher"], voucher["body"]["memory"]), ("otherout", "MOVE-count_loss"))

    def test_sync_mode_and_tradeid_mode(self):
        c = self.make_client(sync=True)
        r = c.post_movement(mv("MOVE-S"))
        self.assertTrue(r.remote_id)
        self.assertEqual(self.fake.request_counts["result"], 0)
        t = self.make_client(idempotency="tradeid", sync=True)
        self.assertFalse(t.post_movement(mv("MOVE-T")).already_existed)
        self.assertEqual(self.fake.request_counts["tradeid"], 1)
        self.assertEqual(self.fake.applied_counts["MOVE-T"], 1)

    def test_business_errors_not_retried(self):
        with self.assertRaises(BusinessError) as cm:
            self.client.post_movement(mv("MOVE-BIG", "issue", quantity=10 ** 6))
        self.assertEqual(cm.exception.code, self.fake.codes["stock"])
        self.assertIn("现存量不足", cm.exception.message)
        with self.assertRaises(BusinessError) as cm:
            self.client.post_movement(mv("MOVE-NOPE", product_code="NOPE"))
        self.assertEqual(cm.exception.code, self.fake.codes["unknown_code"])
        self.assertEqual(self.fake.request_counts["materialout/add"] + self.fake.request_counts["purchasein/add"], 2)
        self.assertEqual(self.fake.applied_total, 0)

    def test_multi_warehouse_movement_is_invalid(self):
        lines = [{"product_code": "P000001", "warehouse_code": w, "quantity": 1} for w in ("WH01", "WH02")]
        with self.assertRaises(InvalidMovement):
            self.client.post_movement(mv("MOVE-2WH", lines=lines))

    def test_ambiguous_failures_post_once(self):
        kinds = ["server_error", "timeout", "malformed", "commit_then_fail", "duplicate", "rate_limit", "expire"]
        for op in ("purchasein/add", "result"):
            for kind in kinds:
                key = "MOVE-%s-%s" % (op[:6], kind)
                with self.subTest(op=op, kind=kind):
                    before = self.qty()
                    self.fake.faults.push(kind, op)
                    self.client.post_movement(mv(key))
                    self.assertEqual(self.fake.applied_counts[key], 1)
                    self.assertEqual(self.qty(), before + 5)
        self.assertEqual(set(self.fake.documents_per_key().values()), {1})

    def test_retries_are_bounded(self):
        c = self.make_client(retry=no_wait(3))
        self.fake.faults.push("server_error", "purchasein/add", times=5)
        with self.assertRaises(ServerError):
            c.post_movement(mv("MOVE-DOWN"))
        self.assertEqual(self.fake.request_counts["purchasein/add"], 3)
