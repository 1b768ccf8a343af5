"""Movement → SAP goods movement (GM code, movement types, items); see ``sap.py`` docstring."""
from .errors import InvalidMovement

DEFAULT_TYPES = {
    "receipt": ("05", "501"), "receipt_order": ("01", "101"),
    "issue": ("03", "201"), "issue_order": ("03", "261"),
    "transfer": ("04", "311"), "delivery": ("03", "601"),
    "count_gain": ("05", "501"), "count_loss": ("03", "551"),
}
MAX_KEY = {"MaterialDocumentHeaderText": 25, "ReferenceDocument": 16}   # field lengths (§3.4)


def movement_items(mv, *, types=None, storage_location="", cost_center="", system="sap"):
    """-> (gm_code, [item dicts with OData property names])."""
    types = dict(DEFAULT_TYPES, **(types or {}))
    with_order = {bool(line.order) for line in mv.lines}
    if len(with_order) > 1 and mv.kind in ("receipt", "issue"):
        raise InvalidMovement("movement %s mixes lines with and without an order; one goods movement code "
                              "covers the whole document, split it" % mv.key, system=system)
    kind = mv.kind + ("_order" if mv.kind in ("receipt", "issue") and True in with_order else "")
    gm_code, mvt = types[kind]
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
