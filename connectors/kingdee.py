"""Kingdee K3Cloud WebAPI client (contract §1).

Why not the vendor SDK ``kingdee-cdp-webapi-sdk`` (8.2.0, imports as
``k3cloud_webapi_sdk``; it installs fine): it posts with a bare
``requests.post`` per call (no session reuse), forces ``verify=False`` and
silences urllib3's TLS warnings process-wide, returns raw text and raises
``RuntimeError`` for every failure, with 120 s timeouts.  Its only useful part
is the ~15-line header signature, re-implemented in ``signed_headers`` below
and checked against the SDK's output (tests/test_kingdee.py test vector).
"""
import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from collections import namedtuple

from . import error_table
from .base import DEFAULT_TIMEOUT, BaseClient
from . import checks
from .errors import (AuthError, BusinessError, ConnectorError, MalformedResponse, RateLimited,
                     ServerError, from_class)
from .kingdee_forms import SAVE_FLAGS, build_model, merged_forms
from .model import KINDS, Material, Movement, RemoteResult, StockRow, to_decimal

AUTH = "Kingdee.BOS.WebApi.ServicesStub.AuthService."
FORM = "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService."
MAX_LIMIT = 10000          # "Limit：最大行数，整型，不能超过10000" (vendor_samples/kingdee/query_request_template.json)
# StartRow/Limit pages are stable only with an OrderString on a unique key (contract §5).
# STK_Inventory's key FID is UNCONFIRMED (a GUID in the inventory table); BD_MATERIAL's is FMATERIALID.
ORDER_KEYS = {"STK_Inventory": "FID ASC", "BD_MATERIAL": "FMATERIALID ASC"}
DEFAULT_ORDER = "FID ASC"      # every bill form
LOGIN_OK = (1,)                # LoginResultType Success (login_validateuser_9.0_with_sid.json.source)


def _true(value):
    """IsSuccess is a JSON boolean on some servers and the STRING "false"/"true" in the
    vendor's own template (form_op_reply_template.json): only true/"true" is success."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
_XOR_KEY = b"0054f397c6234378b09ca7d3e5debce7"   # app-secret unmasking key (§1.2, SDK encode_util)

Bill = namedtuple("Bill", "fid number status")


def _h(key, message):
    """base64(hex_lower(HMAC_SHA256)) — Base64 over the hex text (§1.2)."""
    return base64.b64encode(hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest().encode()).decode()


def signed_headers(url, *, app_id, app_secret, acct_id, username, lcid=2052, org_num=0, timestamp=None):
    """Stateless signature headers of SDK >= 7.3 (§1.2), Python-SDK flavour (seconds)."""
    ts = str(int(time.time() if timestamp is None else timestamp))
    path = urllib.parse.urlsplit(url).path
    path = urllib.parse.quote(path, safe="")
    client_id, client_sec = "", ""
    parts = app_id.split("_")
    if len(parts) == 2:
        client_id, sec_part = parts
        # The SDK unmasks a 32-char secret part and uses "" otherwise (the contract's
        # "use as is" reading differs; we follow the SDK, the reference implementation).
        if len(sec_part) == 32:
            raw = base64.b64decode(sec_part)
            client_sec = base64.b64encode(bytes(b ^ k for b, k in zip(raw, _XOR_KEY))).decode()
    app_data = "%s,%s,%s,%s" % (acct_id, username, lcid, org_num)
    api_sign = "POST\n%s\n\nx-api-nonce:%s\nx-api-timestamp:%s\n" % (path, ts, ts)
    return {
        "X-Api-ClientID": client_id, "X-Api-Auth-Version": "2.0",
        "x-api-timestamp": ts, "x-api-nonce": ts, "x-api-signheaders": "x-api-timestamp,x-api-nonce",
        "X-Api-Signature": _h(client_sec, api_sign), "X-Kd-Appkey": app_id,
        "X-Kd-Appdata": base64.b64encode(app_data.encode()).decode(),
        "X-Kd-Signature": _h(app_secret, app_id + app_data),
    }


class KingdeeClient(BaseClient):
    system = "kingdee"

    def __init__(self, base_url, acct_id, username, *, password=None, app_id=None, app_secret=None,
                 auth=None, lcid=2052, org_number="100", org_num=0, supplier="", customer="",
                 page_size=2000, key_field="FBillNo", body_style="named", forms=None, stock_org=None,
                 validate_repeat=True, login_ok=LOGIN_OK, error_overrides=None,
                 timeout=DEFAULT_TIMEOUT, retry=None, session=None, verify=True):
        """auth: "password" (ValidateUser), "appsecret" (LoginByAppSecret) or "signed"
        (stateless headers, no login); default from the credentials given.
        key_field: bill field holding our idempotency key (FBillNo, or FNote if the
        site's coding rules forbid external numbers).
        body_style: "named" ({"formid", "data"}, Python SDK) or "positional" ({"parameters": [...]}, Java SDK).
        stock_org: stock organisation number the stock pull is limited to (default org_number).
        validate_repeat: send ValidateRepeatJson=true on Save, so Kingdee itself refuses a
        packet it already saved — the second guard beside the look-up by key.
        login_ok: LoginResultType values taken as success (the vendor's table also has -5
        DealWithForm, which some admin logins return)."""
        super().__init__(base_url, timeout=timeout, retry=retry, session=session, verify=verify)
        self.acct_id, self.username, self.password = acct_id, username, password
        self.app_id, self.app_secret = app_id, app_secret
        self.auth = auth or ("password" if password is not None else "appsecret")
        if self.auth not in ("password", "appsecret", "signed"):
            raise ValueError("auth must be password, appsecret or signed, not %r" % self.auth)
        if self.auth != "password" and not (app_id and app_secret):
            raise ValueError("auth=%s needs app_id and app_secret" % self.auth)
        self.lcid, self.org_number, self.org_num = lcid, org_number, org_num
        self.supplier, self.customer = supplier, customer
        self.page_size = min(page_size, MAX_LIMIT)
        self.key_field = key_field
        self.body_style = body_style
        self.forms = merged_forms(forms)
        self.stock_org = org_number if stock_org is None else stock_org
        self.validate_repeat, self.login_ok = validate_repeat, tuple(login_ok)
        self.error_overrides = error_overrides
        self.sid = None
        self.remember_secrets()

    def _cookie_sid(self):
        try:
            return self.session.cookies.get("kdservice-sessionid")
        except Exception:       # CookieConflictError: the same name on two paths
            return None

    def _secret_values(self):
        return [self.password, self.app_secret, self.sid, self._cookie_sid()]

    # -- transport -------------------------------------------------------------------
    def _post(self, service, named, positional):
        url = self.base_url + service + ".common.kdsvc"
        body = {"parameters": positional} if self.body_style == "positional" else named
        headers = {"Content-Type": "application/json"}
        if self.auth == "signed":
            headers.update(signed_headers(url, app_id=self.app_id, app_secret=self.app_secret,
                                          acct_id=self.acct_id, username=self.username,
                                          lcid=self.lcid, org_num=self.org_num))
        if self.sid:
            headers["kdservice-sessionid"] = self.sid   # cookie + header, as the SDKs do (§1.1)
        name = service.rsplit(".", 1)[-1]
        resp = self.http("POST", url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"), headers=headers)
        if resp.status_code not in (200, 206):   # the SDKs treat anything else as failure (§1.1)
            cls = error_table.classify("kingdee", status=resp.status_code, message=resp.text[:200],
                                       overrides=self.error_overrides, default=None)
            if cls is not None:
                raise from_class(cls, self.system, "http_%d" % resp.status_code,
                                 "Kingdee answered HTTP %d to %s: %s" % (resp.status_code, name, resp.text[:200]))
            raise ConnectorError("Kingdee answered HTTP %d to %s: %s" % (resp.status_code, name, resp.text[:200]),
                                 system=self.system, code="http_%d" % resp.status_code)
        if resp.content.startswith(b"response_error:"):
            raise ServerError("Kingdee transport failure on %s: %s" % (name, resp.text[15:200].strip()),
                              system=self.system)
        return self.parse_json(resp, name)

    def login(self):
        if self.auth == "signed":
            self.logged_in = True      # every request carries its own signature
            return
        if self.auth == "password":
            named = {"acctID": self.acct_id, "username": self.username, "password": self.password, "lcid": self.lcid}
            data = self._post(AUTH + "ValidateUser", named, list(named.values()))
        else:
            named = {"acctid": self.acct_id, "username": self.username, "appid": self.app_id,
                     "appsecret": self.app_secret, "lcid": self.lcid}
            data = self._post(AUTH + "LoginByAppSecret", named, list(named.values()))
        if not isinstance(data, dict):
            raise MalformedResponse("Kingdee login answer is not an object", system=self.system)
        if isinstance(data.get("Result"), dict):      # e.g. MsgCode 14 call limit instead of a LoginResult
            raise self._error(data["Result"].get("ResponseStatus") or {}, "the login")
        # Success is LoginResultType 1, whatever KDSVCSessionId says: a real 7.1 server
        # answers it null and keeps the session in Context.SessionId and the cookie
        # (vendor_samples/kingdee/login_validateuser_7.1_null_sid.json).
        if _int(data.get("LoginResultType")) not in self.login_ok or "LoginResultType" not in data:
            raise AuthError("Kingdee refused the login of user %r on data centre %r (LoginResultType %s): %s"
                            % (self.username, self.acct_id, data.get("LoginResultType"),
                               data.get("Message") or "no reason given"), system=self.system)
        context = data.get("Context") if isinstance(data.get("Context"), dict) else {}
        self.sid = (data.get("KDSVCSessionId") or context.get("SessionId")
                    or self._cookie_sid() or None)
        self.logged_in = True
        self.stats["logins"] += 1
        self.remember_secrets()

    # -- errors ------------------------------------------------------------------------------
    def _error(self, rs, what):
        code = _int(rs.get("MsgCode"))
        errors = rs.get("Errors") or []
        text = "; ".join("%s%s" % (e.get("Message"), " (field %s)" % e["FieldName"] if e.get("FieldName") else "")
                         for e in errors if isinstance(e, dict) and e.get("Message")) \
            or rs.get("Message") or "no error text"
        msg = "Kingdee refused %s: %s (MsgCode %d)" % (what, text, code)
        cls = error_table.classify("kingdee", code=code, message=text, overrides=self.error_overrides)
        if cls == error_table.RETRYABLE and code == 14:
            return RateLimited(msg, system=self.system)
        if cls == error_table.RETRYABLE and code == 6:
            return ServerError(msg, system=self.system)
        return from_class(cls, self.system, code, msg, details={"errors": errors})

    @staticmethod
    def _flat_status(body):
        """The flat error object seen for "session lost" ({"ErrorCode":500,"MsgCode":1,"Message":…},
        vendor_samples/kingdee/session_lost_msgcode1.json), or None."""
        if isinstance(body, dict) and "Result" not in body and ("MsgCode" in body or "ErrorCode" in body):
            return body
        return None

    def _form_call(self, op, form_id, data, what):
        named = {"formid": form_id, "data": data}
        body = self._post(FORM + op, named, [form_id, json.dumps(data, ensure_ascii=False)])
        flat = self._flat_status(body)
        if flat is not None:
            raise self._error(flat, what)
        result = body.get("Result") if isinstance(body, dict) else None
        rs = result.get("ResponseStatus") if isinstance(result, dict) else None
        if not isinstance(rs, dict):
            raise MalformedResponse("Kingdee %s answer has no Result.ResponseStatus" % op, system=self.system)
        if not _true(rs.get("IsSuccess")):
            raise self._error(rs, what)
        return result, rs

    # -- ExecuteBillQuery ----------------------------------------------------------------------
    def query_page(self, form_id, field_keys, filter_string="", start=0, limit=2000, order=""):
        data = {"FormId": form_id, "FieldKeys": field_keys, "FilterString": filter_string,
                "OrderString": order, "TopRowCount": 0, "StartRow": start, "Limit": limit, "SubSystemId": ""}
        body = self._post(FORM + "ExecuteBillQuery", {"data": data}, [json.dumps(data, ensure_ascii=False)])
        if isinstance(body, list):
            # Errors come as [[{"Result": {"ResponseStatus": ...}}]] (§1.3).
            if body and isinstance(body[0], list) and body[0] and isinstance(body[0][0], dict):
                rs = (body[0][0].get("Result") or {}).get("ResponseStatus") or {}
                raise self._error(rs, "query of %s" % form_id)
            return body
        if isinstance(body, dict) and isinstance(body.get("Result"), dict):
            raise self._error(body["Result"].get("ResponseStatus") or {}, "query of %s" % form_id)
        if self._flat_status(body) is not None:
            raise self._error(body, "query of %s" % form_id)
        raise MalformedResponse("Kingdee ExecuteBillQuery answer is not a row array", system=self.system)

    def query(self, form_id, field_keys, filter_string="", page_size=None, order=None):
        """All rows, page by page (StartRow/Limit), stopping on a short page (§1.3).

        Always ordered (``ORDER_KEYS``): without an OrderString the server's order can
        change between pages and StartRow paging then skips or repeats rows.
        A generator: one page in memory at a time."""
        order = order or ORDER_KEYS.get(form_id, DEFAULT_ORDER)
        limit = min(page_size or self.page_size, MAX_LIMIT)
        start = 0
        while True:
            rows = self.call(lambda: self.query_page(form_id, field_keys, filter_string, start, limit, order))
            yield from rows
            if len(rows) < limit:
                return
            start += limit

    def stock_filter(self, filter_string=""):
        """STK_Inventory holds every organisation's stock: keep ours (contract §5)."""
        conds = [c for c in (filter_string, "FStockOrgId.FNumber='%s'" % self.stock_org.replace("'", "''")
                             if self.stock_org else "") if c]
        return " and ".join(conds)

    def iter_stock(self, filter_string="", page_size=None):
        keys = "FMaterialId.FNumber,FStockId.FNumber,FLot.FNumber,FBaseQty"   # FBaseQty, not FStockQty (§1.4)
        for product, warehouse, lot, qty in self.query("STK_Inventory", keys, self.stock_filter(filter_string),
                                                       page_size):
            yield StockRow(product, warehouse, lot or "", to_decimal(qty))

    def iter_materials(self, filter_string="", page_size=None):
        keys = "FNumber,FName,FBaseUnitId.FNumber,FMaterialGroup.FNumber,FForbidStatus"
        for code, name, uom, group, forbid in self.query("BD_MATERIAL", keys, filter_string, page_size):
            yield Material(code, name or "", uom or "", group or "", forbid != "B")

    def test_connection(self):
        self.ensure_login()
        rows = self.call(lambda: self.query_page("BD_MATERIAL", "FNumber", limit=1))
        return "Kingdee %s: logged in as %s (%s), material master readable (%d row)" % (
            self.base_url, self.username, self.auth, len(rows))

    def check(self, kinds=KINDS, key="MOVE-1", warehouse="", location="", product=""):
        """Read-only probes: login, then one row of every form used (rights), and what
        each kind would post.  Data permissions narrow results silently: a readable
        form may still hide other organisations' rows (contract §5)."""
        found = []
        _, err = checks.safe(self.ensure_login)
        found.append(checks.login(err is None, "%s@%s (%s)" % (self.username, self.acct_id, self.auth), err))
        if err:
            return found
        probes = [("BD_MATERIAL", "FNumber", "", "materials"),
                  ("STK_Inventory", "FMaterialId.FNumber", self.stock_filter(), "stock")]
        probes += [(self.forms[k].form_id, "FBillNo", "", k) for k in kinds if k in self.forms]
        seen = set()
        for form, field, flt, what in probes:
            if form in seen:
                continue
            seen.add(form)
            _, err = checks.safe(self.call, lambda f=form, k=field, q=flt: self.query_page(
                f, k, q, 0, 1, ORDER_KEYS.get(f, DEFAULT_ORDER)))
            found.append(checks.service(form, err, what))
        if self.stock_org:
            found.append(checks.unconfirmed("STK_Inventory OrderString %s" % ORDER_KEYS["STK_Inventory"],
                                            "the inventory table's unique key"))
        for kind in kinds:
            form = self.forms.get(kind)
            if form is None:
                found.append(checks.unsupported(kind, "no Kingdee form configured"))
                continue
            if kind in ("delivery", "count_gain", "count_loss"):
                found.append(checks.unconfirmed("%s (%s)" % (form.form_id, kind),
                                                "entry key and quantity field (§1.4); override with forms="))
            mv = checks.sample_movement(kind, key, warehouse or "WH01", location, product)
            op, body = self.preview(mv)
            found.append(checks.would_post(kind, op, body))
        return found

    def preview(self, movement):
        """(operation, Save data) that ``post_movement`` would send first; nothing is sent."""
        mv = Movement.coerce(movement)
        form = self.forms[mv.kind]
        partner = mv.partner_code or (self.supplier if mv.kind == "receipt" else self.customer)
        model = build_model(form, mv, key_field=self.key_field, org=self.org_number, partner=partner)
        return "Save %s, then Submit and Audit" % form.form_id, self.save_data(model)

    # -- bills ------------------------------------------------------------------------------------
    def find_bill(self, form_id, key):
        esc = key.replace("'", "''")
        rows = list(self.query(form_id, "FID,FBillNo,FDocumentStatus", "%s='%s'" % (self.key_field, esc), 100))
        bills = {row[0]: Bill(row[0], row[1], row[2]) for row in rows}
        if len(bills) > 1:
            raise ConnectorError("Kingdee holds %d %s bills for our key %s (%s): fix by hand"
                                 % (len(bills), form_id, key, ", ".join(b.number for b in bills.values())),
                                 system=self.system, code="duplicate_documents")
        return next(iter(bills.values()), None)

    def save_data(self, model):
        return dict(SAVE_FLAGS, Model=model, ValidateRepeatJson=bool(self.validate_repeat))

    def save(self, form_id, model):
        result, rs = self._form_call("Save", form_id, self.save_data(model),
                                     "Save of %s %s" % (form_id, model.get(self.key_field)))
        ent = (rs.get("SuccessEntitys") or [{}])[0]
        bill = Bill(ent.get("Id") or result.get("Id"), ent.get("Number") or result.get("Number"), "A")
        key = model.get(self.key_field)
        if self.key_field == "FBillNo" and bill.number and bill.number != key:
            # The site's coding rule replaced our number: the look-up by FBillNo would never
            # find this bill again and every replay would post a new one.  Stop here.
            raise ConnectorError("Kingdee numbered the %s bill %s instead of our key %s (a coding rule "
                                 "overrides FBillNo): nothing more is posted. Allow manual numbers for this "
                                 "bill type, or keep the key in FNote (key_field), then check bill %s by hand"
                                 % (form_id, bill.number, key, bill.number),
                                 system=self.system, code="bill_number_rule")
        return bill

    def _status_op(self, op, form_id, bill):
        data = {"CreateOrgId": 0, "Numbers": [], "Ids": str(bill.fid), "InterationFlags": "", "UseOrgId": 0,
                "NetworkCtrl": False, "IsVerifyProcInst": True, "IgnoreInterationFlag": True,
                "UseBatControlTimes": False}
        self._form_call(op, form_id, data, "%s of %s %s" % (op, form_id, bill.number))

    def submit(self, form_id, bill):
        self._status_op("Submit", form_id, bill)

    def audit(self, form_id, bill):
        self._status_op("Audit", form_id, bill)

    # -- idempotent posting -------------------------------------------------------------------------
    def post_movement(self, movement):
        """Save → Submit → Audit the bill for ``movement``, exactly once.

        Kingdee has no idempotency key (§1.5), so every attempt first looks the bill
        up by our key (``key_field``) and resumes from its status: a replay after a
        timeout, a 5xx or a crash never creates a second bill.  Writes are never
        resent blindly (``replay=False``).  A business refusal is re-checked once
        against the bill's status, since it may be the echo of our own earlier
        attempt (bill number exists, already audited).
        """
        mv = Movement.coerce(movement)
        form = self.forms[mv.kind]
        partner = mv.partner_code or (self.supplier if mv.kind == "receipt" else self.customer)
        model = build_model(form, mv, key_field=self.key_field, org=self.org_number, partner=partner)
        already, refused, attempt, rechecks = None, None, 0, 0
        while True:
            try:
                bill = self.find_bill(form.form_id, mv.key)
            except ConnectorError as exc:
                attempt = self.backoff_or_raise(exc, attempt)
                continue
            if already is None:
                already = bill is not None
            if refused is not None:
                exc, before = refused
                if (bill.status if bill else None) == before or rechecks > 3:
                    raise exc
                refused = None
            state = [bill.status if bill else None]
            try:
                return self._advance(form.form_id, model, bill, already, state)
            except BusinessError as exc:
                refused, rechecks = (exc, state[0]), rechecks + 1
            except ConnectorError as exc:
                attempt = self.backoff_or_raise(exc, attempt)

    def _advance(self, form_id, model, bill, already, state):
        if bill is None:
            bill = self.call(lambda: self.save(form_id, model), replay=False)
            state[0] = bill.status
        if bill.status == "D":
            raise ConnectorError("Kingdee bill %s of %s was un-audited by hand (status D); we do not re-audit it. "
                                 "Audit or delete it in Kingdee, then mark the movement done or retry"
                                 % (bill.number, form_id), system=self.system, code="reversed_in_remote")
        if bill.status in ("Z", "A"):
            self.call(lambda: self.submit(form_id, bill), replay=False)
            bill = bill._replace(status="B")
            state[0] = "B"
        if bill.status == "B":
            self.call(lambda: self.audit(form_id, bill), replay=False)   # stock moves here
            bill = bill._replace(status="C")
        return RemoteResult(str(bill.fid), bill.number, already)
