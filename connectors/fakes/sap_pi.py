"""Physical-inventory documents of the fake SAP (API_PHYSICAL_INVENTORY_DOC_SRV).

  POST A_PhysInventoryDocHeader            deep insert (header + to_PhysicalInventoryDocumentItem);
                                           the book quantity is frozen at creation
  GET  A_PhysInventoryDocHeader?$filter=…  look-up by PhysicalInventoryDocumentDesc
  GET  A_PhysInventoryDocItem?$filter=…    items of a document, with their ETag
  PATCH A_PhysInventoryDocItem(…)          the COUNTED quantity, If-Match required (428/412), 204
  POST PostDifferences?PhysicalInventoryDocument=…&FiscalYear=…
                                           701 (gain) / 702 (loss) material documents

Item shape: vendor_samples/sap/pi_item_reply.json.  Creating by deep insert and
the navigation name are UNCONFIRMED (see connectors/sap_pi.py).
"""
import datetime
import re
import secrets

from . import filters, samples
from .base import Response, json_response
from .sap_docs import SapError, odata_date, parse_date

PI = "API_PHYSICAL_INVENTORY_DOC_SRV"
_ITEM_KEY = re.compile(r"A_PhysInventoryDocItem\(FiscalYear='(\d{4})',PhysicalInventoryDocument='(\w+)',"
                       r"PhysicalInventoryDocumentItem='(\w+)'\)$")


def _lit(value):
    return str(value or "").strip().strip("'")


class PhysicalInventoryDocs:
    def __init__(self, fake, items_nav="to_PhysicalInventoryDocumentItem"):
        self.fake, self.items_nav = fake, items_nav
        self.docs = {}             # (year, number) -> header dict with "items"
        self._seq = 100000000

    def route(self, req, res):
        if res == "A_PhysInventoryDocHeader" and req.method == "POST":
            return self._create(req)
        if res == "A_PhysInventoryDocHeader":
            return self._collection(req, list(self.docs.values()), self._header_entity)
        if res == "A_PhysInventoryDocItem":
            items = [it for d in self.docs.values() for it in d["items"]]
            return self._collection(req, items, self._item_entity)
        m = _ITEM_KEY.match(res)
        if m and req.method in ("PATCH", "MERGE"):
            return self._count(req, m.groups())
        if res == "PostDifferences" and req.method == "POST":
            return self._post_differences(req)
        raise SapError("/IWBEP/CM_MGW_RT/021", "Resource not found for segment '%s'" % res, 404)

    # -- reads -------------------------------------------------------------------------
    def _collection(self, req, rows, entity):
        conds = filters.parse(req.query.get("$filter") or "", odata=True)
        getters = {}
        for row in rows[:1]:
            getters = {k.lower(): (lambda r, k=k: r.get(k)) for k in row if not isinstance(row[k], (list, dict))}
        match = filters.matcher(conds, getters) if conds and rows else (lambda r: True)
        found = [r for r in rows if match(r)]
        top = int(req.query.get("$top") or len(found) or 1)
        return json_response({"d": {"results": [entity(r) for r in found[:top]]}})

    def _header_entity(self, d):
        return {"__metadata": {"type": "API_PHYSICAL_INVENTORY_DOC_SRV.A_PhysInventoryDocHeaderType"},
                **{k: v for k, v in d.items() if k != "items"}}

    def _item_entity(self, it):
        row = samples.load("sap", "pi_item_reply.json")["d"]
        return samples.fill(row, dict({k: v for k, v in it.items() if k in row and k != "__metadata"},
                                      __metadata={"etag": it["etag"]},
                                      BookQtyBfrCountInMatlBaseUnit="%.3f" % it["BookQtyBfrCountInMatlBaseUnit"],
                                      QuantityInUnitOfEntry="%.3f" % (it["QuantityInUnitOfEntry"] or 0)))

    # -- writes ------------------------------------------------------------------------
    def _create(self, req):
        body = req.json()
        items = body.get(self.items_nav) or []
        if isinstance(items, dict):
            items = items.get("results") or []
        plant, sloc = body.get("Plant") or "", body.get("StorageLocation") or ""
        if plant not in self.fake.docs.plants or not sloc or not items:
            raise SapError("M7/018", "Enter plant, storage location and at least one item")
        desc = body.get("PhysicalInventoryDocumentDesc") or ""
        if len(desc) > 40 or len(body.get("PhysInventoryReferenceNumber") or "") > 16:
            raise SapError("/IWBEP/CM_MGW_RT/022", "PhysicalInventoryDocumentDesc is 40, "
                           "PhysInventoryReferenceNumber 16 characters at most")
        date = parse_date(body.get("DocumentDate"))
        self._seq += 1
        number, year = str(self._seq), str(date.year)
        doc = {"FiscalYear": year, "PhysicalInventoryDocument": number, "Plant": plant, "StorageLocation": sloc,
               "PhysicalInventoryDocumentDesc": desc,
               "PhysInventoryReferenceNumber": body.get("PhysInventoryReferenceNumber") or "",
               "DocumentDate": odata_date(date), "items": []}
        for n, it in enumerate(items, 1):
            material, batch = it.get("Material") or "", it.get("Batch") or ""
            if not self.fake.materials.exists(material):
                raise SapError("M3/305", "Item %d: material %s not maintained in plant %s" % (n, material, plant))
            doc["items"].append({
                "FiscalYear": year, "PhysicalInventoryDocument": number, "PhysicalInventoryDocumentItem": str(n),
                "Plant": plant, "StorageLocation": sloc, "Material": material, "Batch": batch,
                "PhysicalInventoryItemIsCounted": False, "PhysInvtryDifferenceIsPosted": False,
                "PhysInventoryReferenceNumber": doc["PhysInventoryReferenceNumber"], "MaterialDocument": "",
                "MaterialDocumentYear": "0000", "PhysicalInventoryItemIsZero": False, "MaterialBaseUnit": "PC",
                # Book quantity frozen when the document is created.
                "BookQtyBfrCountInMatlBaseUnit": self.fake.stock.get(material, plant, batch, sloc),
                "QuantityInUnitOfEntry": None, "UnitOfEntry": "PC", "etag": self._etag()})
        self.docs[(year, number)] = doc
        self.fake.committed("odata.POST A_PhysInventoryDocHeader", desc)
        return json_response({"d": self._header_entity(doc)}, 201)

    @staticmethod
    def _etag():
        return "W/\"datetimeoffset'%s'\"" % (datetime.datetime.now(datetime.timezone.utc)
                                              .strftime("%Y-%m-%dT%H%%3A%M%%3A%S.") + secrets.token_hex(4))

    def _count(self, req, key):
        year, number, item_no = key
        doc = self.docs.get((year, number))
        item = next((i for i in (doc or {}).get("items", ()) if i["PhysicalInventoryDocumentItem"] == item_no), None)
        if item is None:
            raise SapError("/IWBEP/CM_MGW_RT/020", "Resource not found", 404)
        if_match = req.headers.get("If-Match")
        if not if_match:
            return Response(428, b"Precondition required: send If-Match", content_type="text/plain")
        if if_match not in ("*", item["etag"]):
            return Response(412, b"Precondition failed: the item changed", content_type="text/plain")
        if item["PhysInvtryDifferenceIsPosted"]:
            raise SapError("M7/150", "Item %s of document %s is already posted" % (item_no, number))
        body = req.json()
        if body.get("PhysicalInventoryItemIsZero"):
            qty = 0.0
        else:
            try:
                qty = float(body["QuantityInUnitOfEntry"])
            except (KeyError, TypeError, ValueError):
                raise SapError("/IWBEP/CM_MGW_RT/022", "QuantityInUnitOfEntry is required")
        item.update(QuantityInUnitOfEntry=qty, PhysicalInventoryItemIsCounted=True, etag=self._etag(),
                    UnitOfEntry=body.get("UnitOfEntry") or item["UnitOfEntry"])
        self.fake.committed("odata.PATCH A_PhysInventoryDocItem", doc["PhysicalInventoryDocumentDesc"])
        return Response(204, b"", content_type=None)

    def _post_differences(self, req):
        q = req.query
        doc = self.docs.get((_lit(q.get("FiscalYear")), _lit(q.get("PhysicalInventoryDocument"))))
        if doc is None:
            raise SapError("M7/151", "Physical inventory document %s does not exist"
                           % _lit(q.get("PhysicalInventoryDocument")), 404)
        todo = [i for i in doc["items"] if i["PhysicalInventoryItemIsCounted"] and not i["PhysInvtryDifferenceIsPosted"]]
        if not todo:
            raise SapError("M7/152", "No counted items without posted differences in document %s"
                           % doc["PhysicalInventoryDocument"])
        date = parse_date(q.get("PostingDate", "").replace("datetime", "").strip("'")) if q.get("PostingDate") \
            else datetime.date.today()
        items = []
        for it in todo:
            diff = round(it["QuantityInUnitOfEntry"] - it["BookQtyBfrCountInMatlBaseUnit"], 6)
            if diff:
                items.append({"Material": it["Material"], "Plant": it["Plant"], "StorageLocation": it["StorageLocation"],
                              "Batch": it["Batch"], "GoodsMovementType": "701" if diff > 0 else "702",
                              "QuantityInEntryUnit": str(abs(diff)), "EntryUnit": it["UnitOfEntry"]})
        mdoc = None
        if items:
            # One material document per posting, header text = our key, so the fake's
            # per-key counters see a count like any other movement.
            mdoc = self.fake.docs.post(doc["PhysicalInventoryDocumentDesc"][:25], "", "04", date, items,
                                       self.fake.user)
        for it in todo:
            it.update(PhysInvtryDifferenceIsPosted=True, etag=self._etag(),
                      MaterialDocument=mdoc["MaterialDocument"] if mdoc else "",
                      MaterialDocumentYear=mdoc["MaterialDocumentYear"] if mdoc else "0000")
        self.fake.committed("odata.POST PostDifferences", doc["PhysicalInventoryDocumentDesc"])
        return json_response({"d": {"PhysicalInventoryDocument": doc["PhysicalInventoryDocument"],
                                    "FiscalYear": doc["FiscalYear"]}})
