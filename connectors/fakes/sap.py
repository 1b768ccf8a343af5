"""Fake SAP S/4HANA on loopback: OData V2 (contract §3.1–3.4) and the SOAP
goods-movement service of the shipped WSDL (§3.7), sharing one stock.

Basic auth everywhere; CSRF token per session cookie for OData writes (403 +
``x-csrf-token: Required`` without it); V2 ``d``/``results`` envelope with
decimals as strings and ``/Date(ms)/``; 201 on deep insert; error JSON of §3.1.
Server-side paging: at most ``max_page`` rows per answer, with ``__next``.

Entities and errors are the vendor samples filled in (``samples.py``): the
A_MatlStkInAcctMod row with its stock types and special stocks, the created
material document, the error envelope (generic wrapper + errordetails), the
lock error.  UNCONFIRMED behaviours are options: ``unordered_paging`` (no
$orderby = unstable $skip pages), ``locks`` (next N writes answer the lock
error), ``stock_type_rows`` (quality/blocked/consignment rows).
"""
import base64
import datetime
import os
import random
import re
import secrets
import urllib.parse

from . import filters, samples
from .base import FakeServer, Response, Route, json_response
from .sap_pi import PI, PhysicalInventoryDocs
from .sap_docs import MaterialDocuments, SapError, odata_date, parse_date
from .sap_soap import SoapRequestError, fault, parse_request, response as soap_response
from .store import MaterialStore, StockStore

ODATA = "/sap/opu/odata/sap/"
SOAP_PATH = "/sap/bc/srt/rfc/sap/zbapi_goodsmvt_create/100/zbapi_goodsmvt_create/zbapi_goodsmvt_create"
STOCK, PRODUCT, MATDOC = "API_MATERIAL_STOCK_SRV", "API_PRODUCT_SRV", "API_MATERIAL_DOCUMENT_SRV"
SERVICES = (STOCK, PRODUCT, MATDOC, PI)
COOKIE = "SAP_SESSIONID_FAK_100"
WRITES = ("POST", "PUT", "PATCH", "MERGE", "DELETE")
WSDL = os.path.join(os.path.dirname(os.path.dirname(__file__)), "wsdl", "bapi_goodsmvt_create.wsdl")
_DOC_KEY = re.compile(r"A_MaterialDocumentHeader\(MaterialDocumentYear='(\d{4})',MaterialDocument='(\w+)'\)"
                      r"(/to_MaterialDocumentItem)?$")

# Stock rows: (material, plant, sloc, batch, qty[, special stock type, stock type, supplier])
_STOCK_FIELDS = {"material": lambda r: r[0], "plant": lambda r: r[1], "storagelocation": lambda r: r[2],
                 "batch": lambda r: r[3], "inventorystocktype": lambda r: r[6] if len(r) > 6 else "01",
                 "inventoryspecialstocktype": lambda r: r[5] if len(r) > 5 else ""}
_DOC_FIELDS = {k.lower(): (lambda d, k=k: d.get(k)) for k in (
    "MaterialDocumentHeaderText", "ReferenceDocument", "MaterialDocumentYear", "MaterialDocument",
    "GoodsMovementCode")}


def odata_error(code, message, status=400, service="", headers=None, wrapper=None):
    """The error envelope of vendor_samples/sap/error_deficit.json, filled.  With ``wrapper``
    (code, text) the outer code is the service's generic one and ours is the detail, as the
    material document API answers."""
    tpl = samples.load("sap", "error_deficit.json")["error"]
    inner = tpl["innererror"]
    detail = samples.fill(samples.sample_row(inner["errordetails"]), {"code": code, "message": message})
    outer_code, outer_text = wrapper or (code, message)
    body = {"error": samples.fill(tpl, {
        "code": outer_code, "message": {"value": outer_text},
        "innererror": {"application": {"service_id": service},
                       "transactionid": secrets.token_hex(16).upper(),
                       "timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d%H%M%S.%f")[:22],
                       "errordetails": [detail]}})}
    return json_response(body, status, headers)


def locked_error(service):
    """vendor_samples/sap/error_locked.json (UNCONFIRMED id and wording)."""
    return json_response(samples.load("sap", "error_locked.json"), 400)


class FakeSAP(FakeServer):
    system = "sap"

    def __init__(self, *, stock_rows=30, materials=50, user="FAKEUSER", password="fakepass",
                 plants=("1010", "1020", "1030"), storage_location="0001", allow_negative=False,
                 max_page=5000, unordered_paging="shuffle", stock_type_rows=(), wrap_errors=True, **kw):
        super().__init__(**kw)
        self.unordered_paging = unordered_paging
        # Extra stock rows beside the unrestricted ones: (material, plant, sloc, batch, qty,
        # special stock type, stock type[, supplier]) — quality, blocked, consignment…
        self.stock_type_rows = [tuple(r) for r in stock_type_rows]
        self.wrap_errors = wrap_errors      # outer MM_IM_ODATA_API_MDOC/014 + detail (error_deficit.json)
        self.locks = 0                      # the next N material-document POSTs answer "locked by user"
        self.used_tokens = set()
        self.user, self.password = user, password
        self.max_page = max_page            # server-side page size; the real limit is UNCONFIRMED
        self.stock = StockStore(stock_rows, warehouses=plants, location=storage_location)
        self.materials = MaterialStore(max(materials, self.stock.product_count))
        self.docs = MaterialDocuments(self.stock, self.materials, plants, allow_negative)
        self.docs.on_apply = lambda d: self.record_apply(
            d["MaterialDocumentHeaderText"] or d["ReferenceDocument"] or d["MaterialDocument"])
        self.sessions = {}                  # session cookie -> CSRF token or None
        self.csrf_fetches = 0
        self.pi = PhysicalInventoryDocs(self)

    @property
    def url(self):
        return self.root_url + ODATA

    @property
    def soap_url(self):
        return self.root_url + SOAP_PATH

    def client_kwargs(self, soap=False):
        """Constructor arguments of ``SapODataClient`` (or ``SapSoapClient`` with soap=True)."""
        kw = {"username": self.user, "password": self.password, "storage_location": self.stock.location,
              "cost_center": "CC100"}
        kw.update({"endpoint": self.soap_url, "lookup": self.url} if soap else {"base_url": self.url})
        return kw

    def set_stock(self, product, plant, qty, lot="", location=None):
        with self.lock:
            self.stock.set((product, plant, self.stock.location if location is None else location, lot), qty)

    def documents_per_key(self):
        with self.lock:
            counts = {}
            for d in self.docs.docs.values():
                key = d["MaterialDocumentHeaderText"] or d["ReferenceDocument"]
                counts[key] = counts.get(key, 0) + 1
            return counts

    def expire_auth(self):
        self.sessions.clear()     # session cookies and their CSRF tokens are gone

    def fresh_auth(self, req):
        token = req.headers.get("X-CSRF-Token")
        return bool(token) and token.lower() != "fetch" and token not in self.used_tokens \
            and token in self.sessions.values()

    # -- routing ------------------------------------------------------------------------------
    def route(self, req):
        auth = req.headers.get("Authorization") or ""
        expected = "Basic " + base64.b64encode(("%s:%s" % (self.user, self.password)).encode()).decode()
        if auth != expected:
            return Response(401, b"Logon failed: user or password wrong", content_type="text/plain",
                            headers=[("WWW-Authenticate", 'Basic realm="SAP NetWeaver Application Server [FAK/100]"')])
        if req.path == SOAP_PATH:
            if req.method == "GET":
                return Route("soap.wsdl", self._wsdl)
            # No server-side uniqueness: a duplicated delivery would post twice, so never duplicate.
            return Route("soap.BapiGoodsmvtCreate", self._soap, dup_safe=False)
        if not req.path.startswith(ODATA):
            return Response(404, b"not found", content_type="text/plain")
        srv, _, res = req.path[len(ODATA):].partition("/")
        if srv not in SERVICES:
            return odata_error("/IWFND/MED/170", "No service found for namespace '', name '%s'" % srv, 404)
        entity = res.split("(", 1)[0] or "$root"
        return Route("odata.%s %s/%s" % (req.method, srv, entity), lambda r: self._odata(r, srv, res),
                     dup_safe=req.method not in WRITES)

    def rate_limited_response(self, req):
        return Response(429, b"Rate limit exceeded", [("Retry-After", "0")], "text/plain")

    # -- OData --------------------------------------------------------------------------------
    def _odata(self, req, srv, res):
        extra = []
        sid = req.cookies.get(COOKIE)
        if sid not in self.sessions:
            sid = secrets.token_hex(12)
            self.sessions[sid] = None
            extra.append(("Set-Cookie", "%s=%s; path=/; HttpOnly" % (COOKIE, sid)))
        if req.method in WRITES:
            token = req.headers.get("X-CSRF-Token")
            if not token or token != self.sessions.get(sid):
                # 403 + "x-csrf-token: Required" (vendor_samples/sap/csrf_required.json)
                sample = samples.load("sap", "csrf_required.json")
                return Response(sample["status"], sample["body"], extra + list(sample["headers"].items()),
                                "text/plain")
            self.used_tokens.add(token)
        elif (req.headers.get("X-CSRF-Token") or "").lower() == "fetch":
            self.sessions[sid] = self.sessions[sid] or secrets.token_urlsafe(18)
            self.csrf_fetches += 1
            extra.append(("x-csrf-token", self.sessions[sid]))
        resp = self._odata_resource(req, srv, res)
        resp.headers.extend(extra)
        return resp

    def _odata_resource(self, req, srv, res):
        base = self.url + srv + "/"
        if res in ("", "/"):
            sets = {STOCK: ["A_MaterialStock", "A_MatlStkInAcctMod"], PRODUCT: ["A_Product", "A_ProductDescription"],
                    MATDOC: ["A_MaterialDocumentHeader", "A_MaterialDocumentItem"],
                    PI: ["A_PhysInventoryDocHeader", "A_PhysInventoryDocItem"]}[srv]
            return json_response({"d": {"EntitySets": sets}})
        if res == "$metadata":
            return Response(200, '<?xml version="1.0"?><edmx:Edmx Version="1.0" xmlns:edmx='
                            '"http://schemas.microsoft.com/ado/2007/06/edmx"/>', content_type="application/xml")
        try:
            if srv == STOCK and res == "A_MatlStkInAcctMod" and req.method in ("GET", "HEAD"):
                return self._collection(req, base + res, self._stock_rows, self._stock_entity)
            if srv == PRODUCT and res == "A_Product" and req.method in ("GET", "HEAD"):
                return self._collection(req, base + res, self._product_rows, self._product_entity)
            if srv == PI:
                return self.pi.route(req, res)
            if srv == MATDOC and res == "A_MaterialDocumentHeader":
                if req.method == "POST":
                    if self.locks > 0:
                        self.locks -= 1
                        return locked_error(srv)
                    return self._create_document(req)
                return self._collection(req, base + res, self._doc_rows, self._doc_entity)
            m = _DOC_KEY.match(res)
            if srv == MATDOC and m and req.method == "GET":
                doc = self.docs.docs.get((m.group(1), m.group(2)))
                if doc is None:
                    return odata_error("/IWBEP/CM_MGW_RT/020", "Resource not found for segment "
                                       "'A_MaterialDocumentHeader'", 404, srv)
                if m.group(3):
                    return json_response({"d": {"results": [self._item_entity(doc, it) for it in doc["items"]]}})
                return json_response({"d": self._doc_entity(doc, expand=True)})
        except SapError as exc:
            wrapper = ("MM_IM_ODATA_API_MDOC/014", "Material Document processing failed") \
                if self.wrap_errors and srv == MATDOC and req.method == "POST" else None
            return odata_error(exc.code, exc.message, exc.status, srv, wrapper=wrapper)
        except filters.FilterError as exc:
            return odata_error("/IWBEP/CM_MGW_RT/004", "Invalid $filter: %s" % exc, 400, srv)
        return odata_error("/IWBEP/CM_MGW_RT/021", "Resource not found for segment '%s'" % res, 404, srv)

    def _collection(self, req, url, rows_for, entity):
        q = req.query
        skip = int(q.get("$skip") or 0)
        top = int(q["$top"]) if q.get("$top") else None
        page = min(top, self.max_page) if top is not None else self.max_page
        conds = filters.parse(q.get("$filter") or "", odata=True)
        if not q.get("$orderby") and self.unordered_paging == "shuffle" and skip:
            # $skip without $orderby: the server's order is not stable (contract §5).
            rows, total = rows_for(conds, 0, 10 ** 9)
            random.Random(sum(self.request_counts.values())).shuffle(rows)
            rows = rows[skip: skip + page]
        else:
            rows, total = rows_for(conds, skip, page)
        expand = "to_Description" in (q.get("$expand") or "") or "to_MaterialDocumentItem" in (q.get("$expand") or "")
        d = {"results": [entity(r, expand=expand) for r in rows]}
        if q.get("$inlinecount") == "allpages":
            d["__count"] = str(total)
        more = total > skip + len(rows) and len(rows) == page and (top is None or top > page)
        if more:   # server-driven paging
            nq = dict(q, **{"$skip": str(skip + page)})
            if top is not None:
                nq["$top"] = str(top - page)
            d["__next"] = url + "?" + urllib.parse.urlencode(nq)
        return json_response({"d": d})

    def _stock_rows(self, conds, skip, page):
        if not conds and not self.stock_type_rows:
            return list(self.stock.rows(skip, skip + page)), len(self.stock)
        if not conds:
            rows = list(self.stock.rows()) + self.stock_type_rows
            return rows[skip: skip + page], len(rows)
        material = filters.equality(conds, "Material")
        source = ([self.stock.row(i) for i in self.stock.indexes_for_product(material)]
                  if material is not None else list(self.stock.rows())) + self.stock_type_rows
        match = filters.matcher(conds, _STOCK_FIELDS)
        rows = [r for r in source if match(r)]
        return rows[skip: skip + page], len(rows)

    def _stock_entity(self, r, expand=False):
        row = samples.sample_row(samples.load("sap", "stock_collection_reply.json")["d"]["results"])
        special, stype = (r[5], r[6]) if len(r) > 6 else ("", "01")
        supplier = r[7] if len(r) > 7 else ""
        key = ("Material='%s',Plant='%s',StorageLocation='%s',Batch='%s',Supplier='%s',Customer='',"
               "WBSElementInternalID='00000000',SDDocument='',SDDocumentItem='000000',"
               "InventorySpecialStockType='%s',InventoryStockType='%s'" % (r[0], r[1], r[2], r[3], supplier,
                                                                           special, stype))
        uri = self.url + STOCK + "/A_MatlStkInAcctMod(%s)" % key
        return samples.fill(row, {"__metadata": {"id": uri, "uri": uri}, "Material": r[0], "Plant": r[1],
                                  "StorageLocation": r[2], "Batch": r[3], "Supplier": supplier,
                                  "InventorySpecialStockType": special, "InventoryStockType": stype,
                                  "MatlWrhsStkQtyInMatlBaseUnit": "%.3f" % r[4]})

    def _product_rows(self, conds, skip, page):
        code = filters.equality(conds, "Product")
        codes = [code] if code is not None else list(self.materials.codes())
        products = [m for m in map(self.materials.get, codes) if m is not None]
        return products[skip: skip + page], len(products)

    def _product_entity(self, m, expand=False):
        desc = ({"results": [{"Product": m["code"], "Language": "EN", "ProductDescription": m["name"]}]}
                if expand else {"__deferred": {"uri": self.url + "%s/A_Product('%s')/to_Description" % (PRODUCT, m["code"])}})
        return {"__metadata": {"type": "API_PRODUCT_SRV.A_ProductType"}, "Product": m["code"], "ProductType": "ROH",
                "BaseUnit": m["uom"], "ProductGroup": m["group"], "IsMarkedForDeletion": not m["active"],
                "IsBatchManagementRequired": True, "CrossPlantStatus": "", "to_Description": desc}

    def _doc_rows(self, conds, skip, page):
        match = filters.matcher(conds, _DOC_FIELDS)
        for field in ("MaterialDocumentHeaderText", "ReferenceDocument"):
            value = filters.equality(conds, field)
            if value is not None:        # index look-up for the client's by-key search
                docs = [d for d in self.docs.by_field(field, value) if match(d)]
                return docs[skip: skip + page], len(docs)
        docs = [d for d in self.docs.docs.values() if match(d)]
        return docs[skip: skip + page], len(docs)

    def _doc_entity(self, doc, expand=False):
        key = "MaterialDocumentYear='%s',MaterialDocument='%s'" % (doc["MaterialDocumentYear"], doc["MaterialDocument"])
        uri = self.url + MATDOC + "/A_MaterialDocumentHeader(%s)" % key
        items = ({"results": [self._item_entity(doc, it) for it in doc["items"]]} if expand
                 else {"__deferred": {"uri": uri + "/to_MaterialDocumentItem"}})
        # vendor_samples/sap/matdoc_create_reply.json, filled
        return samples.fill(samples.load("sap", "matdoc_create_reply.json")["d"], {
            "__metadata": {"id": uri, "uri": uri},
            "MaterialDocumentYear": doc["MaterialDocumentYear"], "MaterialDocument": doc["MaterialDocument"],
            "InventoryTransactionType": "", "DocumentDate": odata_date(doc["PostingDate"]),
            "PostingDate": odata_date(doc["PostingDate"]), "CreationDate": odata_date(doc["PostingDate"]),
            "CreatedByUser": doc["CreatedByUser"], "MaterialDocumentHeaderText": doc["MaterialDocumentHeaderText"],
            "ReferenceDocument": doc["ReferenceDocument"], "GoodsMovementCode": doc["GoodsMovementCode"],
            "to_MaterialDocumentItem": samples.Whole(items)})

    @staticmethod
    def _item_entity(doc, it):
        return dict({k: v for k, v in it.items() if isinstance(v, str)},
                    MaterialDocumentYear=doc["MaterialDocumentYear"], MaterialDocument=doc["MaterialDocument"],
                    QuantityInEntryUnit="%.3f" % float(it.get("QuantityInEntryUnit") or 0))

    def _create_document(self, req):
        try:
            body = req.json()
        except ValueError:
            return odata_error("/IWBEP/CM_MGW_RT/004", "Malformed request body: not JSON", 400, MATDOC)
        items = body.get("to_MaterialDocumentItem") or []
        if isinstance(items, dict):      # both plain array and {"results": [...]} are seen (§3.4)
            items = items.get("results") or []
        doc = self.docs.post(body.get("MaterialDocumentHeaderText"), body.get("ReferenceDocument"),
                             body.get("GoodsMovementCode") or "", parse_date(body.get("PostingDate")), items,
                             self.user)
        self.committed("odata.POST A_MaterialDocumentHeader", doc["MaterialDocumentHeaderText"])
        entity = self._doc_entity(doc, expand=True)
        return json_response({"d": entity}, 201, [("Location", entity["__metadata"]["uri"])])

    # -- SOAP ----------------------------------------------------------------------------------
    def _wsdl(self, req):
        with open(WSDL, "rb") as f:
            text = f.read().decode("utf-8")
        text = re.sub(r'location="[^"]*"', 'location="%s"' % self.soap_url, text)
        return Response(200, text, content_type="text/xml; charset=utf-8")

    def _soap(self, req):
        xml = "text/xml; charset=utf-8"
        try:
            p = parse_request(req.body)
        except SoapRequestError as exc:
            return Response(500, fault(str(exc)), content_type=xml)
        try:
            doc = self.docs.post(p["header_text"], p["reference"], p["gm_code"], parse_date(p["posting_date"]),
                                 p["items"], self.user, test_run=p["test_run"])
        except SapError as exc:
            return Response(200, soap_response(error=exc), content_type=xml)
        if doc is not None:
            self.committed("soap.BapiGoodsmvtCreate", doc["MaterialDocumentHeaderText"])
        return Response(200, soap_response(doc), content_type=xml)
