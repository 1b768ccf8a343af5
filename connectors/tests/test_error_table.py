"""The per-vendor error table decides auth / retryable / business (issue 21 §3)."""
import unittest

from connectors import error_table as t
from connectors.errors import AuthError, BusinessError, RemoteBusy, SessionExpired, from_class


class ErrorTableTest(unittest.TestCase):
    def test_classes_become_the_right_errors(self):
        cases = {t.AUTH: (AuthError, False), t.RETRYABLE: (RemoteBusy, True), t.BUSINESS: (BusinessError, False),
                 t.RELOGIN: (SessionExpired, True)}
        for cls, (error, retryable) in cases.items():
            exc = from_class(cls, "kingdee", 7, "text")
            self.assertIsInstance(exc, error)
            self.assertEqual(exc.retryable, retryable)

    def test_vendor_codes_and_words(self):
        c = t.classify
        # Kingdee MsgCode list of the vendor page (form_op_reply_template.json.source)
        self.assertEqual([c("kingdee", code=n) for n in (1, 2, 7, 11, 13, 14, 15)],
                         [t.RELOGIN, t.AUTH, t.AUTH, t.BUSINESS, t.RETRYABLE, t.RETRYABLE, t.AUTH])
        self.assertEqual(c("kingdee", code=0, message="会话信息已丢失，请重新登录"), t.RELOGIN)
        self.assertEqual(c("kingdee", code=0, message="您没有该功能的操作权限"), t.AUTH)
        # U8: published codes, then words
        self.assertEqual(c("yonyou", code="20002", message="未检索到匹配的[现存量]。"), t.EMPTY)
        self.assertEqual(c("yonyou", code="30021", message="此应用未上线"), t.AUTH)
        self.assertEqual(c("yonyou", code="99999", message="客户端未登录，请检查服务器是否启动"), t.RETRYABLE)
        self.assertEqual(c("yonyou", code="1", message="token 已过期"), t.RELOGIN)
        self.assertEqual(c("yonyou", code="1", message="存货编码不存在"), t.BUSINESS)
        # SAP: HTTP status, message ids, words
        self.assertEqual(c("sap", status=401), t.AUTH)
        self.assertEqual(c("sap", status=503), t.RETRYABLE)
        self.assertEqual(c("sap", code="M7/021", status=400, message="Deficit of SL Unrestricted-use"), t.BUSINESS)
        self.assertEqual(c("sap", code="M3/897", status=400), t.RETRYABLE)
        self.assertEqual(c("sap", code="XX/1", status=400, message="Material TG12 is blocked by user X"), t.RETRYABLE)
        # A site's correction wins
        self.assertEqual(c("sap", code="M7/021", overrides={"codes": {"M7/021": t.RETRYABLE}}), t.RETRYABLE)
