"""No credential in any error text, detail, traceback or log line (issue 21 §4, issue 17 item 11).

Each client posts to a loopback port where nothing listens (and U8/Kingdee/SAP
also after a successful login, when the token or session id is live), with
every logger at DEBUG; then every text we could store or show is searched.
"""
import io
import json
import logging
import socket
import traceback
import unittest

from connectors import make_client
from connectors.errors import ConnectorError
from connectors.fakes import FakeKingdee, FakeSAP, FakeU8
from connectors.redact import redact

from .helpers import mv, no_wait, session

SECRETS = {"password": "Pw-Kd-91827", "app_secret": "AppSec-U8-55301", "sap": "Sap-Pw-77123",
           "kd_app": "Kd-AppSecret-4412"}


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class SecretsTest(unittest.TestCase):
    def setUp(self):
        self.log = io.StringIO()
        handler = logging.StreamHandler(self.log)
        handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        root = logging.getLogger()
        self.addCleanup(root.removeHandler, handler)
        self.addCleanup(root.setLevel, root.level)
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)

    def texts(self, exc):
        yield str(exc)
        yield repr(exc)
        yield exc.message
        yield json.dumps(exc.details, default=str, ensure_ascii=False)
        yield "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))

    def assert_clean(self, exc, secrets):
        logging.getLogger("connectors").exception("posting failed: %s", exc)   # as a caller would log it
        texts = list(self.texts(exc)) + [self.log.getvalue()]
        for secret in secrets:
            for text in texts:
                self.assertNotIn(secret, text)

    def post(self, client, movement):
        with self.assertRaises(ConnectorError) as cm:
            client.post_movement(movement)
        return cm.exception

    def test_unreachable_host_every_client(self):
        port = closed_port()
        url = "http://127.0.0.1:%d/" % port
        common = dict(retry=no_wait(2), timeout=(0.5, 0.5), session=session())
        clients = [
            ("kingdee", dict(base_url=url + "k3cloud/", acct_id="A1", username="u1", password=SECRETS["password"])),
            ("kingdee", dict(base_url=url + "k3cloud/", acct_id="A1", username="u1", app_id="1_x",
                             app_secret=SECRETS["kd_app"], auth="signed")),
            ("yonyou", dict(base_url=url, from_account="dev", to_account="ent", app_key="key1",
                            app_secret=SECRETS["app_secret"])),
            ("sap", dict(base_url=url + "sap/opu/odata/sap/", username="U1", password=SECRETS["sap"],
                         storage_location="0001")),
            ("sap-soap", dict(endpoint=url + "sap/bc/srt/rfc/sap/x", username="U1", password=SECRETS["sap"],
                              storage_location="0001")),
        ]
        for system, kw in clients:
            with self.subTest(system=system):
                client = make_client(system, **dict(common, session=session()), **kw)
                exc = self.post(client, mv("MOVE-UNREACHABLE", warehouse_code="1010"))
                self.assertTrue(exc.retryable)
                self.assert_clean(exc, SECRETS.values())

    def test_host_gone_after_login_live_tokens_stay_hidden(self):
        cases = [
            (FakeU8(stock_rows=3, app_secret=SECRETS["app_secret"]), "yonyou", lambda c: [c.token]),
            (FakeKingdee(stock_rows=3, password=SECRETS["password"]), "kingdee", lambda c: [c.sid]),
            (FakeSAP(stock_rows=3, password=SECRETS["sap"]), "sap", lambda c: [c.csrf]),
        ]
        for fake, system, live in cases:
            with self.subTest(system=system):
                fake.start()
                client = make_client(system, **fake.client_kwargs(), retry=no_wait(2), timeout=(0.5, 0.5),
                                     session=session())
                list(client.iter_stock())                    # logged in: token / session / CSRF token live
                tokens = [t for t in live(client) if t]
                self.assertTrue(tokens)
                fake.stop()                                  # now the port is closed
                client.session.close()                       # and no kept-alive connection left
                exc = self.post(client, mv("MOVE-GONE", warehouse_code="1010", location_code="0001"))
                self.assert_clean(exc, list(SECRETS.values()) + tokens)

    def test_redact_masks_secret_parameters_and_known_values(self):
        url = ("GET https://api.yonyouup.com/system/token?from_account=a&app_key=k&app_secret=abc123xyz "
               "and /api/x?token=843d03f66e6544e19707ccec11030296&page_index=1")
        clean = redact(url)
        self.assertNotIn("abc123xyz", clean)
        self.assertNotIn("843d03f66e", clean)
        self.assertIn("page_index=1", clean)
        self.assertEqual(redact('{"password": "hunter22", "user": "x"}'), '{"password": "***", "user": "x"}')
        self.assertEqual(redact("the value Top-Secret-9 here", ["Top-Secret-9"]), "the value *** here")
