"""Movement → SAP goods movement (GM code, movement types, items); see ``sap.py`` docstring."""
from .errors import InvalidMovement, UnsupportedKind

DEFAULT_TYPES = {
    "receipt": ("05", "501"), "receipt_order": ("01", "101"),
    "issue": ("03", "201"), "issue_order": ("03", "261"),
    # 311 moves between storage locations of ONE plant; between plants it is 301 (contract §5).
    "transfer": ("04", "311"), "transfer_plant": ("04", "301"),
    # UNCONFIRMED: SAP books a delivery's goods issue on the outbound delivery
    # (API_OUTBOUND_DELIVERY_SRV PostGoodsIssue); 601 with GM code 03 through the
    # material document API is our stand-in.  Set movement_types={"delivery": None}
    # to refuse deliveries, or another (gm_code, type) your SAP team confirms.
    "delivery": ("03", "601"),
    # Counts are not goods movements here: they go through physical-inventory
    # documents, whose posted differences are 701 (gain) / 702 (loss) (sap_pi.py).
    "count_gain": ("PI", "701"), "count_loss": ("PI", "702"),
}
UNCONFIRMED_KINDS = {"delivery": "601 with goods movement code 03 (normally the outbound delivery's goods issue)"}
# maxLength from the SAP API Hub spec (vendor_samples/sap/field_lengths.json)
MAX_KEY = {"MaterialDocumentHeaderText": 25, "ReferenceDocument": 16,
           "PhysicalInventoryDocumentDesc": 40, "PhysInventoryReferenceNumber": 16}


def movement_items(mv, *, types=None, storage_location="", cost_center="", system="sap"):
    """-> (gm_code, [item dicts with OData property names])."""
    types = dict(DEFAULT_TYPES, **(types or {}))
    with_order = {bool(line.order) for line in mv.lines}
    if len(with_order) > 1 and mv.kind in ("receipt", "issue"):
        raise InvalidMovement("movement %s mixes lines with and without an order; one goods movement code "
                              "covers the whole document, split it" % mv.key, system=system)
    kind = mv.kind + ("_order" if mv.kind in ("receipt", "issue") and True in with_order else "")
    if mv.kind == "transfer":
        across = {bool(line.to_warehouse_code and line.to_warehouse_code != line.warehouse_code)
                  for line in mv.lines}
        if len(across) > 1:
            raise InvalidMovement("movement %s mixes plant-to-plant and storage-location transfers (301 and "
                                  "311); split it" % mv.key, system=system)
        if True in across:
            kind = "transfer_plant"
    if not types.get(kind):
        raise UnsupportedKind("SAP is not configured to post %s movements (movement_types[%r] is empty): "
                              "movement %s is not posted" % (mv.kind, kind, mv.key), system=system)
    gm_code, mvt = types[kind]
    if gm_code == "PI":
        raise InvalidMovement("movement %s: %s posts through a physical-inventory document, not a goods "
                              "movement" % (mv.key, mv.kind), system=system)
    items = []
    for n, line in enumerate(mv.lines, 1):
        sloc = line.location_code or storage_location
        if not sloc:
            raise InvalidMovement("movement %s line %d: SAP needs a storage location (location_code)"
                                  % (mv.key, n), system=system)
        item = {"Material": line.product_code, "Plant": line.warehouse_code, "StorageLocation": sloc,
                "GoodsMovementType": mvt, "QuantityInEntryUnit": str(line.quantity)}
        if line.uom:
            item["EntryUnit"] = line.uom
        if line.lot:
            item["Batch"] = line.lot
        if mv.kind == "transfer":
            item["IssuingOrReceivingPlant"] = line.to_warehouse_code or line.warehouse_code
            item["IssuingOrReceivingStorageLoc"] = line.to_location_code or sloc
        if kind == "receipt_order":
            item.update(PurchaseOrder=line.order, PurchaseOrderItem=line.order_item or "10",
                        GoodsMovementRefDocType="B")
        elif kind == "issue_order":
            item["ManufacturingOrder"] = line.order
        elif mvt in ("201", "551"):
            if not cost_center:
                raise InvalidMovement("movement %s: movement type %s needs a cost center (cost_center=...)"
                                      % (mv.key, mvt), system=system)
            item["CostCenter"] = cost_center
        items.append(item)
    return gm_code, items


def check_key(key, field, system="sap"):
    limit = MAX_KEY.get(field)
    if limit and len(key) > limit:
        raise InvalidMovement("key %r is longer than the %d characters of SAP field %s, which stores it"
                              % (key, limit, field), system=system)
