"""Contract tests of KingdeeClient against FakeKingdee (contract §1)."""
import unittest

from connectors.errors import AuthError, BusinessError, ConnectorError, RateLimited, ServerError
from connectors.fakes.kingdee import FakeKingdee
from connectors.kingdee import KingdeeClient, signed_headers

from .helpers import HOLD, TIMEOUT, mv, no_wait, session


class KingdeeCase(unittest.TestCase):
    fake_kw = {}

    def setUp(self):
        self.fake = FakeKingdee(stock_rows=30, hold_seconds=HOLD, **self.fake_kw).start()
        self.addCleanup(self.fake.stop)
        self.client = self.make_client()

    def make_client(self, **kw):
        args = dict(self.fake.client_kwargs(), retry=no_wait(6), timeout=TIMEOUT, session=session())
        args.update(kw)
        client = KingdeeClient(**args)
        self.addCleanup(client.close)
        return client

    def qty(self, product="P000001", wh="WH01", lot="L01"):
        return self.fake.stock.get(product, wh, lot)


class AuthTest(KingdeeCase):
    def test_signature_matches_vendor_sdk(self):
        # Output of kingdee-cdp-webapi-sdk 8.2.0 WebApiClient.BuildHeader with time.time() = 1700000000.5.
        h = signed_headers("http://127.0.0.1:9/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService."
                           "Save.common.kdsvc", app_id="224466_ABCDabcd0123456789+/ABCDabcd0123",
                           app_secret="s3cr3t-app-secret", acct_id="FAKE01", username="demo", lcid=2052,
                           org_num=100, timestamp=1700000000.5)
        self.assertEqual(h["X-Api-ClientID"], "224466")
        self.assertEqual(h["x-api-timestamp"], "1700000000")
        self.assertEqual(h["X-Kd-Appdata"], "RkFLRTAxLGRlbW8sMjA1MiwxMDA=")
        self.assertEqual(h["X-Api-Signature"], "ZGFhNjczOTExYjg5MmQ1Mjk4NmZlMDAxYTc1OWFmMWQ3OGU5OWJkNDE2ZjlmYTg1MDlh"
                                               "ODA5NjdjYzAxYjMyNg==")
        self.assertEqual(h["X-Kd-Signature"], "Nzk1MzEyYjAwNWMxYWFkNWZlYzMzMTg0MjAzYzIxNzVkNDMxNjg4ODk4OTgyMDA3YzNi"
                                              "NjJjYzkyYThlMzc5MA==")

    def test_three_login_modes(self):
        for auth in ("appsecret", "signed"):
            with self.subTest(auth=auth):
                c = self.make_client(**self.fake.client_kwargs(auth=auth))
                self.assertIn("logged in", c.test_connection())
        self.assertIn("password", self.client.test_connection())
        self.assertEqual(self.fake.logins, 2)   # password + appsecret; signed needs no session

    def test_bad_password_is_auth_error_not_retried(self):
        c = self.make_client(password="wrong")
        with self.assertRaises(AuthError) as cm:
            c.test_connection()
        self.assertIn("refused the login of user 'demo'", str(cm.exception))
        self.assertEqual(self.fake.request_counts["ValidateUser"], 1)

    def test_bad_signature_is_session_lost_then_auth_error(self):
        c = self.make_client(**dict(self.fake.client_kwargs(auth="signed"), app_secret="forged"))
        with self.assertRaises(AuthError):
            list(c.iter_materials())

    def test_session_lost_relogs_in_once_and_replays(self):
        self.client.test_connection()
        self.fake.expire_auth()
        self.assertEqual(len(list(self.client.iter_stock())), 30)
        result = self.client.post_movement(mv("MOVE-1"))
        self.fake.expire_auth()
        self.client.post_movement(mv("MOVE-2"))
        self.assertEqual(result.number, "MOVE-1")
        self.assertEqual(self.client.stats["relogins"], 2)
        self.assertEqual(self.fake.logins, 3)

    def test_positional_bodies(self):
        c = self.make_client(body_style="positional")
        self.assertEqual(c.post_movement(mv("MOVE-P")).number, "MOVE-P")
        self.assertEqual(len(list(c.iter_stock(page_size=7))), 30)


class QueryTest(KingdeeCase):
    def test_paged_stock_stops_on_short_page(self):
        rows = list(self.client.iter_stock(page_size=7))
        self.assertEqual(len(rows), 30)
        self.assertEqual(self.fake.request_counts["ExecuteBillQuery"], 5)    # 7+7+7+7+2
        self.assertEqual(rows[0].as_dict(), {"product_code": "P000000", "warehouse_code": "WH01",
                                             "location_code": "", "lot": "L00", "quantity": rows[0].quantity,
                                             "stock_type": "free"})
        rows = list(self.client.iter_stock(page_size=10))                      # exact multiple: one empty page
        self.assertEqual((len(rows), self.fake.request_counts["ExecuteBillQuery"]), (30, 9))

    def test_filter_and_remote_manual_change(self):
        self.fake.set_stock("P000002", "WH03", 42, lot="L02")
        rows = list(self.client.iter_stock("FMaterialId.FNumber='P000002' and FStockId.FNumber='WH03'"))
        self.assertEqual([(r.product_code, r.warehouse_code, r.lot, int(r.quantity)) for r in rows],
                         [("P000002", "WH03", "L02", 42)])

    def test_materials(self):
        mats = list(self.client.iter_materials(page_size=20))
        self.assertEqual(len(mats), 50)
        self.assertEqual((mats[3].code, mats[3].name, mats[3].active), ("P000003", "Material P000003", True))

    def test_query_errors_are_business_errors_not_retried(self):
        with self.assertRaises(BusinessError) as cm:
            list(self.client.query("STK_Inventory", "FNoSuchField"))
        self.assertEqual(cm.exception.code, "9")
        self.assertIn("FNoSuchField", cm.exception.message)
        with self.assertRaises(BusinessError) as cm:
            list(self.client.query("NO_FORM", "FID"))
        self.assertIn("业务对象不存在", cm.exception.message)
        self.assertEqual(self.fake.request_counts["ExecuteBillQuery"], 2)

    def test_limit_over_server_maximum_is_refused(self):
        self.fake.max_limit = 5
        with self.assertRaises(BusinessError) as cm:
            list(self.client.iter_stock(page_size=10))
        self.assertEqual(cm.exception.code, "8")

    def test_transient_faults_on_reads_are_retried(self):
        for kind in ("server_error", "timeout", "malformed", "rate_limit", "duplicate", "expire"):
            self.fake.faults.push(kind, "ExecuteBillQuery")
        rows = []
        for _ in range(6):
            rows = list(self.client.iter_stock(page_size=50))
        self.assertEqual(len(rows), 30)
        self.assertEqual(self.client.stats["retry_server_error"], 1)
        self.assertEqual(self.client.stats["retry_timeout"], 1)
        self.assertEqual(self.client.stats["retry_malformed_response"], 1)
        self.assertEqual(self.client.stats["retry_rate_limited"], 1)
        self.assertEqual(self.client.stats["relogins"], 1)

    def test_retries_are_bounded(self):
        c = self.make_client(retry=no_wait(3))
        self.fake.faults.push("server_error", "ExecuteBillQuery", times=10)
        with self.assertRaises(ServerError):
            list(c.iter_stock())
        self.assertEqual(self.fake.request_counts["ExecuteBillQuery"], 3)

    def test_call_limit_msgcode_14_is_rate_limited(self):
        c = self.make_client(retry=no_wait(1))
        self.fake.faults.push("rate_limit", "ExecuteBillQuery")
        with self.assertRaises(RateLimited) as cm:
            list(c.iter_stock())
        self.assertIn("调用限制", cm.exception.message)


class PostTest(KingdeeCase):
    def test_every_kind_moves_stock_on_audit_once(self):
        before = {k: self.qty(*k) for k in [("P000001", "WH01", "L01"), ("P000001", "WH02", "L01")]}
        cases = [("receipt", {}, +5, 0), ("issue", {}, -5, 0), ("transfer", {"to_warehouse_code": "WH02"}, -5, +5),
                 ("delivery", {}, -5, 0), ("count_gain", {}, +5, 0), ("count_loss", {}, -5, 0)]
        expected = dict(before)
        forms = {"receipt": "STK_InStock", "issue": "PRD_PickMtrl", "transfer": "STK_TransferDirect",
                 "delivery": "SAL_OUTSTOCK", "count_gain": "STK_StockCountGain", "count_loss": "STK_StockCountLoss"}
        for kind, extra, d1, d2 in cases:
            with self.subTest(kind=kind):
                key = "MOVE-" + kind
                result = self.client.post_movement(mv(key, kind, **extra))
                self.assertEqual((result.number, result.already_existed), (key, False))
                self.assertEqual(self.fake.bill(forms[kind], key).status, "C")
                again = self.client.post_movement(mv(key, kind, **extra))
                self.assertEqual((again.remote_id, again.already_existed), (result.remote_id, True))
                expected[("P000001", "WH01", "L01")] += d1
                expected[("P000001", "WH02", "L01")] += d2
                self.assertEqual({k: self.qty(*k) for k in expected}, expected)
        self.assertEqual(set(self.fake.applied_counts.values()), {1})
        self.assertEqual(len(self.fake.applied_counts), 6)

    def test_unknown_material_is_refused_without_retry(self):
        with self.assertRaises(BusinessError) as cm:
            self.client.post_movement(mv("MOVE-X", product_code="NOPE"))
        self.assertEqual(cm.exception.code, "9")
        self.assertIn("NOPE", cm.exception.message)
        self.assertEqual(self.fake.request_counts["Save"], 1)

    def test_required_partner_is_checked(self):
        c = self.make_client(supplier="")
        with self.assertRaises(BusinessError) as cm:
            c.post_movement(mv("MOVE-NOSUP"))
        self.assertIn("FSupplierId", cm.exception.message)
        self.assertEqual(c.post_movement(dict(mv("MOVE-SUP"), partner_code="V9")).number, "MOVE-SUP")
        self.assertEqual(self.fake.bill("STK_InStock", "MOVE-SUP").model["FSupplierId"], {"FNumber": "V9"})

    def test_stock_deficit_leaves_bill_submitted_and_is_not_retried(self):
        for _ in range(2):
            with self.assertRaises(BusinessError) as cm:
                self.client.post_movement(mv("MOVE-BIG", "issue", quantity=10 ** 6))
            self.assertIn("即时库存不足", cm.exception.message)
        self.assertEqual(self.fake.bill("PRD_PickMtrl", "MOVE-BIG").status, "B")
        self.assertEqual(self.fake.request_counts["Save"], 1)
        self.assertEqual(self.fake.request_counts["Audit"], 2)   # once per call, no retries
        self.assertEqual(self.fake.applied_total, 0)

    def test_ambiguous_failures_on_each_step_post_once(self):
        steps = ["Save", "Submit", "Audit"]
        kinds = ["server_error", "timeout", "malformed", "commit_then_fail", "duplicate", "rate_limit", "expire"]
        n = 0
        for step in steps:
            for kind in kinds:
                n += 1
                key = "MOVE-%s-%s" % (step, kind)
                with self.subTest(step=step, kind=kind):
                    self.fake.faults.push(kind, step)
                    before = self.qty()
                    result = self.client.post_movement(mv(key))
                    self.assertEqual(result.number, key)
                    self.assertFalse(result.already_existed)
                    self.assertEqual(self.fake.applied_counts[key], 1)
                    self.assertEqual(self.qty(), before + 5)
        self.assertEqual(self.fake.documents_per_key("STK_InStock"), {k: 1 for k in self.fake.applied_counts})
        self.assertEqual(self.fake.applied_total, n)

    def test_bill_unaudited_by_hand_is_not_reaudited(self):
        self.client.post_movement(mv("MOVE-D"))
        with self.fake.lock:
            self.fake.bill("STK_InStock", "MOVE-D").status = "D"     # a person un-audited it
        with self.assertRaises(ConnectorError) as cm:
            self.client.post_movement(mv("MOVE-D"))
        self.assertEqual(cm.exception.code, "reversed_in_remote")
        self.assertFalse(cm.exception.retryable)
        self.assertEqual(self.fake.applied_counts["MOVE-D"], 1)

    def test_key_in_remark_field(self):
        c = self.make_client(key_field="FNote")
        r1 = c.post_movement(mv("MOVE-NOTE"))
        r2 = c.post_movement(mv("MOVE-NOTE"))
        self.assertTrue(r1.number.startswith("CGRK"))
        self.assertEqual((r2.remote_id, r2.already_existed), (r1.remote_id, True))
        self.assertEqual(self.fake.applied_counts["MOVE-NOTE"] + self.fake.applied_counts[r1.number], 1)
