"""Contract tests of SapSoapClient (zeep, shipped WSDL) against FakeSAP's SOAP endpoint (§3.7)."""
import unittest

import requests

from connectors.errors import AuthError, BusinessError, MalformedResponse, ServerError
from connectors.fakes.sap import FakeSAP
from connectors.model import Movement
from connectors.sap_odata import SapODataClient
from connectors.sap_soap import SapSoapClient

from .helpers import HOLD, TIMEOUT, mv, no_wait, session

SOAP = "soap.BapiGoodsmvtCreate"


def smv(key, kind="receipt", **line):
    base = {"warehouse_code": "1010", "location_code": "0001"}
    base.update(line)
    return mv(key, kind, **base)


class SoapTest(unittest.TestCase):
    def setUp(self):
        self.fake = FakeSAP(stock_rows=30, hold_seconds=HOLD).start()
        self.addCleanup(self.fake.stop)
        self.odata = SapODataClient(**self.fake.client_kwargs(), retry=no_wait(6), timeout=TIMEOUT, session=session())
        self.client = self.make_client(lookup=self.odata)

    def make_client(self, **kw):
        args = dict(self.fake.client_kwargs(soap=True), retry=no_wait(6), timeout=TIMEOUT, session=session())
        args.update(kw)
        client = SapSoapClient(**args)
        self.addCleanup(client.close)
        return client

    def qty(self, sloc="0001"):
        return self.fake.stock.get("P000001", "1010", "L01", sloc)

    def test_transfer_posts_and_replay_is_found_by_odata_lookup(self):
        a, b = self.qty(), self.qty("0002")
        r = self.client.post_movement(smv("MOVE-1", "transfer", to_location_code="0002"))
        self.assertEqual((self.qty(), self.qty("0002")), (a - 5, b + 5))
        doc = self.fake.docs.docs[tuple(r.remote_id.split("/"))]
        self.assertEqual((doc["GoodsMovementCode"], doc["items"][0]["GoodsMovementType"]), ("04", "311"))
        again = self.client.post_movement(smv("MOVE-1", "transfer", to_location_code="0002"))
        self.assertEqual((again.number, again.already_existed), (r.number, True))
        self.assertEqual(self.fake.request_counts[SOAP], 1)

    def test_return_type_e_is_business_error(self):
        with self.assertRaises(BusinessError) as cm:
            self.client.post_movement(smv("MOVE-BIG", "issue", quantity=10 ** 6))
        self.assertEqual(cm.exception.code, "M7/021")
        self.assertEqual(cm.exception.details["return"][0]["Type"], "E")
        self.assertEqual(self.fake.request_counts[SOAP], 1)

    def test_test_run_changes_nothing(self):
        mvt = self.client.movement_call(Movement.coerce(smv("MOVE-TR")))
        before = self.qty()
        self.assertEqual(self.client.goods_movement(*mvt, test_run=True), ("", "0000"))
        self.assertEqual((self.qty(), self.fake.applied_total), (before, 0))

    def test_lookup_by_url(self):
        c = self.make_client()                      # client_kwargs(soap=True) gives lookup=<OData URL>
        r = c.post_movement(smv("MOVE-U"))
        self.assertTrue(c.post_movement(smv("MOVE-U")).already_existed)
        self.assertEqual(self.fake.request_counts[SOAP], 1)
        self.assertTrue(r.number)

    def test_without_lookup_ambiguous_failures_are_raised_not_resent(self):
        bare = self.make_client(lookup=None)
        for kind, error in (("server_error", ServerError), ("malformed", MalformedResponse),
                            ("commit_then_fail", ServerError)):
            self.fake.faults.push(kind, SOAP)
            with self.subTest(kind=kind), self.assertRaises(error):
                bare.post_movement(smv("MOVE-" + kind))
        self.assertEqual(self.fake.request_counts[SOAP], 3)
        self.assertEqual(self.fake.applied_total, 2)       # malformed and commit_then_fail had posted

    def test_with_lookup_ambiguous_failures_post_once(self):
        for kind in ("server_error", "timeout", "malformed", "commit_then_fail", "rate_limit", "duplicate"):
            key = "MOVE-" + kind
            with self.subTest(kind=kind):
                self.fake.faults.push(kind, SOAP)
                self.client.post_movement(smv(key))
                self.assertEqual(self.fake.applied_counts[key], 1)
        self.assertEqual(set(self.fake.documents_per_key().values()), {1})

    def test_auth_failure_and_soap_fault(self):
        with self.assertRaises(AuthError):
            self.make_client(password="wrong", lookup=None).post_movement(smv("MOVE-A"))
        resp = requests.post(self.fake.soap_url, data=b"<not-soap", auth=("FAKEUSER", "fakepass"), timeout=5)
        self.assertEqual(resp.status_code, 500)
        self.assertIn(b"Fault", resp.content)

    def test_wsdl_is_served_with_the_fake_address(self):
        resp = requests.get(self.fake.soap_url + "?wsdl", auth=("FAKEUSER", "fakepass"), timeout=5)
        self.assertIn(self.fake.soap_url.encode(), resp.content)
        c = SapSoapClient(self.fake.soap_url, "FAKEUSER", "fakepass", storage_location="0001",
                          wsdl=self.fake.soap_url + "?wsdl", retry=no_wait(2), timeout=TIMEOUT)
        self.assertTrue(c.post_movement(smv("MOVE-W")).number)
