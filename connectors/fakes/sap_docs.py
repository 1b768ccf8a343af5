"""Material documents of the fake SAP: one posting routine for OData and SOAP.

Movement types and their stock effect follow contract §3.4 (recipes table).
Message ids other than M7/021 (stock deficit) are the fake's choice (UNCONFIRMED).
"""
import datetime
import re


class SapError(Exception):
    """A business refusal: OData 400 error JSON, SOAP Return item of type E."""

    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


# movement type -> effect on (Plant, StorageLocation): +1 in, -1 out, 0 transfer
MOVEMENT_TYPES = {"101": 1, "501": 1, "561": 1, "701": 1, "261": -1, "201": -1, "601": -1,
                  "551": -1, "702": -1, "311": 0, "301": 0}
GM_CODES = ("01", "02", "03", "04", "05", "06", "07")
_DATE_MS = re.compile(r"/Date\((-?\d+)(?:[+-]\d+)?\)/")


def parse_date(value):
    """Edm.DateTime as "/Date(ms)/" or an ISO string (both seen, §3.1)."""
    if not value:
        return datetime.date.today()
    m = _DATE_MS.fullmatch(str(value))
    if m:
        return (datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=int(m.group(1)))).date()
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise SapError("/IWBEP/CM_MGW_RT/022", "Invalid date value '%s'" % value)


def odata_date(date):
    epoch = datetime.datetime(1970, 1, 1)
    return "/Date(%d)/" % int((datetime.datetime(date.year, date.month, date.day) - epoch).total_seconds() * 1000)


class MaterialDocuments:
    def __init__(self, stock, materials, plants, allow_negative=False):
        self.stock, self.materials, self.plants = stock, materials, set(plants)
        self.allow_negative = allow_negative
        self.docs = {}              # (year, number) -> dict
        self._index = {}            # (field, value) -> [doc] for header text / reference look-ups
        self._seq = 4900000000
        self.on_apply = None        # fn(doc)

    def by_field(self, field, value):
        return list(self._index.get((field, value), ()))

    def post(self, header_text, reference, gm_code, posting_date, items, user, test_run=False):
        """items: dicts with Material, Plant, StorageLocation, Batch, GoodsMovementType,
        QuantityInEntryUnit, EntryUnit, IssuingOrReceivingPlant, IssuingOrReceivingStorageLoc."""
        if gm_code not in GM_CODES:
            raise SapError("M7/895", "Goods movement code '%s' is not supported" % gm_code)
        if len(header_text or "") > 25:
            raise SapError("/IWBEP/CM_MGW_RT/022",
                           "MaterialDocumentHeaderText '%s' is longer than 25 characters" % header_text)
        if len(reference or "") > 16:
            raise SapError("/IWBEP/CM_MGW_RT/022", "ReferenceDocument '%s' is longer than 16 characters" % reference)
        if not items:
            raise SapError("M7/001", "Enter at least one item (to_MaterialDocumentItem is empty)")
        deltas = {}
        for n, it in enumerate(items, 1):
            material, plant = it.get("Material") or "", it.get("Plant") or ""
            sloc, batch, mvt = it.get("StorageLocation") or "", it.get("Batch") or "", it.get("GoodsMovementType") or ""
            try:
                qty = float(it.get("QuantityInEntryUnit") or 0)
            except (TypeError, ValueError):
                qty = 0.0
            if not self.materials.exists(material):
                raise SapError("M3/305", "Item %d: material %s not maintained in plant %s" % (n, material, plant))
            if plant not in self.plants:
                raise SapError("M7/017", "Item %d: plant %s does not exist" % (n, plant))
            if not sloc:
                raise SapError("M7/018", "Item %d: enter a storage location" % n)
            if mvt not in MOVEMENT_TYPES:
                raise SapError("M7/022", "Item %d: movement type %s is not allowed with code %s" % (n, mvt, gm_code))
            if qty <= 0:
                raise SapError("M7/006", "Item %d: enter a quantity greater than zero" % n)
            effect = MOVEMENT_TYPES[mvt]
            moves = [((material, plant, sloc, batch), effect * qty)]
            if effect == 0:
                to_plant = it.get("IssuingOrReceivingPlant") or plant
                to_sloc = it.get("IssuingOrReceivingStorageLoc") or ""
                if not to_sloc:
                    raise SapError("M7/018", "Item %d: enter the receiving storage location" % n)
                moves = [((material, plant, sloc, batch), -qty), ((material, to_plant, to_sloc, batch), qty)]
            for key, d in moves:
                deltas[key] = deltas.get(key, 0.0) + d
        if not self.allow_negative:
            for key, d in deltas.items():
                have = self.stock.get(key[0], key[1], key[3], key[2])
                if d < 0 and have + d < -1e-9:
                    # Message text shape from contract §3.1 example.
                    raise SapError("M7/021", "Deficit of SL Unrestricted-use %g PC : %s %s %s"
                                   % (-(have + d), key[0], key[1], key[2]))
        if test_run:
            return None
        for key, d in deltas.items():
            self.stock.add(key, d)
        self._seq += 1
        doc = {"MaterialDocumentYear": str(posting_date.year), "MaterialDocument": str(self._seq),
               "MaterialDocumentHeaderText": header_text or "", "ReferenceDocument": reference or "",
               "GoodsMovementCode": gm_code, "PostingDate": posting_date, "CreatedByUser": user,
               "items": [dict(it, MaterialDocumentItem=str(i)) for i, it in enumerate(items, 1)]}
        self.docs[(doc["MaterialDocumentYear"], doc["MaterialDocument"])] = doc
        for field in ("MaterialDocumentHeaderText", "ReferenceDocument"):
            self._index.setdefault((field, doc[field]), []).append(doc)
        if self.on_apply:
            self.on_apply(doc)
        return doc
