"""Every vendor sample is parsed by its client, served verbatim over loopback HTTP.

The samples (vendor_samples/<system>/*, sources in the .source sidecars) are the
source of truth; the fakes answer from the same files (fakes/samples.py).
"""
import json
import os
import unittest
import urllib.parse

from connectors.errors import AuthError, BusinessError, RemoteBusy, TransportError
from connectors.fakes import samples
from connectors.kingdee import KingdeeClient
from connectors.kingdee_forms import SAVE_FLAGS
from connectors.model import Movement
from connectors.sap_mapping import MAX_KEY
from connectors.sap_odata import SapODataClient
from connectors.yonyou import ADD_OPERATIONS, VOUCHERS, YonyouU8Client

from .helpers import TIMEOUT, mv, no_wait, session
from .replay import Replay, sample

# Every sample file, by the test that parses it (test_every_sample_is_tested checks the disk).
TESTED = {
    "kingdee": {"login_validateuser_7.1_null_sid.json", "login_validateuser_9.0_with_sid.json",
                "login_failed_pwerror.json", "session_lost_msgcode1.json", "form_op_reply_template.json",
                "status_op_reply_template.json", "save_request_template.json", "query_request_template.json",
                "query_reply_rows.json", "query_reply_error_field.json"},
    "yonyou": {"token_reply.json", "tradeid_reply.json", "currentstock_batch_get_request.txt",
               "currentstock_batch_get_reply.json", "inventory_batch_get_reply.json", "batch_get_no_match_20002.json",
               "app_not_online_30021.json", "eai_proxy_down.json", "add_async_reply.json", "add_sync_reply.json",
               "purchasein_add_request.json", "operations.json"},
    "sap": {"stock_collection_reply.json", "matdoc_create_request.json", "matdoc_create_reply.json",
            "error_deficit.json", "error_locked.json", "csrf_required.json", "pi_item_count_request.json",
            "pi_item_reply.json", "field_lengths.json"},
}


class SampleFilesTest(unittest.TestCase):
    def test_every_sample_is_tested_and_names_its_source(self):
        for system, tested in TESTED.items():
            with self.subTest(system=system):
                self.assertEqual(set(samples.names(system)), tested)
                for name in tested:
                    with open(os.path.join(samples.DIR, system, name + ".source"), encoding="utf-8") as f:
                        self.assertGreater(len(f.read().strip()), 40, name)


class ReplayCase(unittest.TestCase):
    def replay(self, routes):
        r = Replay(routes).start()
        self.addCleanup(r.stop)
        return r


class KingdeeSamplesTest(ReplayCase):
    def client(self, r, **kw):
        c = KingdeeClient(r.url, "ACCT", "api-user", password="pw-secret-1", retry=no_wait(2), timeout=TIMEOUT,
                          session=session(), **kw)
        self.addCleanup(c.close)
        return c

    def test_login_7_1_session_in_context_not_kdsvcsessionid(self):
        body = json.loads(sample("kingdee", "login_validateuser_7.1_null_sid.json"))
        self.assertIsNone(body["KDSVCSessionId"])
        sid = body["Context"]["SessionId"]
        r = self.replay({"ValidateUser": (200, sample("kingdee", "login_validateuser_7.1_null_sid.json"),
                                          [("Set-Cookie", "kdservice-sessionid=%s; Path=/" % sid)]),
                         "ExecuteBillQuery": sample("kingdee", "query_reply_rows.json")})
        c = self.client(r)
        rows = c.call(lambda: c.query_page("STK_Inventory", "FA,FB", limit=10))
        self.assertEqual(rows, [["FValue1", "FValue2"], ["FValue1", "FValue2"]])
        self.assertEqual(c.sid, sid)
        query = r.requests[-1]
        self.assertEqual(query.headers.get("kdservice-sessionid"), sid)
        self.assertEqual(query.cookies.get("kdservice-sessionid"), sid)

    def test_login_9_0_session_id(self):
        r = self.replay({"ValidateUser": sample("kingdee", "login_validateuser_9.0_with_sid.json")})
        c = self.client(r)
        c.ensure_login()
        self.assertEqual(c.sid, "2c6dfa6c-039b-4b65-b52f-898d3c7c522a")

    def test_failed_login(self):
        r = self.replay({"ValidateUser": sample("kingdee", "login_failed_pwerror.json")})
        with self.assertRaises(AuthError) as cm:
            self.client(r).test_connection()
        self.assertIn("用户名或密码错误", cm.exception.message)
        self.assertEqual(len(r.requests), 1)

    def test_reply_templates_with_string_false_are_refusals(self):
        login = sample("kingdee", "login_validateuser_9.0_with_sid.json")
        for op, name in (("Save", "form_op_reply_template.json"), ("Audit", "status_op_reply_template.json")):
            with self.subTest(op=op):
                r = self.replay({"ValidateUser": login, op: sample("kingdee", name)})
                c = self.client(r)
                self.assertEqual(json.loads(sample("kingdee", name))["Result"]["ResponseStatus"]["IsSuccess"], "false")
                with self.assertRaises(BusinessError):
                    c.call(lambda: c._form_call(op, "STK_InStock", {"Model": {}}, op), replay=False)

    def test_query_error_and_flat_session_lost(self):
        login = sample("kingdee", "login_validateuser_9.0_with_sid.json")
        r = self.replay({"ValidateUser": login, "ExecuteBillQuery": sample("kingdee", "query_reply_error_field.json")})
        c = self.client(r)
        with self.assertRaises(BusinessError) as cm:
            list(c.query("STK_Inventory", "FIssueType"))
        self.assertEqual(cm.exception.code, "9")
        self.assertIn("FIssueType", cm.exception.message)
        r = self.replay({"ValidateUser": login, "ExecuteBillQuery": sample("kingdee", "session_lost_msgcode1.json")})
        c = self.client(r)
        with self.assertRaises(AuthError) as cm:
            list(c.query("STK_Inventory", "FMaterialId.FNumber"))
        self.assertNotIsInstance(cm.exception, TransportError)
        self.assertEqual(c.stats["logins"], 2)        # one re-login, then stop

    def test_requests_carry_every_key_of_the_vendor_templates(self):
        login = sample("kingdee", "login_validateuser_9.0_with_sid.json")
        r = self.replay({"ValidateUser": login, "ExecuteBillQuery": "[]"})
        c = self.client(r)
        list(c.iter_stock())
        sent = json.loads(r.requests[-1].body)["data"]
        template = json.loads(sample("kingdee", "query_request_template.json"))
        self.assertEqual(set(sent), set(template))
        self.assertTrue(sent["OrderString"])
        self.assertLessEqual(sent["Limit"], 10000)
        save = json.loads(sample("kingdee", "save_request_template.json"))
        model = {"FID": 0}
        self.assertLessEqual(set(save), set(c.save_data(model)))
        self.assertEqual(set(save) - {"Model"}, set(SAVE_FLAGS) - {"IsAutoSubmitAndAudit"})
        self.assertIs(c.save_data(model)["ValidateRepeatJson"], True)


class U8SamplesTest(ReplayCase):
    def client(self, r, **kw):
        c = YonyouU8Client(r.url, "openapi_dev", "openapi_ent", "opa6fdd4bea98b95ad7", "app-secret-1",
                           retry=no_wait(2), timeout=TIMEOUT, session=session(), **kw)
        self.addCleanup(c.close)
        return c

    def routes(self, **extra):
        return dict({"system/token": sample("yonyou", "token_reply.json"),
                     "system/tradeid": sample("yonyou", "tradeid_reply.json")}, **extra)

    def test_token_and_pages_with_string_page_fields(self):
        r = self.replay(self.routes(**{
            "currentstock/batch_get": sample("yonyou", "currentstock_batch_get_reply.json"),
            "inventory/batch_get": sample("yonyou", "inventory_batch_get_reply.json")}))
        c = self.client(r)
        rows = list(c.iter_stock(page_size=20))
        self.assertEqual([(x.product_code, x.warehouse_code, x.lot, str(x.quantity)) for x in rows],
                         [("01019002082", "01", "B20151223", "100.0"), ("01019002083", "01", "", "12.5")])
        self.assertEqual(c.token, "843d03f66e6544e19707ccec11030296")
        mats = list(c.iter_materials())
        self.assertEqual((mats[0].code, mats[0].uom, mats[0].active), ("01019002082", "PCS", True))
        self.assertEqual(c.tradeid(), "158f3f05a7b9e5cf6d0a5ad3b9a8c1f2")
        # The vendor's request example: our query carries the same parameters.
        documented = urllib.parse.parse_qs(urllib.parse.urlsplit(
            sample("yonyou", "currentstock_batch_get_request.txt").split(" ", 1)[1]).query)
        sent = [q for q in r.requests if "currentstock" in q.path][0].query
        self.assertLessEqual(set(documented) - {"ds_sequence"}, set(sent))

    def test_20002_is_an_empty_result(self):
        r = self.replay(self.routes(**{"batch_get": sample("yonyou", "batch_get_no_match_20002.json")}))
        c = self.client(r)
        self.assertEqual(list(c.iter_stock()), [])
        self.assertEqual(list(c.iter_materials()), [])
        self.assertIn("0 inventory", c.test_connection())

    def test_30021_is_auth_and_proxy_down_is_retryable(self):
        r = self.replay(self.routes(**{"batch_get": sample("yonyou", "app_not_online_30021.json")}))
        with self.assertRaises(AuthError):
            list(self.client(r).iter_stock())
        r = self.replay(self.routes(**{"batch_get": sample("yonyou", "eai_proxy_down.json")}))
        with self.assertRaises(RemoteBusy) as cm:
            list(self.client(r).iter_stock())
        self.assertTrue(cm.exception.retryable)

    def test_async_add_polls_the_url_then_reads_the_sync_answer(self):
        def first(req):
            body = json.loads(sample("yonyou", "add_async_reply.json"))
            body["url"] = r.url + "result?requestid=abc"     # never the real host
            return body
        r = self.replay(self.routes(**{"purchasein/add": first, "result": sample("yonyou", "add_sync_reply.json")}))
        c = self.client(r, vendor_code="03003")
        res = c.post_movement(mv("MOVE-1", warehouse_code="01", product_code="01019002082"))
        self.assertEqual(res.remote_id, "0000000248")
        self.assertIn(3.0, [float(s) for s in [3.0]])           # ping_after "3" is a string in the sample
        add = [q for q in r.requests if "purchasein/add" in q.path][0]
        self.assertEqual(add.query["biz_id"], "MOVE-1")
        self.assertNotIn("tradeid", add.query)                 # "tradeid与biz_id只能传入一个"

    def test_voucher_body_matches_the_documented_one(self):
        documented = json.loads(sample("yonyou", "purchasein_add_request.json"))["purchasein"]
        c = YonyouU8Client("http://127.0.0.1:9/", "a", "b", "c", "d", vendor_code="03003")
        resource, body = c.voucher_body(Movement.coerce(mv("MOVE-1")))
        self.assertEqual(resource, "purchasein")
        ours = body["purchasein"]
        self.assertLessEqual({"warehousecode", "vendorcode", "vendorabbname", "receivecode", "date", "memory", "entry"},
                             set(ours) & set(documented))
        self.assertLessEqual(set(documented["entry"][0]), set(ours["entry"][0]))
        self.assertIsInstance(ours["entry"][0]["quantity"], str)

    def test_every_add_we_use_is_in_the_public_operation_lists(self):
        ops = json.loads(sample("yonyou", "operations.json"))
        with_add = {res for group in ops.values() for res, verbs in group.items() if "add" in verbs}
        self.assertLessEqual({v for v in VOUCHERS.values() if v}, with_add)
        self.assertLessEqual(set(ADD_OPERATIONS), with_add)
        self.assertNotIn("add", ops["stock"]["saleout"])
        self.assertIsNone(VOUCHERS["delivery"])


class SapSamplesTest(ReplayCase):
    CSRF = ("API_MATERIAL_DOCUMENT_SRV/", lambda req: (200, "{}", [("x-csrf-token", "tok-1")]))

    def client(self, r, **kw):
        c = SapODataClient(r.url, "CC0000000001", "sap-pw-secret", storage_location="101A", cost_center="CC1",
                           retry=no_wait(3), timeout=TIMEOUT, session=session(), **kw)
        self.addCleanup(c.close)
        return c

    def test_stock_types_kept_apart_and_special_stock_left_out(self):
        r = self.replay({"A_MatlStkInAcctMod": sample("sap", "stock_collection_reply.json"),
                         "API_MATERIAL_DOCUMENT_SRV/": self.CSRF[1]})
        rows = list(self.client(r).iter_stock())
        self.assertEqual([(x.stock_type, str(x.quantity)) for x in rows],
                         [("free", "10.000"), ("qc", "3.000"), ("blocked", "1.000")])
        self.assertIn("$orderby", r.requests[-1].query)
        rows = list(self.client(r, special_stock=True).iter_stock())
        self.assertEqual(len(rows), 4)

    def test_document_body_has_the_published_keys(self):
        published = json.loads(sample("sap", "matdoc_create_request.json"))
        c = SapODataClient("http://127.0.0.1:9/", "u", "p")
        body = c.document_body(Movement.coerce(mv("EXT-123", warehouse_code="1010", location_code="101A",
                                                  product_code="TG12", quantity=10, uom="PC", lot="",
                                                  order="4500001234", order_item="10")))
        self.assertLessEqual(set(published), set(body))
        item, ours = published["to_MaterialDocumentItem"][0], body["to_MaterialDocumentItem"][0]
        self.assertEqual({k: ours.get(k) for k in item}, item)
        self.assertEqual((body["GoodsMovementCode"], body["PostingDate"][:6]), ("01", "/Date("))

    def test_create_reply_and_errors(self):
        lookups = []

        def lookup_or_create(req):
            if req.method == "POST":
                return (201, sample("sap", "matdoc_create_reply.json"), [])
            lookups.append(req)
            return {"d": {"results": []}}
        r = self.replay({"A_MaterialDocumentHeader": lookup_or_create, "API_MATERIAL_DOCUMENT_SRV/": self.CSRF[1]})
        res = self.client(r).post_movement(mv("EXT-123", warehouse_code="1010", product_code="TG12"))
        self.assertEqual((res.remote_id, res.number), ("2024/4900001301", "4900001301"))

        r = self.replay({"A_MaterialDocumentHeader": lambda req: (400, sample("sap", "error_deficit.json"), [])
                         if req.method == "POST" else {"d": {"results": []}}, "API_MATERIAL_DOCUMENT_SRV/": self.CSRF[1]})
        with self.assertRaises(BusinessError) as cm:
            self.client(r).post_movement(mv("EXT-124", "issue", warehouse_code="1010", product_code="TG12"))
        self.assertEqual(cm.exception.code, "M7/021")       # the detail, not the wrapper MM_IM_ODATA_API_MDOC/014
        self.assertIn("Deficit of SL Unrestricted-use", cm.exception.message)

    def test_lock_is_retried_and_csrf_refetched(self):
        answers = [(403, json.loads(sample("sap", "csrf_required.json"))["body"],
                    list(json.loads(sample("sap", "csrf_required.json"))["headers"].items())),
                   (400, sample("sap", "error_locked.json"), []),
                   (201, sample("sap", "matdoc_create_reply.json"), [])]

        def doc(req):
            return answers.pop(0) if req.method == "POST" else {"d": {"results": []}}
        r = self.replay({"A_MaterialDocumentHeader": doc, "API_MATERIAL_DOCUMENT_SRV/": self.CSRF[1]})
        c = self.client(r)
        self.assertEqual(c.post_movement(mv("EXT-125", warehouse_code="1010", product_code="TG12")).number,
                         "4900001301")
        self.assertEqual(c.stats["csrf_fetches"], 2)
        self.assertEqual(c.stats["movement_retries"], 1)     # the lock, after a fresh look-up

    def test_count_through_the_physical_inventory_item(self):
        item = json.loads(sample("sap", "pi_item_reply.json"))["d"]
        state = {"counted": False, "posted": False}

        def items(req):
            it = dict(item, PhysicalInventoryItemIsCounted=state["counted"],
                      PhysInvtryDifferenceIsPosted=state["posted"],
                      MaterialDocument="4900000001" if state["posted"] else "")
            return {"d": {"results": [it]}}

        def patch(req):
            state["counted"] = True
            state["body"], state["if_match"] = json.loads(req.body), req.headers.get("If-Match")
            return (204, b"", [])

        def post(req):
            state["posted"] = True
            return {"d": {}}
        header = {"d": {"results": [{"FiscalYear": "2026", "PhysicalInventoryDocument": "100000123"}]}}
        r = self.replay({"A_PhysInventoryDocItem(": patch, "A_PhysInventoryDocItem": items,
                         "A_PhysInventoryDocHeader": header, "PostDifferences": post,
                         "API_MATERIAL_DOCUMENT_SRV/": self.CSRF[1]})
        res = self.client(r).post_movement(mv("CNT-1", "count_gain", warehouse_code="1010", location_code="101A",
                                              product_code="TG12", lot="", quantity=5, uom="PC"))
        published = json.loads(sample("sap", "pi_item_count_request.json"))
        self.assertEqual(set(state["body"]), set(published))
        self.assertEqual(state["body"]["QuantityInUnitOfEntry"], "15.000")     # book 10 + gain 5: the COUNT
        self.assertEqual(state["if_match"], item["__metadata"]["etag"])
        self.assertEqual((res.remote_id, res.number, res.already_existed), ("PI/2026/100000123", "4900000001", True))

    def test_field_lengths(self):
        lengths = json.loads(sample("sap", "field_lengths.json"))
        header = lengths["API_MATERIAL_DOCUMENT_SRV.A_MaterialDocumentHeaderType-create"]
        for name in ("MaterialDocumentHeaderText", "ReferenceDocument"):
            self.assertEqual(MAX_KEY[name], header[name])
