"""Fake Yonyou U8+ OpenAPI (contract §2.1) on loopback.

GET /system/token, GET /system/tradeid, GET /api/{currentstock,inventory}/batch_get
(1-based page_index), POST /api/<voucher>/add with ``biz_id`` or ``tradeid`` and
``sync`` 0|1, and GET /result?requestid= for the asynchronous flow.  Always HTTP
200 with a string ``errcode`` (§2.1 Formats).

Replies are the vendor samples filled in (``samples.py``): token, tradeid, the
batch_get pages (page fields as strings), "20002 未检索到匹配的" for an empty
result, the async and sync add answers, the EAI-proxy-down message.

Published codes: "0", "20002" (nothing matched), "30021" (app not online).  The
other codes below are UNCONFIRMED and configurable (``codes=``); their MESSAGES
carry the words the real ones do, which is what the client decides on.  Voucher
line fields (inventorycode, quantity, batch) are UNCONFIRMED by analogy (§2.1).
Stock changes when a voucher is added (whether U8 waits for audit is UNCONFIRMED).
"""
import itertools
import secrets
import time

from . import samples
from .base import FakeServer, Response, Route, json_response
from .store import MaterialStore, StockStore

ERR = {
    "auth": "10001",          # app_key/app_secret/from_account wrong — UNCONFIRMED code
    "token": "20001",         # token missing, invalid or expired — UNCONFIRMED code
    "no_match": "20002",      # 未检索到匹配的[…] (vendor_samples/yonyou/batch_get_no_match_20002.json)
    "tradeid": "20003",       # tradeid unknown — UNCONFIRMED code
    "not_authorised": "30021",   # 此应用未上线 (vendor_samples/yonyou/app_not_online_30021.json)
    "duplicate": "30041",     # tradeid or biz_id already used — UNCONFIRMED code
    "rate": "40001",          # call limit — UNCONFIRMED code
    "stock": "50001",         # not enough stock — UNCONFIRMED code
    "unknown_code": "50002",  # inventory or warehouse code not found — UNCONFIRMED code
    "bad_request": "50003",   # missing/invalid fields — UNCONFIRMED code
}
# voucher -> (stock effect, header warehouse field, required header fields).  The add
# operations of a public client (vendor_samples/yonyou/operations.json): no saleout/add.
VOUCHERS = {
    "purchasein": (+1, "warehousecode", ("warehousecode", "vendorcode", "receivecode")),
    "materialout": (-1, "warehousecode", ("warehousecode",)),
    "transvouch": (0, "owhcode", ("owhcode", "iwhcode")),
    "otherin": (+1, "warehousecode", ("warehousecode", "receivecode")),
    "otherout": (-1, "warehousecode", ("warehousecode", "receivecode")),
}


class FakeU8(FakeServer):
    system = "yonyou"

    def __init__(self, *, stock_rows=30, materials=50, from_account="fake_dev", to_account="fake_ent",
                 app_key="fakekey", app_secret="fakesecret", token_ttl=7200, async_polls=0,
                 allow_negative=False, max_rows_per_page=1000, codes=None, biz_id_replay="refuse", **kw):
        super().__init__(**kw)
        self.codes = dict(ERR, **(codes or {}))
        # A second add with a used biz_id: "refuse" (an error naming the voucher) or
        # "same" (the first answer again) — the real behaviour is UNCONFIRMED.
        self.biz_id_replay = biz_id_replay
        self.proxy_down = 0               # the next N business calls: EAI proxy not connected
        self.used_tokens = set()
        self.from_account, self.to_account = from_account, to_account
        self.app_key, self.app_secret = app_key, app_secret
        self.token_ttl = token_ttl
        self.async_polls = async_polls        # "not ready" answers before an async result
        self.allow_negative = allow_negative
        self.max_rows_per_page = max_rows_per_page   # real maximum UNCONFIRMED
        self.stock = StockStore(stock_rows)
        self.materials = MaterialStore(max(materials, self.stock.product_count))
        self.tokens = {}          # token -> monotonic expiry
        self.tradeids = {}        # tradeid -> voucher id or None (issued, unused)
        self.biz_ids = {}         # (voucher, biz_id) -> voucher id
        self.vouchers = {}        # id -> {"voucher", "body", "key"}
        self.results = {}         # requestid -> [pending polls left, result dict]
        self._seq = itertools.count(1)

    @property
    def url(self):
        return self.root_url + "/"

    def client_kwargs(self):
        """Constructor arguments of ``connectors.yonyou.YonyouU8Client`` for this fake."""
        return {"base_url": self.url, "from_account": self.from_account, "to_account": self.to_account,
                "app_key": self.app_key, "app_secret": self.app_secret, "vendor_code": "V001",
                "customer_code": "C001"}

    def set_stock(self, product, warehouse, qty, lot=""):
        with self.lock:
            self.stock.set((product, warehouse, "", lot), qty)

    def documents_per_key(self):
        with self.lock:
            counts = {}
            for v in self.vouchers.values():
                counts[v["key"]] = counts.get(v["key"], 0) + 1
            return counts

    def expire_auth(self):
        self.tokens.clear()

    def fresh_auth(self, req):
        token = req.query.get("token")
        return token in self.tokens and token not in self.used_tokens

    def err(self, code_name, message, **extra):
        return dict({"errcode": self.codes[code_name], "errmsg": message}, **extra)

    def rate_limited_response(self, req):
        return json_response(self.err("rate", "调用频率超限, 请稍后再试"))

    # -- routing --------------------------------------------------------------------
    def route(self, req):
        path = req.path.rstrip("/")
        if req.method == "GET" and path == "/system/token":
            return Route("token", self._token)
        if req.method == "GET" and path == "/system/tradeid":
            return Route("tradeid", self._tradeid)
        if req.method == "GET" and path == "/result":
            return Route("result", self._result)
        if req.method == "GET" and path in ("/api/currentstock/batch_get", "/api/inventory/batch_get"):
            return Route(path[5:], self._batch_get)
        parts = path.strip("/").split("/")
        if req.method == "POST" and len(parts) == 3 and parts[0] == "api" and parts[2] == "add" \
                and parts[1] in VOUCHERS:
            # Duplicate delivery is harmless: biz_id / tradeid reuse is rejected.
            return Route(parts[1] + "/add", lambda r, v=parts[1]: self._add(r, v))
        return Response(404, b'{"errcode":"404","errmsg":"no such API"}')

    def _auth(self, q):
        if q.get("from_account") != self.from_account or q.get("app_key") != self.app_key:
            return json_response(self.err("auth", "from_account 或 app_key 错误"))
        if "to_account" in q and q.get("to_account") != self.to_account:
            return json_response(samples.fill(samples.load("yonyou", "app_not_online_30021.json"),
                                              {"errmsg": "此应用未上线或企业 %s 未授权" % q.get("to_account")}))
        expiry = self.tokens.get(q.get("token"))
        if expiry is None or expiry < time.monotonic():
            return json_response(self.err("token", "token 无效或已过期, 请重新获取"))
        self.used_tokens.add(q.get("token"))
        if self.proxy_down > 0:
            self.proxy_down -= 1
            # vendor_samples/yonyou/eai_proxy_down.json (errcode UNCONFIRMED)
            return json_response(samples.load("yonyou", "eai_proxy_down.json"))
        return None

    # -- system ----------------------------------------------------------------------
    def _token(self, req):
        q = req.query
        if (q.get("from_account"), q.get("app_key"), q.get("app_secret")) != \
                (self.from_account, self.app_key, self.app_secret):
            return json_response(self.err("auth", "from_account/app_key/app_secret 不匹配"))
        token = secrets.token_hex(16)
        self.tokens[token] = time.monotonic() + self.token_ttl
        # token{appkey, expiresIn, id} (vendor_samples/yonyou/token_reply.json)
        return json_response(samples.fill(samples.load("yonyou", "token_reply.json"), {
            "token": {"appkey": self.app_key, "expiresIn": self.token_ttl, "id": token}}))

    def _tradeid(self, req):
        q = req.query
        if q.get("from_account") != self.from_account or q.get("app_key") != self.app_key:
            return json_response(self.err("auth", "from_account 或 app_key 错误"))
        if q.get("token") not in self.tokens:
            return json_response(self.err("token", "token 无效或已过期, 请重新获取"))
        tid = secrets.token_hex(16)
        self.tradeids[tid] = None
        return json_response(samples.fill(samples.load("yonyou", "tradeid_reply.json"), {"trade": {"id": tid}}))

    def _result(self, req):
        entry = self.results.get(req.query.get("requestid"))
        if entry is None:
            return json_response(self.err("bad_request", "requestid 不存在"))
        if entry[0] > 0:
            entry[0] -= 1
            return json_response(entry[2])      # still processing: same shape as the first answer
        return json_response(entry[1])

    # -- reads -------------------------------------------------------------------------------
    def _batch_get(self, req):
        q = req.query
        denied = self._auth(q)
        if denied:
            return denied
        try:
            page = int(q.get("page_index") or 1)
            size = int(q.get("rows_per_page") or 20)
        except ValueError:
            return json_response(self.err("bad_request", "page_index/rows_per_page 必须是数字"))
        if page < 1 or size < 1 or size > self.max_rows_per_page:
            return json_response(self.err("bad_request", "rows_per_page 必须在 1..%d 之间, page_index 从 1 开始"
                                          % self.max_rows_per_page))
        if req.path.startswith("/api/currentstock"):
            return self._stock_page(q, page, size)
        codes = list(itertools.islice(self.materials.codes(), (page - 1) * size, page * size))
        total = len(self.materials)
        sample = samples.load("yonyou", "inventory_batch_get_reply.json")
        row = samples.sample_row(sample["inventory"])
        rows = []
        for code in codes:
            m = self.materials.get(code)
            rows.append(samples.fill(row, {"code": code, "name": m["name"], "specs": "", "sort_code": m["group"],
                                           "main_measure": m["uom"], "start_date": "2020-01-01",
                                           "end_date": "" if m["active"] else "2024-12-31", "invaddcode": "",
                                           "ModifyDate": "2020-01-01", "defwarehouse": ""}))
        return self._page(sample, page, size, total, "inventory", rows, "存货")

    @staticmethod
    def _page(sample, page, size, total, key, rows, what):
        if not rows:
            # An empty result is errcode 20002, not an empty page (batch_get_no_match_20002.json).
            return json_response(samples.fill(samples.load("yonyou", "batch_get_no_match_20002.json"),
                                              {"errmsg": "未检索到匹配的[%s]。" % what}))
        # Page fields are strings (currentstock_batch_get_reply.json).
        return json_response(samples.fill(sample, {
            "page_index": str(page), "rows_per_page": str(size), "row_count": str(total),
            "page_count": str((total + size - 1) // size), key: rows}))

    def _stock_page(self, q, page, size):
        filt = {k: q[k] for k in ("whcode_begin", "whcode_end", "invcode_begin", "invcode_end", "batch") if q.get(k)}
        if filt:
            rows = [r for r in self.stock.rows() if _stock_match(r, filt)]
            total, chosen = len(rows), rows[(page - 1) * size: page * size]
        else:
            total = len(self.stock)
            chosen = self.stock.rows((page - 1) * size, page * size)
        sample = samples.load("yonyou", "currentstock_batch_get_reply.json")
        row = samples.sample_row(sample["currentstock"])
        out = [samples.fill(row, {"whcode": r[1], "whname": "Warehouse " + r[1], "invcode": r[0],
                                  "invname": "Material " + r[0], "batch": r[3], "qty": r[4], "availqty": r[4],
                                  "stopqty": 0.0}) for r in chosen]
        return self._page(sample, page, size, total, "currentstock", out, "现存量")

    # -- writes --------------------------------------------------------------------------------
    def _add(self, req, voucher):
        q = req.query
        denied = self._auth(q)
        if denied:
            return denied
        biz_id, tradeid = q.get("biz_id"), q.get("tradeid")
        if bool(biz_id) == bool(tradeid):   # "tradeid与biz_id只能传入一个" (§2.1)
            return json_response(self.err("bad_request", "tradeid 与 biz_id 必须且只能传入一个"))
        result = self._apply(req, voucher, biz_id, tradeid)
        if q.get("sync") == "1":
            return json_response(result)
        rid = secrets.token_hex(8)
        # {tradeid, ping_after, url} (vendor_samples/yonyou/add_async_reply.json)
        first = samples.fill(samples.load("yonyou", "add_async_reply.json"), {
            "tradeid": tradeid or result.get("tradeid", ""), "ping_after": "1",
            "url": "%s/result?requestid=%s" % (self.root_url, rid)})
        self.results[rid] = [self.async_polls, result, first]
        return json_response(first)

    def _apply(self, req, voucher, biz_id, tradeid):
        if tradeid and tradeid not in self.tradeids:
            return self.err("tradeid", "tradeid %s 无效" % tradeid)
        seen = self.biz_ids.get((voucher, biz_id)) if biz_id else self.tradeids.get(tradeid)
        if seen:
            if self.biz_id_replay == "same":
                return samples.fill(samples.load("yonyou", "add_sync_reply.json"),
                                    {"id": seen, "tradeid": tradeid or ""})
            return self.err("duplicate", "%s %s 已使用, 对应单据 %s" % ("biz_id" if biz_id else "tradeid",
                                                                   biz_id or tradeid, seen), id=seen)
        try:
            body = req.json()[voucher]
            entries = body["entry"]
            assert isinstance(entries, list) and entries
        except (ValueError, KeyError, TypeError, AssertionError):
            return self.err("bad_request", "请求体必须是 {\"%s\": {..., \"entry\": [...]}}" % voucher)
        effect, wh_field, required = VOUCHERS[voucher]
        missing = [f for f in required if not body.get(f)]
        if missing:
            return self.err("bad_request", "表头字段 %s 必填" % ", ".join(missing))
        deltas = {}
        for i, line in enumerate(entries):
            code, lot = str(line.get("inventorycode") or ""), str(line.get("batch") or "")
            try:
                qty = float(line.get("quantity"))
            except (TypeError, ValueError):
                qty = 0
            if not self.materials.exists(code):
                return self.err("unknown_code", "第%d行 存货编码 %s 不存在" % (i + 1, code))
            if qty <= 0:
                return self.err("bad_request", "第%d行 数量必须大于0" % (i + 1))
            moves = [(body[wh_field], -qty), (body["iwhcode"], qty)] if effect == 0 else [(body[wh_field], effect * qty)]
            for wh, d in moves:
                deltas[(code, wh, "", lot)] = deltas.get((code, wh, "", lot), 0) + d
        if not self.allow_negative:
            for key, d in deltas.items():
                have = self.stock.get(key[0], key[1], key[3])
                if d < 0 and have + d < -1e-9:
                    return self.err("stock", "存货 %s 仓库 %s 批号 %s 现存量不足: 现有 %g, 需要 %g"
                                    % (key[0], key[1], key[3], have, -d))
        for key, d in deltas.items():
            self.stock.add(key, d)
        vid = "%010d" % next(self._seq)
        key = biz_id or body.get("memory") or tradeid
        self.vouchers[vid] = {"voucher": voucher, "body": body, "key": key}
        if biz_id:
            self.biz_ids[(voucher, biz_id)] = vid
        else:
            self.tradeids[tradeid] = vid
        self.record_apply(key)
        self.committed(voucher + "/add", key)
        # {errcode, errmsg, id, tradeid} (vendor_samples/yonyou/add_sync_reply.json)
        return samples.fill(samples.load("yonyou", "add_sync_reply.json"), {"id": vid, "tradeid": tradeid or ""})


def _stock_match(row, f):
    product, wh, _loc, lot, _q = row
    return ((not f.get("whcode_begin") or wh >= f["whcode_begin"]) and (not f.get("whcode_end") or wh <= f["whcode_end"])
            and (not f.get("invcode_begin") or product >= f["invcode_begin"])
            and (not f.get("invcode_end") or product <= f["invcode_end"])
            and (not f.get("batch") or lot == f["batch"]))
