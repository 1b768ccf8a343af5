"""Count differences through physical-inventory documents (API_PHYSICAL_INVENTORY_DOC_SRV).

A count gain or loss is not a goods movement of ours: SAP books it as the
posted difference of a physical-inventory document (movement types 701 gain /
702 loss).  Per movement, idempotent on our key kept in the header's
``PhysicalInventoryDocumentDesc`` (40 characters):

  1. look the document up by our key; create it when missing (deep insert);
  2. per item not counted yet: read its ETag and book quantity, PATCH the
     COUNTED quantity (book ± our difference) with If-Match (204);
  3. when an item's difference is not posted: POST PostDifferences.

Each step is re-decided from the document's state, so a replay after a lost
answer or a crash never counts or posts twice.

Property names are those of the service's generated consumption model
(vendor_samples/sap/pi_item_reply.json.source).  UNCONFIRMED: creating the
document by deep insert and the navigation name ``to_PhysicalInventoryDocumentItem``
(both configurable: ``pi_items_nav``), the ETag form.
"""
from decimal import Decimal

from .errors import ConnectorError, InvalidMovement, MalformedResponse
from .model import RemoteResult, to_decimal

PI = "API_PHYSICAL_INVENTORY_DOC_SRV"


class PhysicalInventory:
    def __init__(self, client, key_field="PhysicalInventoryDocumentDesc", items_nav="to_PhysicalInventoryDocumentItem"):
        self.c, self.key_field, self.items_nav = client, key_field, items_nav

    def url(self, resource):
        return self.c.base_url + PI + "/" + resource

    # -- reads ---------------------------------------------------------------------------
    def find(self, key):
        c = self.c
        params = c._params({"$filter": "%s eq %s" % (self.key_field, c.literal(key)), "$top": 2})
        d = c.call(lambda: c._get(self.url("A_PhysInventoryDocHeader"), params, "look-up of count %s" % key))
        rows = d.get("results") or []
        if len(rows) > 1:
            raise ConnectorError("SAP holds %d physical-inventory documents for our key %s: fix by hand"
                                 % (len(rows), key), system=c.system, code="duplicate_documents")
        return rows[0] if rows else None

    def items(self, doc):
        c = self.c
        flt = "FiscalYear eq %s and PhysicalInventoryDocument eq %s" % (
            c.literal(doc["FiscalYear"]), c.literal(doc["PhysicalInventoryDocument"]))
        params = c._params({"$filter": flt, "$orderby": "PhysicalInventoryDocumentItem"})
        d = c.call(lambda: c._get(self.url("A_PhysInventoryDocItem"), params,
                                  "items of count document %s" % doc["PhysicalInventoryDocument"]))
        return d.get("results") or []

    # -- writes --------------------------------------------------------------------------
    def body(self, mv, storage_location=""):
        places = {(line.warehouse_code, line.location_code or storage_location) for line in mv.lines}
        if len(places) != 1:
            raise InvalidMovement("movement %s: one physical-inventory document counts one plant and storage "
                                  "location, the lines use %s; split it" % (mv.key, sorted(places)),
                                  system=self.c.system)
        plant, sloc = places.pop()
        if not sloc:
            raise InvalidMovement("movement %s: SAP needs a storage location (location_code)" % mv.key,
                                  system=self.c.system)
        items = [{"Material": line.product_code, "Batch": line.lot} for line in mv.lines]
        return {"Plant": plant, "StorageLocation": sloc, self.key_field: mv.key,
                "DocumentDate": self.c.odata_date(mv.date), "PhysInventoryPlannedCountDate": self.c.odata_date(mv.date),
                self.items_nav: items}

    def create(self, body):
        c = self.c
        resp = c.http("POST", self.url("A_PhysInventoryDocHeader"), params=c._params(), json=body,
                      headers=c.write_headers())
        c._check(resp, "count document %s" % body[self.key_field])
        d = c.parse_json(resp, "count document")
        if not isinstance(d, dict) or not isinstance(d.get("d"), dict):
            raise MalformedResponse("SAP answer to the count document has no 'd' object", system=c.system)
        return d["d"]

    def count(self, item, counted, unit):
        c = self.c
        key = "FiscalYear='%s',PhysicalInventoryDocument='%s',PhysicalInventoryDocumentItem='%s'" % (
            item["FiscalYear"], item["PhysicalInventoryDocument"], item["PhysicalInventoryDocumentItem"])
        etag = (item.get("__metadata") or {}).get("etag") or "*"
        body = {"QuantityInUnitOfEntry": str(counted), "UnitOfEntry": unit} if counted else \
            {"PhysicalInventoryItemIsZero": True}
        resp = c.http("PATCH", self.url("A_PhysInventoryDocItem(%s)" % key), params=c._params(), json=body,
                      headers=dict(c.write_headers(), **{"If-Match": etag}))
        c._check(resp, "count of item %s" % key)

    def post_differences(self, doc, date):
        c = self.c
        params = c._params({"PhysicalInventoryDocument": c.literal(doc["PhysicalInventoryDocument"]),
                            "FiscalYear": c.literal(doc["FiscalYear"]),
                            "PostingDate": "datetime'%sT00:00:00'" % date.isoformat()})
        resp = c.http("POST", self.url("PostDifferences"), params=params, headers=c.write_headers())
        c._check(resp, "posting the differences of count document %s" % doc["PhysicalInventoryDocument"])

    # -- the flow ------------------------------------------------------------------------
    def post(self, mv, storage_location=""):
        """Count difference ``mv`` (count_gain / count_loss) exactly once; -> RemoteResult."""
        c = self.c
        body = self.body(mv, storage_location)
        sign = 1 if mv.kind == "count_gain" else -1
        deltas = {(line.product_code, line.lot): sign * line.quantity for line in mv.lines}
        units = {(line.product_code, line.lot): line.uom for line in mv.lines}
        already, attempt = None, 0
        while True:
            try:
                doc = self.find(mv.key)
                if already is None:
                    already = doc is not None
                if doc is None:
                    doc = c.call(lambda: self.create(body), replay=False)
                items = self.items(doc)
                for item in items:
                    if item.get("PhysicalInventoryItemIsCounted"):
                        continue
                    k = (item.get("Material", ""), item.get("Batch") or "")
                    book = to_decimal(item.get("BookQtyBfrCountInMatlBaseUnit"))
                    counted = book + deltas.get(k, Decimal(0))
                    if counted < 0:
                        raise InvalidMovement("movement %s: SAP's book quantity of %s is %s, a loss of %s would "
                                              "count below zero" % (mv.key, k[0], book, -deltas[k]), system=c.system)
                    c.call(lambda i=item, q=counted, u=units.get(k) or item.get("UnitOfEntry") or
                           item.get("MaterialBaseUnit") or "": self.count(i, q, u), replay=False)
                items = self.items(doc) if any(not i.get("PhysicalInventoryItemIsCounted") for i in items) else items
                if any(not i.get("PhysInvtryDifferenceIsPosted") for i in items):
                    c.call(lambda: self.post_differences(doc, mv.date), replay=False)
                    items = self.items(doc)
                number = next((i.get("MaterialDocument") for i in items if i.get("MaterialDocument")), "")
                return RemoteResult("PI/%s/%s" % (doc["FiscalYear"], doc["PhysicalInventoryDocument"]),
                                    number or doc["PhysicalInventoryDocument"], already)
            except ConnectorError as exc:
                attempt = c.backoff_or_raise(exc, attempt)
