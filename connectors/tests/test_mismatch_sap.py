"""Issue 21, SAP S/4HANA: one test per mismatch with the real system (sample-driven fake)."""
import unittest

from connectors.errors import InvalidMovement, UnsupportedKind
from connectors.fakes.sap import FakeSAP
from connectors.sap_odata import SapODataClient

from .helpers import HOLD, TIMEOUT, mv, no_wait, session


def smv(key, kind="receipt", **line):
    base = {"warehouse_code": "1010", "location_code": "0001"}
    base.update(line)
    return mv(key, kind, **base)


class SapMismatchTest(unittest.TestCase):
    def fake(self, **kw):
        fake = FakeSAP(stock_rows=30, hold_seconds=HOLD, **kw).start()
        self.addCleanup(fake.stop)
        return fake

    def client(self, fake, **kw):
        args = dict(fake.client_kwargs(), retry=no_wait(4), timeout=TIMEOUT, session=session())
        args.update(kw)
        c = SapODataClient(**args)
        self.addCleanup(c.close)
        return c

    def doc(self, fake, result):
        return fake.docs.docs[tuple(result.remote_id.split("/"))]

    def test_plant_to_plant_transfer_is_301(self):
        fake = self.fake()
        c = self.client(fake)
        before = fake.stock.get("P000001", "1020", "L01", "0001")
        r = c.post_movement(smv("MOVE-301", "transfer", to_warehouse_code="1020", to_location_code="0001"))
        item = self.doc(fake, r)["items"][0]
        self.assertEqual((item["GoodsMovementType"], item["IssuingOrReceivingPlant"]), ("301", "1020"))
        self.assertEqual(fake.stock.get("P000001", "1020", "L01", "0001"), before + 5)
        r = c.post_movement(smv("MOVE-311", "transfer", to_location_code="0002"))
        self.assertEqual(self.doc(fake, r)["items"][0]["GoodsMovementType"], "311")

    def test_counts_post_through_physical_inventory_as_701_702(self):
        fake = self.fake()
        c = self.client(fake)
        book = fake.stock.get("P000001", "1010", "L01", "0001")
        gain = c.post_movement(smv("CNT-GAIN", "count_gain", quantity=4))
        loss = c.post_movement(smv("CNT-LOSS", "count_loss", quantity=6))
        self.assertEqual(fake.stock.get("P000001", "1010", "L01", "0001"), book - 2)
        types = {d["MaterialDocumentHeaderText"]: d["items"][0]["GoodsMovementType"] for d in fake.docs.docs.values()}
        self.assertEqual(types, {"CNT-GAIN": "701", "CNT-LOSS": "702"})
        self.assertTrue(gain.remote_id.startswith("PI/") and loss.number)
        self.assertEqual(fake.request_counts["odata.POST API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentHeader"], 0)
        again = c.post_movement(smv("CNT-GAIN", "count_gain", quantity=4))
        self.assertEqual((again.remote_id, again.already_existed), (gain.remote_id, True))
        self.assertEqual(fake.applied_counts["CNT-GAIN"], 1)

    def test_counts_post_once_under_ambiguous_failures(self):
        fake = self.fake()
        c = self.client(fake)
        book = fake.stock.get("P000001", "1010", "L01", "0001")
        ops = ("POST API_PHYSICAL_INVENTORY_DOC_SRV/A_PhysInventoryDocHeader",
               "PATCH API_PHYSICAL_INVENTORY_DOC_SRV/A_PhysInventoryDocItem",
               "POST API_PHYSICAL_INVENTORY_DOC_SRV/PostDifferences")
        for n, op in enumerate(ops):
            for kind in ("commit_then_fail", "timeout", "server_error"):
                key = "CNT-%d-%s" % (n, kind[:6])
                with self.subTest(op=op, kind=kind):
                    fake.faults.push(kind, "odata." + op)
                    c.post_movement(smv(key, "count_gain", quantity=1))
                    self.assertEqual(fake.applied_counts[key], 1)
                    self.assertEqual(len(fake.faults.queue), 0)       # the fault did fire
        self.assertEqual(fake.stock.get("P000001", "1010", "L01", "0001"), book + 9)
        self.assertEqual(sum(fake.documents_per_key().values()), 9)

    def test_delivery_movement_is_configurable(self):
        fake = self.fake()
        c = self.client(fake, movement_types={"delivery": None})
        with self.assertRaises(UnsupportedKind):
            c.post_movement(smv("MOVE-DLV", "delivery"))
        self.assertEqual(fake.applied_total, 0)
        c = self.client(fake, movement_types={"delivery": ("03", "601")})
        found = [f for f in c.check(kinds=["delivery"]) if f.code == "unconfirmed"]
        self.assertTrue(any("601" in f.text for f in found))

    def test_stock_types_are_not_counted_as_free_stock(self):
        fake = self.fake(stock_type_rows=[("P000001", "1010", "0001", "L01", 3.0, "", "02"),
                                          ("P000001", "1010", "0001", "L01", 2.0, "", "07"),
                                          ("P000001", "1010", "0001", "L01", 9.0, "K", "01", "V100")])
        rows = [r for r in self.client(fake).iter_stock(material="P000001") if r.warehouse_code == "1010"]
        by_type = {r.stock_type: r.quantity for r in rows}
        self.assertEqual(set(by_type), {"free", "qc", "blocked"})
        self.assertEqual((float(by_type["qc"]), float(by_type["blocked"])), (3.0, 2.0))
        self.assertEqual(float(by_type["free"]), fake.stock.get("P000001", "1010", "L01", "0001"))

    def test_pages_are_ordered(self):
        fake = self.fake(unordered_paging="shuffle")
        rows = list(self.client(fake).iter_stock(page_size=7))
        keys = [(r.product_code, r.warehouse_code, r.lot) for r in rows]
        self.assertEqual((len(keys), len(set(keys))), (30, 30))

    def test_lock_errors_are_retried(self):
        fake = self.fake()
        c = self.client(fake)
        fake.locks = 2
        r = c.post_movement(smv("MOVE-LOCK"))
        self.assertTrue(r.number)
        self.assertEqual((fake.locks, fake.applied_counts["MOVE-LOCK"]), (0, 1))

    def test_key_longer_than_header_text_is_refused_and_reported(self):
        fake = self.fake()
        c = self.client(fake)
        key = "TRYTON-FACTORYDB-MOVE-123456"
        with self.assertRaises(InvalidMovement):
            c.post_movement(smv(key))
        found = [f for f in c.check(key=key, kinds=["receipt"]) if f.code == "key_length"]
        self.assertEqual([(f.status, f.params["limit"]) for f in found], [("missing", 25)])
        self.assertEqual(fake.applied_total, 0)
