"""Fake Kingdee K3Cloud WebAPI (contract §1) on loopback.

One POST route ``/k3cloud/<Service>.common.kdsvc``; bodies in the positional
(``parameters``) or named form, ``data`` as object or JSON string, keys matched
case-insensitively (§1.1).  Login by ValidateUser / LoginByAppSecret sets the
``kdservice-sessionid`` cookie; stateless signed headers are accepted too (§1.2).
Business errors come back with HTTP 200 inside the body (§1.3).

Every reply is a vendor sample filled in (``samples.py``): the 7.1 login
(``KDSVCSessionId`` null, session in ``Context.SessionId`` and the cookie), the
operation page's reply templates (``IsSuccess`` the string "false"), the row
arrays of ExecuteBillQuery and its nested error.  Behaviours the sources do not
settle are options (UNCONFIRMED): ``bool_style``, ``login_sample``,
``session_lost_style``, ``unordered_paging``, ``coding_rule``, ``repeat_message``.
"""
import base64
import hashlib
import hmac
import itertools
import json
import random
import secrets
import time

from . import filters, samples
from .base import FakeServer, Response, Route, json_response
from .kingdee_bills import FORMS, BillBook, BillError, ci_get
from .store import MaterialStore, StockStore

LOGIN_SAMPLES = {"7.1": "login_validateuser_7.1_null_sid.json", "9.0": "login_validateuser_9.0_with_sid.json"}

SERVICE_PREFIXES = ("Kingdee.BOS.WebApi.ServicesStub.AuthService.",
                    "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.")
FORM_OPS = ("Save", "Draft", "Submit", "Audit", "View")
SESSION_LOST = "会话信息已丢失，请重新登录"   # MsgCode 1 text, third-party observation (§1.2)

_STOCK_FIELDS = {   # STK_Inventory field key -> getter on (product, warehouse, location, lot, qty, org, id)
    "fmaterialid.fnumber": lambda r: r[0], "fmaterialid.fname": lambda r: "Material " + r[0],
    "fstockid.fnumber": lambda r: r[1], "fstockid.fname": lambda r: "Warehouse " + r[1],
    "fstocklocid": lambda r: r[2], "flot.fnumber": lambda r: r[3], "flot": lambda r: r[3],
    "fbaseqty": lambda r: r[4], "fstockorgid.fnumber": lambda r: r[5], "fid": lambda r: r[6],
    "fbaseunitid.fnumber": lambda r: "PCS", "fstockstatusid.fnumber": lambda r: "KCZT01_SYS",
}
_MATERIAL_FIELDS = {   # BD_MATERIAL field key -> getter on a material dict
    "fnumber": lambda m: m["code"], "fname": lambda m: m["name"], "fspecification": lambda m: "",
    "fbaseunitid.fnumber": lambda m: m["uom"], "fbaseunitid.fname": lambda m: m["uom"],
    "fmaterialgroup.fnumber": lambda m: m["group"], "fmaterialgroup.fname": lambda m: m["group"],
    "fforbidstatus": lambda m: "A" if m["active"] else "B", "fdocumentstatus": lambda m: "C",
    "fuseorgid.fnumber": lambda m: "100", "fmaterialid": lambda m: m["code"],
}
_BILL_FIELDS = {
    "fid": lambda b: b.fid, "fbillno": lambda b: b.number, "fdocumentstatus": lambda b: b.status,
    "fdate": lambda b: b.date, "fnote": lambda b: b.note,
}


def kd_sign(secret, message):
    """H(key, msg) = base64(hex_lower(HMAC_SHA256)) — the Base64 is over the hex text (§1.2)."""
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return base64.b64encode(digest.encode()).decode()


def _bool(value, style):
    # The vendor's template writes IsSuccess as the string "false"; real servers are
    # also seen with JSON booleans (vendor_samples/kingdee/query_reply_error_field.json).
    return ("true" if value else "false") if style == "string" else bool(value)


def status(success=True, msg_code=0, errors=(), entities=(), style="string", template="status_op_reply_template.json"):
    """``Result.ResponseStatus`` filled into the vendor's reply template."""
    rs_tpl = samples.load("kingdee", template)["Result"]["ResponseStatus"]
    err_tpl = samples.sample_row(rs_tpl["Errors"])
    ent_tpl = samples.sample_row(rs_tpl["SuccessEntitys"])
    return samples.fill(rs_tpl, {
        "ErrorCode": ("500" if style == "string" else 500) if not success else "",
        "IsSuccess": _bool(success, style),
        "Errors": [samples.fill(err_tpl, e) for e in errors],
        "SuccessEntitys": [samples.fill(ent_tpl, e) for e in entities],
        "SuccessMessages": [],
        "MsgCode": (str(msg_code) if msg_code or not success else "") if style == "string" else msg_code,
    })


class FakeKingdee(FakeServer):
    system = "kingdee"

    def __init__(self, *, stock_rows=30, materials=50, acct_id="FAKE01", username="demo",
                 password="demo-pass-7", app_id="224466_ABCDabcd0123456789+/ABCDabcd0123",
                 app_secret="s3cr3t-app-secret", unique_bill_no=True, allow_negative=False,
                 max_limit=10000, session_ttl=None, org="100", other_org_rows=0, bool_style="string",
                 login_sample="7.1", session_lost_style="status", unordered_paging="shuffle",
                 coding_rule=False, validate_repeat=True, repeat_message="数据包重复提交，不允许保存",
                 denied_forms=(), **kw):
        super().__init__(**kw)
        self.acct_id, self.username, self.password = acct_id, username, password
        self.app_id, self.app_secret = app_id, app_secret
        self.max_limit = max_limit          # §1.3: 10000 in the newer docs
        self.session_ttl = session_ttl      # seconds, None = until expire_auth()
        self.sessions = {}                  # sid -> monotonic expiry or None
        self.used_sessions = set()
        self.org = org                      # our stock organisation; other_org_rows belong to "200"
        self.bool_style = bool_style        # "string" (vendor template) or "json"
        self.login_sample = login_sample    # "7.1": KDSVCSessionId null; "9.0": set
        self.session_lost_style = session_lost_style   # "status" (ResponseStatus) or "flat" (sample)
        self.unordered_paging = unordered_paging       # "shuffle": no OrderString = unstable pages
        self.validate_repeat = validate_repeat          # honour ValidateRepeatJson (UNCONFIRMED wording)
        self.repeat_message = repeat_message
        self.denied_forms = set(denied_forms)           # forms the API user has no right to
        # Logins succeed but every call answers "session lost": what a revoked third-party
        # authorisation or a user without rights looks like (session_lost_msgcode1.json.source).
        self.revoked = False
        self.saved_packets = set()
        self.stock = StockStore(stock_rows)
        self.foreign_stock = [("P%06d" % (i % 7), "WH0%d" % (1 + i % 3), "", "", float(1000 + i), "200")
                              for i in range(other_org_rows)]
        self.materials = MaterialStore(max(materials, self.stock.product_count))
        self.bills = BillBook(self.stock, self.materials, unique_bill_no, allow_negative)
        self.bills.coding_rule = coding_rule   # True: FBillNo from the site's coding rule, ours ignored
        self.bills.on_apply = lambda bill: self.record_apply(bill.number)
        self.logins = 0
        self.query_log = []                 # (FormId, FilterString, OrderString, StartRow, Limit)

    @property
    def url(self):
        return self.root_url + "/k3cloud/"

    def client_kwargs(self, auth="password"):
        """Constructor arguments of ``connectors.kingdee.KingdeeClient`` for this fake."""
        kw = {"base_url": self.url, "acct_id": self.acct_id, "username": self.username,
              "supplier": "VEN001", "customer": "CUST001"}
        if auth == "password":
            kw["password"] = self.password
        else:
            kw.update(app_id=self.app_id, app_secret=self.app_secret, auth=auth)
        return kw

    # -- accessors for tests ------------------------------------------------------------
    def set_stock(self, product, warehouse, qty, lot=""):
        """A person changing stock directly in the remote."""
        with self.lock:
            self.stock.set((product, warehouse, "", lot), qty)

    def bill(self, form_id, number):
        with self.lock:
            fids = self.bills.by_number.get((form_id, number)) or []
            return self.bills.by_id[fids[0]] if fids else None

    def documents_per_key(self, form_id=None):
        with self.lock:
            return self.bills.count_by_number(form_id)

    def expire_auth(self):
        self.sessions.clear()

    def fresh_auth(self, req):
        sid = self._sid(req)
        return sid is not None and sid in self.sessions and sid not in self.used_sessions

    def _status(self, *args, **kw):
        return status(*args, style=self.bool_style, **kw)

    # -- routing --------------------------------------------------------------------------
    def route(self, req):
        segment = req.path.rstrip("/").rsplit("/", 1)[-1]
        if req.method != "POST" or not segment.endswith(".common.kdsvc"):
            return Response(404, "response_error: no such service %s" % req.path, content_type="text/plain")
        service = segment[: -len(".common.kdsvc")]
        name = service.rsplit(".", 1)[-1]
        if not service.startswith(SERVICE_PREFIXES):
            return Response(404, "response_error: no such service %s" % service, content_type="text/plain")
        handlers = {"ValidateUser": self._validate_user, "LoginByAppSecret": self._login_app_secret,
                    "LogOut": self._logout, "ExecuteBillQuery": self._query}
        fn = handlers.get(name)
        if fn is None and name in FORM_OPS:
            fn = lambda r, op=name: self._form_op(r, op)
        if fn is None:
            return Response(404, "response_error: operation %s not in this fake" % name, content_type="text/plain")
        # A duplicated delivery is harmless: bill numbers are unique and status moves are guarded.
        return Route(name, fn, dup_safe=True)

    def rate_limited_response(self, req):
        # MsgCode 14 = call limit (contract §1.3 / §1.5); the real threshold is UNCONFIRMED.
        msg = "调用限制: too many calls, retry later"
        if "ExecuteBillQuery" in req.path:
            return self._query_error(14, msg)
        return json_response({"Result": {"ResponseStatus": self._status(False, 14, [
            {"FieldName": "", "Message": msg, "DIndex": 0}])}})

    # -- request decoding --------------------------------------------------------------------
    @staticmethod
    def _args(req, names, aliases=None):
        body = req.json()
        lower = {k.lower(): v for k, v in body.items()} if isinstance(body, dict) else {}
        if "parameters" in lower:
            values = lower["parameters"]
            if isinstance(values, str):
                values = json.loads(values)
            args = dict(zip(names, values))
        else:
            args = {}
            for name in names:
                for alias in (name,) + tuple((aliases or {}).get(name, ())):
                    if alias.lower() in lower:
                        args[name] = lower[alias.lower()]
                        break
        if isinstance(args.get("data"), str):
            args["data"] = json.loads(args["data"])
        return args

    @staticmethod
    def _sid(req):
        return (req.cookies.get("kdservice-sessionid") or req.headers.get("kdservice-sessionid")
                or req.headers.get("SID"))

    def _session_ok(self, req):
        sid = self._sid(req)
        if self.revoked:
            return False
        if sid in self.sessions:
            self.used_sessions.add(sid)
            expiry = self.sessions[sid]
            if expiry is None or expiry > time.monotonic():
                return True
            del self.sessions[sid]
        return self._signature_ok(req)

    def _signature_ok(self, req):
        """Stateless signed headers (§1.2): recompute X-Kd-Signature."""
        appkey, appdata, signature = (req.headers.get("X-Kd-Appkey"), req.headers.get("X-Kd-Appdata"),
                                      req.headers.get("X-Kd-Signature"))
        if not (appkey and appdata and signature) or appkey != self.app_id:
            return False
        try:
            plain = base64.b64decode(appdata).decode("utf-8")
        except ValueError:
            return False
        parts = plain.split(",")
        if len(parts) < 2 or parts[0] != self.acct_id or parts[1] != self.username:
            return False
        return hmac.compare_digest(signature, kd_sign(self.app_secret, self.app_id + plain))

    # -- auth -------------------------------------------------------------------------------------
    def _login_result(self, ok, message=""):
        if not ok:
            # LoginResultType 0 = PWError (vendor_samples/kingdee/login_failed_pwerror.json).
            return json_response(samples.fill(samples.load("kingdee", "login_failed_pwerror.json"),
                                              {"Message": message}))
        sid = secrets.token_hex(12)
        self.sessions[sid] = time.monotonic() + self.session_ttl if self.session_ttl else None
        self.logins += 1
        sample = samples.load("kingdee", LOGIN_SAMPLES[self.login_sample])
        body = samples.fill(sample, {
            "Context": {"UserName": self.username, "SessionId": sid, "DBid": self.acct_id},
            # 7.1 answers KDSVCSessionId null: the session is in Context.SessionId and the cookie.
            "KDSVCSessionId": sid if sample["KDSVCSessionId"] is not None else None})
        return json_response(body, headers=[("Set-Cookie", "kdservice-sessionid=%s; Path=/; HttpOnly" % sid)])

    def _validate_user(self, req):
        a = self._args(req, ["acctid", "username", "password", "lcid"])
        ok = (a.get("acctid"), a.get("username"), a.get("password")) == (self.acct_id, self.username, self.password)
        return self._login_result(ok, "用户名或密码错误 (acct %s, user %s)" % (a.get("acctid"), a.get("username")))

    def _login_app_secret(self, req):
        a = self._args(req, ["acctid", "username", "appid", "appsecret", "lcid"], {"appsecret": ["appsec"]})
        ok = ((a.get("acctid"), a.get("username"), a.get("appid"), a.get("appsecret"))
              == (self.acct_id, self.username, self.app_id, self.app_secret))
        return self._login_result(ok, "应用ID或密钥错误 (appid %s)" % a.get("appid"))

    def _logout(self, req):
        sid = req.cookies.get("kdservice-sessionid")
        self.sessions.pop(sid, None)
        return json_response(True)

    # -- ExecuteBillQuery -------------------------------------------------------------------------
    def _query_error(self, msg_code, message):
        # Nested-array error of ExecuteBillQuery (vendor_samples/kingdee/query_reply_error_field.json).
        tpl = samples.load("kingdee", "query_reply_error_field.json")
        rs = tpl[0][0]["Result"]["ResponseStatus"]
        err = samples.fill(samples.sample_row(rs["Errors"]), {"Message": message})
        tpl[0][0]["Result"]["ResponseStatus"] = samples.fill(rs, {
            "IsSuccess": _bool(False, self.bool_style), "MsgCode": msg_code, "Errors": [err]})
        return json_response(tpl)

    def _session_lost(self, query=False):
        if self.session_lost_style == "flat":
            return json_response(samples.load("kingdee", "session_lost_msgcode1.json"))
        if query:
            return self._query_error(1, SESSION_LOST)
        return json_response({"Result": {"ResponseStatus": self._status(False, 1, [
            {"FieldName": "", "Message": SESSION_LOST, "DIndex": 0}])}})

    def _query(self, req):
        if not self._session_ok(req):
            return self._session_lost(query=True)
        data = self._args(req, ["data"]).get("data") or {}
        form = str(ci_get(data, "FormId") or "")
        order = str(ci_get(data, "OrderString") or "").strip()
        self.query_log.append((form, str(ci_get(data, "FilterString") or ""), order,
                               int(ci_get(data, "StartRow") or 0), int(ci_get(data, "Limit") or 0)))
        if form in self.denied_forms:
            return self._query_error(2, "您没有该功能的操作权限: %s" % form)
        keys = [k.strip() for k in str(ci_get(data, "FieldKeys") or "").split(",") if k.strip()]
        start = int(ci_get(data, "StartRow") or 0)
        limit = int(ci_get(data, "Limit") or 0) or self.max_limit
        top = int(ci_get(data, "TopRowCount") or 0)
        if limit > self.max_limit:
            return self._query_error(8, "参数错误: Limit %d exceeds the maximum %d" % (limit, self.max_limit))
        if form == "STK_Inventory":
            getters, source = _STOCK_FIELDS, self._stock_rows
        elif form == "BD_MATERIAL":
            getters, source = _MATERIAL_FIELDS, self._material_rows
        elif form in FORMS:
            getters, source = _BILL_FIELDS, lambda conds, form=form: self._bill_rows(form, conds)
        else:
            return self._query_error(10, "业务对象不存在: FormId %s" % form)
        if not keys:
            return self._query_error(8, "参数错误: FieldKeys is empty")
        unknown = [k for k in keys if k.lower() not in getters]
        if unknown:
            return self._query_error(9, "元数据中标识为%s的字段不存在" % unknown[0])
        try:
            conds = filters.parse(str(ci_get(data, "FilterString") or ""))
            match = filters.matcher(conds, getters) if conds else None
        except filters.FilterError as exc:
            return self._query_error(8, "过滤条件错误: %s" % exc)
        stop = start + limit if not top else min(start + limit, top)
        if not order and self.unordered_paging == "shuffle" and (start or stop - start < self._count(form)):
            # Without OrderString the server's row order is not stable between pages
            # (contract §5): StartRow/Limit pages then overlap and miss rows.
            rows = list(source(conds))
            if match:
                rows = [r for r in rows if match(r)]
            random.Random(len(self.query_log)).shuffle(rows)
            rows = rows[start:stop]
        elif form == "STK_Inventory" and self._own_org_only(conds):
            rows = self._stock_slice(start, stop)        # fast path: a slice of computed rows
        else:
            rows = source(conds)
            if match:
                rows = filter(match, rows)
            rows = itertools.islice(rows, start, max(start, stop))
        gets = [getters[k.lower()] for k in keys]
        # Row arrays in FieldKeys order (vendor_samples/kingdee/query_reply_rows.json).
        return json_response([[g(r) for g in gets] for r in rows])

    def _count(self, form):
        if form == "STK_Inventory":
            return len(self.stock) + len(self.foreign_stock)
        if form == "BD_MATERIAL":
            return len(self.materials)
        return len(self.bills.by_id)

    def _own_org_only(self, conds):
        return not conds or (len(conds) == 1 and conds[0][0].lower() == "fstockorgid.fnumber"
                             and conds[0][1] in ("=", "eq") and conds[0][2] == self.org)

    def _stock_slice(self, start, stop):
        n = len(self.stock)
        return [self.stock.row(i) + (self.org, i + 1) for i in range(start, min(stop, n))]

    def _stock_rows(self, conds):
        product = filters.equality(conds, "FMaterialId.FNumber")
        n = len(self.stock)
        foreign = [r + (n + i + 1,) for i, r in enumerate(self.foreign_stock)]
        if product is not None:
            return [self.stock.row(i) + (self.org, i + 1) for i in self.stock.indexes_for_product(product)] + \
                [r for r in foreign if r[0] == product]
        return itertools.chain((self.stock.row(i) + (self.org, i + 1) for i in range(n)), foreign)

    def _bill_rows(self, form, conds):
        number = filters.equality(conds, "FBillNo")
        if number is not None:      # index look-up: the client's by-key search must stay O(1)
            return (self.bills.by_id[f] for f in self.bills.by_number.get((form, number), ()))
        return iter(sorted(self.bills.bills(form), key=lambda b: b.fid))

    def _material_rows(self, conds):
        code = filters.equality(conds, "FNumber")
        codes = [code] if code is not None else self.materials.codes()
        return (m for m in map(self.materials.get, codes) if m is not None)

    # -- Save / Submit / Audit / View -----------------------------------------------------------------
    def _form_op(self, req, op):
        if not self._session_ok(req):
            return self._session_lost()
        a = self._args(req, ["formid", "data"])
        form, data = str(a.get("formid") or ""), a.get("data") or {}
        if not form:
            return self._form_result([], [(5, "表单ID为空: formid is required", None)], op)
        if form in self.denied_forms:
            return self._form_result([], [(2, "您没有该功能的操作权限: %s %s" % (form, op), None)], op)
        try:
            if op in ("Save", "Draft"):
                packet = None
                if self.validate_repeat and str(ci_get(data, "ValidateRepeatJson")).lower() == "true":
                    # "校验Json数据包是否重复传入，一旦重复传入，接口调用失败" (save_request_template.json.source)
                    packet = hashlib.sha256((form + json.dumps(data, sort_keys=True, ensure_ascii=False))
                                            .encode("utf-8")).hexdigest()
                    if packet in self.saved_packets:
                        raise BillError(11, self.repeat_message)
                bill = self.bills.save(form, ci_get(data, "Model"), draft=(op == "Draft"))
                if packet:
                    self.saved_packets.add(packet)
                self.committed(op, bill.number)
                if op == "Save" and ci_get(data, "IsAutoSubmitAndAudit"):
                    self.bills.submit(bill)
                    self.bills.audit(bill)
                    self.committed("Audit", bill.number)
                return self._form_result([bill], [], op)
            ids = [i for i in str(ci_get(data, "Ids") or "").split(",") if i.strip()]
            bills = self.bills.find(form, ids, ci_get(data, "Numbers") or [])
            if op == "View":
                b = bills[0]
                return json_response({"Result": {"ResponseStatus": self._status(), "Result": dict(
                    b.model, Id=b.fid, BillNo=b.number, DocumentStatus=b.status)}})
        except BillError as exc:
            return self._form_result([], [(exc.msg_code, exc.message, exc.field_name)], op)
        done, errors = [], []
        for bill in bills:
            try:
                (self.bills.submit if op == "Submit" else self.bills.audit)(bill)
                self.committed(op, bill.number)
                done.append(bill)
            except BillError as exc:
                errors.append((exc.msg_code, exc.message, exc.field_name))
        return self._form_result(done, errors, op)

    def _form_result(self, done, errors, op):
        entities = [{"Id": b.fid, "Number": b.number, "DIndex": i} for i, b in enumerate(done)]
        errs = [{"FieldName": f or "", "Message": m, "DIndex": i} for i, (_, m, f) in enumerate(errors)]
        msg_code = errors[0][0] if errors else 0
        template = "form_op_reply_template.json" if op in ("Save", "Draft") else "status_op_reply_template.json"
        reply = samples.load("kingdee", template)
        values = {"ResponseStatus": self._status(not errors, msg_code, errs, entities, template=template)}
        if "Id" in reply["Result"]:
            values.update(Id=done[0].fid if done and not errors else "",
                          Number=done[0].number if done and not errors else "")
        reply["Result"] = samples.fill(reply["Result"], values)
        return json_response(reply)
