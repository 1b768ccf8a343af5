"""SAP S/4HANA OData V2 client (contract §3.1–3.4), plain requests.

pyodata was considered and not used: it needs $metadata to build its model
(the real EDMX is large, our fake would have to imitate it), and its CSRF
handling is UNCONFIRMED (§3.8); the few calls we need are simpler by hand.

CSRF: a token is fetched with ``X-CSRF-Token: Fetch`` on the service root and
sent on writes with the session cookies; a 403 carrying ``x-csrf-token:
Required`` raises ``CsrfRequired`` — a ``SessionExpired`` — so ``BaseClient.call``
fetches a new token once and replays the write (nothing was posted).
"""
import datetime
import urllib.parse

from . import checks, error_table
from .base import DEFAULT_TIMEOUT, BaseClient
from .errors import (AuthError, BusinessError, ConnectorError, MalformedResponse, RemoteBusy, SessionExpired,
                     from_class)
from .model import KINDS, Material, Movement, RemoteResult, StockRow, to_decimal
from .sap_mapping import DEFAULT_TYPES, MAX_KEY, UNCONFIRMED_KINDS, check_key, movement_items
from .sap_pi import PI, PhysicalInventory

STOCK, PRODUCT, MATDOC = "API_MATERIAL_STOCK_SRV", "API_PRODUCT_SRV", "API_MATERIAL_DOCUMENT_SRV"
# $top/$skip pages are stable only with $orderby on the key (contract §5): the 11-part key
# of A_MatlStkInAcctMod (spec in vendor_samples/sap/stock_collection_reply.json.source).
ORDER_BY = {
    "A_MatlStkInAcctMod": "Material,Plant,StorageLocation,Batch,Supplier,Customer,WBSElementInternalID,"
                          "SDDocument,SDDocumentItem,InventorySpecialStockType,InventoryStockType",
    "A_Product": "Product",
}
# InventoryStockType -> comparison column.  UNCONFIRMED code values (the spec gives the field,
# not the list): 01 unrestricted, 02 quality inspection, 07 blocked; any other type is kept
# out of free stock (blocked).  Override: SapODataClient(stock_types={...}).
STOCK_TYPES = {"01": "free", "02": "qc", "07": "blocked"}
# Wrapper message ids whose errordetails carry the real reason (vendor_samples/sap/error_deficit.json).
WRAPPER_CODES = ("MM_IM_ODATA_API_MDOC/014",)


class CsrfRequired(SessionExpired):
    code = "csrf_required"


def odata_date(date):
    """Edm.DateTime JSON form "/Date(ms)/" (§3.1)."""
    return "/Date(%d)/" % (datetime.datetime(date.year, date.month, date.day,
                                             tzinfo=datetime.timezone.utc).timestamp() * 1000)


def odata_literal(value):
    return "'%s'" % str(value).replace("'", "''")


class SapODataClient(BaseClient):
    system = "sap"

    def __init__(self, base_url, username, password, *, sap_client=None, key_field="MaterialDocumentHeaderText",
                 page_size=1000, storage_location="", cost_center="", movement_types=None, stock_types=None,
                 special_stock=False, pi_key_field="PhysicalInventoryDocumentDesc",
                 pi_items_nav="to_PhysicalInventoryDocumentItem", error_overrides=None,
                 timeout=DEFAULT_TIMEOUT, retry=None, session=None, verify=True):
        """base_url: ``https://host/sap/opu/odata/sap/`` (services are appended).
        key_field: MaterialDocumentHeaderText (≤25 chars) or ReferenceDocument (≤16) holds our key.
        stock_types: InventoryStockType -> "free" | "qc" | "blocked" (see STOCK_TYPES).
        special_stock: also pull special stocks (consignment K, sales order E…); they are
        not our own free stock, so by default they are left out."""
        super().__init__(base_url, timeout=timeout, retry=retry, session=session, verify=verify)
        self.session.auth = (username, password)
        self.session.headers["Accept"] = "application/json"
        self.user, self.password, self.sap_client, self.key_field = username, password, sap_client, key_field
        self.page_size, self.storage_location, self.cost_center = page_size, storage_location, cost_center
        self.movement_types = movement_types
        self.stock_types = dict(STOCK_TYPES, **(stock_types or {}))
        self.special_stock = special_stock
        self.error_overrides = error_overrides
        self.pi = PhysicalInventory(self, pi_key_field, pi_items_nav)
        self.csrf = None
        self.remember_secrets()

    def _secret_values(self):
        return [self.password, self.csrf]

    literal = staticmethod(lambda value: odata_literal(value))
    odata_date = staticmethod(lambda date: odata_date(date))

    def write_headers(self):
        return {"X-CSRF-Token": self.csrf or "", "Content-Type": "application/json"}

    # -- transport ---------------------------------------------------------------------------
    def _params(self, extra=None):
        params = {"$format": "json"}
        if self.sap_client:
            params["sap-client"] = self.sap_client
        params.update(extra or {})
        return params

    def login(self):
        """Fetch a CSRF token (and the session cookies that go with it)."""
        resp = self.http("GET", self.base_url + MATDOC + "/", params=self._params(),
                         headers={"X-CSRF-Token": "Fetch"})
        self._check(resp, "CSRF token fetch")
        token = resp.headers.get("x-csrf-token")
        if not token or token.lower() == "required":
            raise AuthError("SAP sent no CSRF token to user %s (is the service activated in /IWFND/MAINT_SERVICE?)"
                            % self.user, system=self.system)
        self.csrf = token
        self.logged_in = True
        self.stats["csrf_fetches"] += 1
        self.remember_secrets()

    def _check(self, resp, what):
        if 200 <= resp.status_code < 300:
            return
        if resp.status_code == 401:
            raise AuthError("SAP refused user %s (HTTP 401) on %s: check user, password and sap-client"
                            % (self.user, what), system=self.system)
        if resp.status_code == 403 and (resp.headers.get("x-csrf-token") or "").lower() == "required":
            raise CsrfRequired("SAP asked for a new CSRF token on %s" % what, system=self.system)
        if resp.status_code == 403:
            raise AuthError("SAP user %s lacks authorisation for %s (HTTP 403)" % (self.user, what),
                            system=self.system, code="forbidden")
        if resp.status_code in (412, 428):
            # Stale or missing ETag: somebody changed the item; re-read and decide again.
            raise RemoteBusy("SAP refused %s: the record changed meanwhile (HTTP %d)" % (what, resp.status_code),
                             system=self.system)
        try:
            err = resp.json()["error"]
            code, message = err["code"], err["message"]["value"]
        except (ValueError, KeyError, TypeError):
            cls = error_table.classify("sap", status=resp.status_code, message=resp.text[:200],
                                       overrides=self.error_overrides, default=None)
            text = "SAP answered HTTP %d to %s: %s" % (resp.status_code, what, resp.text[:200])
            if cls is not None:
                raise from_class(cls, self.system, "http_%d" % resp.status_code, text)
            raise ConnectorError(text, system=self.system, code="http_%d" % resp.status_code)
        details = [d for d in (err.get("innererror") or {}).get("errordetails") or [] if isinstance(d, dict)]
        if code in WRAPPER_CODES:
            # "Material Document processing failed": the reason is the first error detail (M7/021…).
            first = next((d for d in details if d.get("severity") in ("error", None) and d.get("code")), None)
            if first is not None:
                code, message = first["code"], first.get("message") or message
        extra = "; ".join(d.get("message", "") for d in details if d.get("message") and d.get("message") != message)
        text = "SAP refused %s: %s%s" % (what, message, " (%s)" % extra if extra else "")
        cls = error_table.classify("sap", code=code, status=resp.status_code, message=message + " " + extra,
                                   overrides=self.error_overrides)
        raise from_class(cls, self.system, code, text,
                         details={"status": resp.status_code, "errordetails": details, "code": code})

    def _get(self, url, params, what):
        resp = self.http("GET", url, params=params)
        self._check(resp, what)
        body = self.parse_json(resp, what)
        if not isinstance(body, dict) or "d" not in body:
            raise MalformedResponse("SAP answer to %s has no 'd' envelope" % what, system=self.system)
        return body["d"]

    # -- reads -----------------------------------------------------------------------------------
    def iter_collection(self, service, entity, params=None, page_size=None):
        """Rows of an entity set with $top/$skip paging.  When the server cuts a page
        itself it sends ``__next`` (often with $skiptoken): follow it until the page
        is complete; a page shorter than $top then means the end."""
        size, skip = page_size or self.page_size, 0
        first = self.base_url + service + "/" + entity
        params = dict(params or {})
        if entity in ORDER_BY:
            params.setdefault("$orderby", ORDER_BY[entity])
        while True:
            url, p, got = first, self._params(dict(params, **{"$top": size, "$skip": skip})), 0
            while True:
                d = self.call(lambda: self._get(url, p, "%s page at %d" % (entity, skip + got)))
                rows = d.get("results") if isinstance(d, dict) else None
                if rows is None:
                    raise MalformedResponse("SAP %s answer has no results array" % entity, system=self.system)
                yield from rows
                got += len(rows)
                if not d.get("__next") or not rows:
                    break
                url, p = self._next_url(d["__next"]), None
            if got < size:
                return
            skip += got

    def _next_url(self, link):
        url = urllib.parse.urljoin(self.base_url, link)
        if urllib.parse.urlsplit(url).netloc != urllib.parse.urlsplit(self.base_url).netloc:
            # Never send our credentials to another host named by a response.
            raise MalformedResponse("SAP __next link points to another host: %s" % url, system=self.system)
        return url

    def iter_stock(self, plant=None, material=None, page_size=None):
        conds = []
        if plant:
            conds.append("Plant eq %s" % odata_literal(plant))
        if material:
            conds.append("Material eq %s" % odata_literal(material))
        params = {"$filter": " and ".join(conds)} if conds else {}
        for r in self.iter_collection(STOCK, "A_MatlStkInAcctMod", params, page_size):
            if r.get("InventorySpecialStockType") and not self.special_stock:
                continue        # consignment, sales-order… stock: not our own free stock
            yield StockRow(r.get("Material", ""), r.get("Plant", ""), r.get("Batch") or "",
                           to_decimal(r.get("MatlWrhsStkQtyInMatlBaseUnit")), r.get("StorageLocation") or "",
                           self.stock_types.get(r.get("InventoryStockType") or "", "blocked"))

    def iter_materials(self, page_size=None, language="EN"):
        params = {"$expand": "to_Description"}
        for r in self.iter_collection(PRODUCT, "A_Product", params, page_size):
            descs = (r.get("to_Description") or {}).get("results") or []
            name = next((d.get("ProductDescription") for d in descs if d.get("Language") == language),
                        descs[0].get("ProductDescription") if descs else "")
            yield Material(r.get("Product", ""), name or "", r.get("BaseUnit") or "", r.get("ProductGroup") or "",
                           not r.get("IsMarkedForDeletion"))

    def test_connection(self):
        self.ensure_login()
        d = self.call(lambda: self._get(self.base_url + PRODUCT + "/A_Product", self._params({"$top": 1}),
                                        "A_Product"))
        return "SAP %s: user %s authenticated, CSRF token fetched, %d product(s) readable" % (
            self.base_url, self.user, len(d.get("results") or []))

    # -- material documents ------------------------------------------------------------------------
    def find_document(self, key):
        params = self._params({"$filter": "%s eq %s" % (self.key_field, odata_literal(key)), "$top": 2})
        d = self.call(lambda: self._get(self.base_url + MATDOC + "/A_MaterialDocumentHeader", params,
                                        "look-up of material document %s" % key))
        rows = d.get("results") or []
        if len(rows) > 1:
            raise ConnectorError("SAP holds %d material documents with %s %s: fix by hand"
                                 % (len(rows), self.key_field, key), system=self.system, code="duplicate_documents")
        return rows[0] if rows else None

    def create_document(self, body):
        what = "goods movement %s" % body.get(self.key_field)
        resp = self.http("POST", self.base_url + MATDOC + "/A_MaterialDocumentHeader", params=self._params(),
                         json=body, headers=self.write_headers())
        self._check(resp, what)
        d = self.parse_json(resp, what)
        if not isinstance(d, dict) or not isinstance(d.get("d"), dict):
            raise MalformedResponse("SAP answer to %s has no 'd' object" % what, system=self.system)
        return d["d"]

    def check(self, kinds=KINDS, key="MOVE-1", warehouse="", location="", product=""):
        """Read-only probes: CSRF fetch (login), one row of each service used, key lengths,
        and what each kind would post."""
        found = []
        _, err = checks.safe(self.ensure_login)
        found.append(checks.login(err is None, self.user, err))
        if err:
            return found
        probes = [(PRODUCT, "A_Product", "materials"), (STOCK, "A_MatlStkInAcctMod", "stock"),
                  (MATDOC, "A_MaterialDocumentHeader", "movements")]
        if {"count_gain", "count_loss"} & set(kinds):
            probes.append((PI, "A_PhysInventoryDocHeader", "counts"))
        for service, entity, what in probes:
            _, err = checks.safe(self.call, lambda s=service, e=entity: self._get(
                self.base_url + s + "/" + e, self._params({"$top": 1}), e))
            found.append(checks.service("%s/%s" % (service, entity), err, what))
        found.append(checks.key_length(key, self.key_field, MAX_KEY[self.key_field]))
        if {"count_gain", "count_loss"} & set(kinds):
            found.append(checks.key_length(key, self.pi.key_field, MAX_KEY.get(self.pi.key_field, 40)))
            found.append(checks.unconfirmed("count documents", "created by deep insert into %s with %s"
                                            % (PI, self.pi.items_nav)))
        found.append(checks.unconfirmed("InventoryStockType codes", ", ".join(
            "%s=%s" % kv for kv in sorted(self.stock_types.items()))))
        types = dict(DEFAULT_TYPES, **(self.movement_types or {}))
        for kind in kinds:
            if kind in UNCONFIRMED_KINDS and types.get(kind) == DEFAULT_TYPES.get(kind):
                found.append(checks.unconfirmed(kind, UNCONFIRMED_KINDS[kind]))
            mv = checks.sample_movement(kind, key, warehouse or "1010", location or self.storage_location or "0001",
                                        product)
            try:
                op, body = self.preview(mv)
            except ConnectorError as exc:
                found.append(checks.unsupported(kind, exc.message))
                continue
            found.append(checks.would_post(kind, op, body))
        return found

    def preview(self, movement):
        mv = Movement.coerce(movement)
        if mv.kind in ("count_gain", "count_loss"):
            return ("POST %s/A_PhysInventoryDocHeader, count, PostDifferences (%s)"
                    % (PI, "701" if mv.kind == "count_gain" else "702"), self.pi.body(mv, self.storage_location))
        return "POST %s/A_MaterialDocumentHeader" % MATDOC, self.document_body(mv)

    def document_body(self, mv):
        check_key(mv.key, self.key_field)
        gm_code, items = movement_items(mv, types=self.movement_types, storage_location=self.storage_location,
                                        cost_center=self.cost_center)
        date = odata_date(mv.date)
        body = {"PostingDate": date, "DocumentDate": date, "GoodsMovementCode": gm_code,
                self.key_field: mv.key, "to_MaterialDocumentItem": items}
        if self.key_field != "ReferenceDocument" and mv.reference:
            body["ReferenceDocument"] = mv.reference[:16]
        return body

    def post_movement(self, movement):
        """Post one material document, exactly once.

        The API has no idempotency (§3.4), so each attempt first $filters on our key
        and posts only when nothing is found; a timeout or 5xx on the POST is never
        resent blindly."""
        mv = Movement.coerce(movement)
        if mv.kind in ("count_gain", "count_loss"):
            check_key(mv.key, self.pi.key_field)
            return self.pi.post(mv, self.storage_location)
        body = self.document_body(mv)
        already, attempt = None, 0
        while True:
            try:
                doc = self.find_document(mv.key)
                if already is None:
                    already = doc is not None
                if doc is None:
                    doc = self.call(lambda: self.create_document(body), replay=False)
                return RemoteResult("%s/%s" % (doc["MaterialDocumentYear"], doc["MaterialDocument"]),
                                    doc["MaterialDocument"], already)
            except ConnectorError as exc:
                attempt = self.backoff_or_raise(exc, attempt)
