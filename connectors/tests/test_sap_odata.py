"""Contract tests of SapODataClient against FakeSAP (contract §3.1–3.4)."""
import unittest

from connectors.errors import AuthError, BusinessError, InvalidMovement, ServerError
from connectors.fakes.sap import FakeSAP
from connectors.sap_odata import SapODataClient

from .helpers import HOLD, TIMEOUT, mv, no_wait, session

POST = "odata.POST API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentHeader"
LOOKUP = "odata.GET API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentHeader"


def smv(key, kind="receipt", **line):
    base = {"warehouse_code": "1010", "location_code": "0001"}
    base.update(line)
    return mv(key, kind, **base)


class SapCase(unittest.TestCase):
    fake_kw = {}

    def setUp(self):
        self.fake = FakeSAP(stock_rows=30, hold_seconds=HOLD, **self.fake_kw).start()
        self.addCleanup(self.fake.stop)
        self.client = self.make_client()

    def make_client(self, **kw):
        args = dict(self.fake.client_kwargs(), retry=no_wait(6), timeout=TIMEOUT, session=session())
        args.update(kw)
        client = SapODataClient(**args)
        self.addCleanup(client.close)
        return client

    def qty(self, product="P000001", plant="1010", lot="L01", sloc="0001"):
        return self.fake.stock.get(product, plant, lot, sloc)


class ReadTest(SapCase):
    def test_paging_top_skip(self):
        rows = list(self.client.iter_stock(page_size=7))
        self.assertEqual(len(rows), 30)
        self.assertEqual(self.fake.request_counts["odata.GET API_MATERIAL_STOCK_SRV/A_MatlStkInAcctMod"], 5)
        r = rows[3]
        self.assertEqual((r.product_code, r.warehouse_code, r.location_code, r.lot), ("P000001", "1010", "0001", "L01"))
        self.assertEqual(str(r.quantity), "%.3f" % self.qty())

    def test_server_driven_paging_follows_next(self):
        self.fake.max_page = 4        # server answers fewer rows than $top, with __next
        self.assertEqual(len(list(self.client.iter_stock(page_size=10))), 30)

    def test_filter_and_manual_change(self):
        self.fake.set_stock("P000005", "1030", 12.5, lot="L05")
        rows = list(self.client.iter_stock(plant="1030", material="P000005"))
        self.assertEqual([(r.product_code, str(r.quantity)) for r in rows], [("P000005", "12.500")])

    def test_materials_with_descriptions(self):
        mats = list(self.client.iter_materials(page_size=20))
        self.assertEqual((len(mats), mats[7].code, mats[7].name), (50, "P000007", "Material P000007"))

    def test_basic_auth_failure(self):
        c = self.make_client(password="wrong")
        with self.assertRaises(AuthError) as cm:
            list(c.iter_stock())
        self.assertIn("HTTP 401", cm.exception.message)

    def test_transient_faults_on_reads(self):
        for kind in ("server_error", "timeout", "malformed", "rate_limit", "duplicate", "expire"):
            self.fake.faults.push(kind, "A_MatlStkInAcctMod")
        for _ in range(6):
            self.assertEqual(len(list(self.client.iter_stock(page_size=100))), 30)
        self.assertEqual(sum(v for k, v in self.client.stats.items() if k.startswith("retry_")), 4)


class WriteTest(SapCase):
    def test_csrf_fetched_once_then_refetched_on_403_required(self):
        self.client.post_movement(smv("MOVE-1"))
        self.client.post_movement(smv("MOVE-2"))
        self.assertEqual(self.fake.csrf_fetches, 1)
        self.fake.expire_auth()                       # server forgets sessions and tokens
        self.client.post_movement(smv("MOVE-3"))
        self.assertEqual(self.fake.csrf_fetches, 2)
        self.assertEqual(self.client.stats["relogins"], 1)
        self.client.csrf = "stale-token"
        self.client.post_movement(smv("MOVE-4"))
        self.assertEqual(self.fake.csrf_fetches, 3)
        self.assertEqual(self.fake.applied_total, 4)

    def test_movement_recipes(self):
        cases = [
            ("receipt", {}, [("1010", "0001", +5)], "05", "501"),
            ("receipt", {"order": "4500000001"}, [("1010", "0001", +5)], "01", "101"),
            ("issue", {"order": "1000123"}, [("1010", "0001", -5)], "03", "261"),
            ("issue", {}, [("1010", "0001", -5)], "03", "201"),
            ("transfer", {"to_location_code": "0002"}, [("1010", "0001", -5), ("1010", "0002", +5)], "04", "311"),
            ("delivery", {}, [("1010", "0001", -5)], "03", "601"),
        ]   # plant-to-plant 301 and counts (701/702): test_mismatch_sap
        for i, (kind, extra, effects, gm, mvt) in enumerate(cases):
            with self.subTest(kind=kind, mvt=mvt):
                before = {(p, s): self.qty(plant=p, sloc=s) for p, s, _ in effects}
                key = "MOVE-%d" % i
                r = self.client.post_movement(smv(key, kind, **extra))
                doc = self.fake.docs.docs[tuple(r.remote_id.split("/"))]
                self.assertEqual((doc["GoodsMovementCode"], doc["items"][0]["GoodsMovementType"]), (gm, mvt))
                self.assertEqual(doc["MaterialDocumentHeaderText"], key)
                for p, s, d in effects:
                    self.assertEqual(self.qty(plant=p, sloc=s), before[(p, s)] + d)
                self.assertTrue(self.client.post_movement(smv(key, kind, **extra)).already_existed)
        self.assertEqual(set(self.fake.applied_counts.values()), {1})

    def test_error_json_is_business_error_not_retried(self):
        with self.assertRaises(BusinessError) as cm:
            self.client.post_movement(smv("MOVE-BIG", "issue", quantity=10 ** 6))
        self.assertEqual(cm.exception.code, "M7/021")
        self.assertIn("Deficit of SL Unrestricted-use", cm.exception.message)
        self.assertEqual(cm.exception.details["status"], 400)
        self.assertEqual(self.fake.request_counts[POST], 1)

    def test_invalid_movements(self):
        with self.assertRaises(InvalidMovement):
            self.client.post_movement(smv("K" * 26))                          # header text is 25 chars
        with self.assertRaises(InvalidMovement):
            self.make_client(storage_location="").post_movement(mv("MOVE-NOSLOC", warehouse_code="1010"))
        with self.assertRaises(InvalidMovement):
            self.make_client(cost_center="").post_movement(smv("MOVE-NOCC", "issue"))

    def test_reference_document_as_key(self):
        c = self.make_client(key_field="ReferenceDocument")
        r = c.post_movement(smv("REF-1"))
        self.assertTrue(c.post_movement(smv("REF-1")).already_existed)
        self.assertEqual(self.fake.docs.docs[tuple(r.remote_id.split("/"))]["ReferenceDocument"], "REF-1")

    def test_ambiguous_failures_post_once(self):
        kinds = ["server_error", "timeout", "malformed", "commit_then_fail", "duplicate", "rate_limit", "expire"]
        for kind in kinds:
            key = "MOVE-" + kind
            with self.subTest(kind=kind):
                before = self.qty()
                self.fake.faults.push(kind, POST)
                self.client.post_movement(smv(key))
                self.assertEqual(self.fake.applied_counts[key], 1)
                self.assertEqual(self.qty(), before + 5)
        self.assertEqual(set(self.fake.documents_per_key().values()), {1})

    def test_lookup_failures_are_retried_then_bounded(self):
        self.fake.faults.push("timeout", LOOKUP)
        self.client.post_movement(smv("MOVE-L"))
        c = self.make_client(retry=no_wait(2))
        self.fake.faults.push("server_error", LOOKUP, times=10)
        with self.assertRaises(ServerError):
            c.post_movement(smv("MOVE-DOWN"))
        self.assertEqual(self.fake.applied_counts["MOVE-DOWN"], 0)
