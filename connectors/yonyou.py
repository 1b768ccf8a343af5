"""Yonyou U8+ OpenAPI client (contract §2.1).

Token from /system/token (cached, refreshed on expiry or on the token errcode);
reads with 1-based page_index paging; writes POST /api/<voucher>/add with our
key as ``biz_id`` so U8 itself rejects a replay ("tradeid与biz_id只能传入一个",
§2.1): that makes ``post_movement`` idempotent across timeouts and crashes
without a look-up.  ``idempotency="tradeid"`` fetches one tradeid per movement
instead; it protects in-process retries only (a crash loses the tradeid).

Error codes: only "0", "20002" (nothing matched: an empty page) and "30021"
(app not online/authorised) are published; everything else is decided on the
message (``error_table``), and the codes a site learns are constructor
arguments (``token_codes``, ``auth_codes``, ``duplicate_codes``, ``busy_codes``).
"""
import re
import time

from . import checks, error_table
from .base import DEFAULT_TIMEOUT, BaseClient
from .errors import (BusinessError, ConnectorError, InvalidMovement, MalformedResponse, TransportError,
                     UnsupportedKind, from_class)
from .model import KINDS, Material, Movement, RemoteResult, StockRow, to_decimal

# kind -> voucher resource.  The add operations are those a public U8 client implements
# (vendor_samples/yonyou/operations.json): there is no saleout/add — a sales issue is
# generated in U8 from the dispatch list — so "delivery" is not posted unless configured.
VOUCHERS = {
    "receipt": "purchasein", "issue": "materialout", "transfer": "transvouch",
    "delivery": None, "count_gain": "otherin", "count_loss": "otherout",
}
ADD_OPERATIONS = ("purchasein", "productin", "otherin", "otherout", "materialout", "transvouch", "consignment")
# A refusal that means "this biz_id/tradeid was already used" (wording UNCONFIRMED; codes configurable).
_DUPLICATE = re.compile(r"(?i)(biz_?id|tradeid|单据|编号|上游).*(已存在|重复|已使用|已经存在)|重复提交|duplicate")
RECEIVE_CODES = {   # 收发类别 per kind: site data, these are placeholders
    "receipt": "11", "issue": "21", "transfer": "", "delivery": "22", "count_gain": "13", "count_loss": "23",
}


class YonyouU8Client(BaseClient):
    system = "yonyou"

    def __init__(self, base_url, from_account, to_account, app_key, app_secret, *, ds_sequence=None,
                 sync=False, idempotency="biz_id", page_size=500, vendor_code="", customer_code="",
                 department_code="", receive_codes=None, vouchers=None, poll_attempts=20,
                 materials_key="inventory", token_codes=(), auth_codes=(), duplicate_codes=(), busy_codes=(),
                 error_overrides=None, timeout=DEFAULT_TIMEOUT, retry=None, session=None, verify=True):
        super().__init__(base_url, timeout=timeout, retry=retry, session=session, verify=verify)
        if idempotency not in ("biz_id", "tradeid"):
            raise ValueError("idempotency must be 'biz_id' or 'tradeid'")
        self.from_account, self.to_account = from_account, to_account
        self.app_key, self.app_secret = app_key, app_secret
        self.ds_sequence, self.sync, self.idempotency = ds_sequence, sync, idempotency
        self.page_size, self.poll_attempts, self.materials_key = page_size, poll_attempts, materials_key
        self.vendor_code, self.customer_code, self.department_code = vendor_code, customer_code, department_code
        self.receive_codes = dict(RECEIVE_CODES, **(receive_codes or {}))
        self.vouchers = dict(VOUCHERS, **(vouchers or {}))
        self.duplicate_codes = {str(c) for c in duplicate_codes}
        codes = dict({str(c): error_table.RELOGIN for c in token_codes},
                     **{str(c): error_table.AUTH for c in auth_codes},
                     **{str(c): error_table.RETRYABLE for c in busy_codes})
        self.error_overrides = dict(error_overrides or {})
        self.error_overrides["errcode"] = dict(self.error_overrides.get("errcode", {}), **codes)
        self.token, self.token_expiry = None, 0.0
        self.remember_secrets()

    def _secret_values(self):
        return [self.app_secret, self.token]

    # -- auth ---------------------------------------------------------------------------
    def ensure_login(self):
        if self.logged_in and time.monotonic() >= self.token_expiry:
            self.logged_in = False          # refresh before the server has to say so
        super().ensure_login()

    def login(self):
        body = self._get("system/token", {"from_account": self.from_account, "app_key": self.app_key,
                                          "app_secret": self.app_secret}, "token request", auth=False)
        token = (body.get("token") or {}) if isinstance(body.get("token"), dict) else {}
        if not token.get("id"):
            raise MalformedResponse("U8 token answer has no token.id", system=self.system)
        # Lifetime field UNCONFIRMED; one client reads expiresIn with 7200 s default (§2.1).
        ttl = float(token.get("expiresIn") or body.get("expiresIn") or 7200)
        self.token, self.token_expiry = token["id"], time.monotonic() + max(ttl - 60, ttl / 2)
        self.logged_in = True
        self.stats["logins"] += 1
        self.remember_secrets()

    def tradeid(self):
        body = self.call(lambda: self._get("system/tradeid", {"from_account": self.from_account,
                                                              "app_key": self.app_key, "token": self.token},
                                           "tradeid request", auth=False))
        return body["trade"]["id"]

    # -- transport -----------------------------------------------------------------------------
    def _params(self, extra=None):
        params = {"from_account": self.from_account, "to_account": self.to_account,
                  "app_key": self.app_key, "token": self.token}
        if self.ds_sequence is not None:
            params["ds_sequence"] = self.ds_sequence
        params.update(extra or {})
        return params

    def _get(self, path, params, what, auth=True, empty_ok=False):
        resp = self.http("GET", self.base_url + path, params=self._params(params) if auth else params)
        return self._check(self._body(resp, what), what, empty_ok=empty_ok)

    def _body(self, resp, what):
        if resp.status_code != 200:
            raise ConnectorError("U8 answered HTTP %d to %s: %s" % (resp.status_code, what, resp.text[:200]),
                                 system=self.system, code="http_%d" % resp.status_code)
        body = self.parse_json(resp, what)
        if not isinstance(body, dict):
            raise MalformedResponse("U8 answer to %s is not an object" % what, system=self.system)
        return body

    def _check(self, body, what, empty_ok=False):
        """The body when errcode is "0"; ``None`` for 20002 on a look-up (``empty_ok``);
        else the error of its class (``error_table``)."""
        if "errcode" not in body:
            return body                                  # async acknowledgement (tradeid/url)
        code = str(body.get("errcode"))
        if code == "0":
            return body
        errmsg = str(body.get("errmsg") or "")
        msg = "U8 refused %s: %s (errcode %s)" % (what, errmsg or "no message", code)
        if code in self.duplicate_codes or _DUPLICATE.search(errmsg):
            raise BusinessError(code, msg, self.system, details=dict(body, duplicate=True))
        cls = error_table.classify("yonyou", code=code, message=errmsg, overrides=self.error_overrides)
        if cls == error_table.EMPTY:
            if empty_ok:
                return None       # "未检索到匹配的[…]": nothing matched, not a failure
            cls = error_table.BUSINESS
        raise from_class(cls, self.system, code, msg, details=body)

    # -- reads ---------------------------------------------------------------------------------------
    def _pages(self, api, key, filters, page_size):
        size, page = page_size or self.page_size, 1
        while True:
            params = dict(filters or {}, page_index=page, rows_per_page=size)
            body = self.call(lambda: self._page(api, params, page))
            rows = body.get(key) or []
            yield from rows
            page_count = body.get("page_count")
            if len(rows) < size or (page_count is not None and page >= int(page_count)):
                return
            page += 1

    def _page(self, api, params, page):
        body = self._get("api/%s/batch_get" % api, params, "%s page %d" % (api, page), empty_ok=True)
        if body is None:
            return {"errcode": "20002", "page_count": page}     # no (more) rows
        if "errcode" not in body:
            raise MalformedResponse("U8 %s page %d has no errcode" % (api, page), system=self.system)
        return body

    def iter_stock(self, page_size=None, **filters):
        """filters: whcode_begin, whcode_end, invcode_begin, invcode_end, batch (§2.1)."""
        for r in self._pages("currentstock", "currentstock", filters, page_size):
            yield StockRow(r.get("invcode", ""), r.get("whcode", ""), r.get("batch") or "", to_decimal(r.get("qty")))

    def iter_materials(self, page_size=None, **filters):
        for r in self._pages("inventory", self.materials_key, filters, page_size):
            yield Material(r.get("code", ""), r.get("name", ""), r.get("main_measure") or "",
                           r.get("sort_code") or "", not r.get("end_date"))

    def test_connection(self):
        self.ensure_login()
        body = self.call(lambda: self._page("inventory", {"page_index": 1, "rows_per_page": 1}, 1))
        return "U8 %s: token ok for %s → %s, %s inventory record(s)" % (
            self.base_url, self.from_account, self.to_account, body.get("row_count", 0))

    def check(self, kinds=KINDS, key="MOVE-1", warehouse="", location="", product=""):
        """Read-only probes (token, the two batch_get reads) and what each kind would post."""
        found = []
        _, err = checks.safe(self.ensure_login)
        found.append(checks.login(err is None, "%s → %s" % (self.from_account, self.to_account), err))
        if err:
            return found
        for api in ("inventory", "currentstock"):
            _, err = checks.safe(self.call, lambda api=api: self._page(api, {"page_index": 1, "rows_per_page": 1}, 1))
            found.append(checks.service("api/%s/batch_get" % api, err))
        for kind in kinds:
            resource = self.vouchers.get(kind)
            if not resource:
                found.append(checks.unsupported(kind, "U8 OpenAPI has no confirmed add operation for it "
                                                      "(no saleout/add); set vouchers={'%s': …}" % kind))
                continue
            found.append(checks.unverifiable("api/%s/add" % resource, kind))
            if resource not in ADD_OPERATIONS:
                found.append(checks.unconfirmed("api/%s/add" % resource, "not in the public clients' operation lists"))
            mv = checks.sample_movement(kind, key, warehouse or "WH01", location, product)
            found.append(checks.would_post(kind, "POST api/%s/add?%s=%s" % (resource, self.idempotency, key),
                                           self.voucher_body(Movement.coerce(mv))[1]))
        found.append(checks.unconfirmed("voucher line fields", "inventorycode/quantity/batch by analogy (§2.1)"))
        return found

    def preview(self, movement):
        mv = Movement.coerce(movement)
        resource, body = self.voucher_body(mv)
        return "POST api/%s/add" % resource, body

    # -- writes ---------------------------------------------------------------------------------------
    def voucher_body(self, mv):
        """Header + entry for ``mv``; a U8 voucher has one warehouse, so lines must share it."""
        resource = self.vouchers.get(mv.kind)
        if not resource:
            raise UnsupportedKind("U8 OpenAPI has no confirmed way to post %s movements (there is no saleout/add "
                                  "in the public operation lists; a sales issue comes from the dispatch list): "
                                  "movement %s is not posted. Configure vouchers={'%s': …} if your U8 has one"
                                  % (mv.kind, mv.key, mv.kind), system=self.system)
        warehouses = {line.warehouse_code for line in mv.lines}
        targets = {line.to_warehouse_code for line in mv.lines}
        if len(warehouses) > 1 or (mv.kind == "transfer" and len(targets) > 1):
            raise InvalidMovement("movement %s: a U8 voucher holds one warehouse, lines use %s; split it"
                                  % (mv.key, ", ".join(sorted(warehouses | targets))), system=self.system)
        wh = mv.lines[0].warehouse_code
        head = {"date": mv.date.isoformat(), "memory": mv.key, "maker": "erp_sync"}
        rc = self.receive_codes.get(mv.kind, "")
        if mv.kind == "transfer":
            head.update(owhcode=wh, iwhcode=mv.lines[0].to_warehouse_code or wh, ordcode=rc, irdcode=rc)
        else:
            head.update(warehousecode=wh, receivecode=rc)
        if mv.kind == "receipt":
            vendor = mv.partner_code or self.vendor_code
            head.update(vendorcode=vendor, vendorabbname=vendor)
        if mv.kind == "delivery":
            head["customercode"] = mv.partner_code or self.customer_code
        if mv.kind == "issue" and self.department_code:
            head["departmentcode"] = self.department_code
        # Line fields UNCONFIRMED (by analogy with purchaserequisition, §2.1); numbers as strings.
        head["entry"] = [{"inventorycode": line.product_code, "quantity": str(line.quantity),
                          "batch": line.lot, "irowno": str(i + 1)} for i, line in enumerate(mv.lines)]
        return resource, {resource: head}

    def _add(self, resource, params, body, what):
        resp = self.http("POST", self.base_url + "api/%s/add" % resource, params=self._params(params), json=body)
        return self._check(self._body(resp, what), what)

    def _await(self, reply, what):
        """Async writes answer {tradeid, ping_after, url}; poll url until it has an errcode (§2.1)."""
        for _ in range(self.poll_attempts):
            if "errcode" in reply:
                return reply
            url = reply.get("url")
            if not url:
                raise MalformedResponse("U8 async answer to %s has neither errcode nor url" % what, system=self.system)
            self.retry.sleep(float(reply.get("ping_after") or 1))
            reply = self.call(lambda: self._check(self._body(self.http("GET", url), what), what))
        raise TransportError("U8 had no result for %s after %d polls" % (what, self.poll_attempts),
                             system=self.system, code="result_pending")

    def post_movement(self, movement):
        """Add the voucher for ``movement`` exactly once; a replay is rejected by U8
        as a reused biz_id (our key) and reported as ``already_existed``."""
        mv = Movement.coerce(movement)
        resource, body = self.voucher_body(mv)
        what = "%s/add for %s" % (resource, mv.key)
        ident = {"biz_id": mv.key} if self.idempotency == "biz_id" else {"tradeid": self.tradeid()}
        params = dict(ident, sync="1" if self.sync else "0")
        attempt = 0
        while True:
            try:
                reply = self.call(lambda: self._add(resource, params, body, what), replay=False)
                if "errcode" not in reply or reply.get("url"):
                    reply = self._await(reply, what)
                return RemoteResult(str(reply.get("id", "")), str(reply.get("id", "")), False)
            except BusinessError as exc:
                if exc.details.get("duplicate"):
                    # biz_id maps one-to-one to the voucher ("需要保证biz_id与ERP主键唯一对应关系"):
                    # U8 refuses a second voucher for it.  It existed before this call only
                    # if our first attempt was the one refused.
                    vid = str(exc.details.get("id", ""))
                    return RemoteResult(vid, vid, attempt == 0)
                raise
            except ConnectorError as exc:
                attempt = self.backoff_or_raise(exc, attempt)


YonyouClient = YonyouU8Client    # short name (used by addons/erp_sync); YonBIP is not implemented
