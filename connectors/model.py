"""Plain data shapes shared by every client and by the Tryton ``erp_sync`` addon.

``post_movement`` accepts a plain dict (what the outbox stores as JSON) and
turns it into a validated ``Movement`` here, so each client works on one shape.
"""
import datetime
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from .errors import InvalidMovement

KINDS = ("receipt", "issue", "transfer", "delivery", "count_gain", "count_loss")


@dataclass(frozen=True)
class MovementLine:
    product_code: str
    warehouse_code: str
    quantity: Decimal
    location_code: str = ""
    to_warehouse_code: str = ""
    to_location_code: str = ""
    lot: str = ""
    uom: str = ""
    order: str = ""         # purchase / production order when the remote needs one (SAP 101, 261)
    order_item: str = ""


@dataclass(frozen=True)
class Movement:
    key: str                       # our idempotency key, e.g. "MOVE-123"
    kind: str                      # one of KINDS
    date: datetime.date
    lines: tuple
    reference: str = ""            # free text (origin document), informative only
    partner_code: str = ""         # supplier (receipt) / customer (delivery), optional

    @classmethod
    def coerce(cls, value):
        """Accept a ``Movement`` or the plain dict documented in README/report."""
        if isinstance(value, Movement):
            return value
        if not isinstance(value, dict):
            raise InvalidMovement("a movement must be a dict, got %s" % type(value).__name__)
        key = str(value.get("key") or "").strip()
        if not key:
            raise InvalidMovement("the movement has no 'key' (our idempotency key, e.g. 'MOVE-123')")
        kind = value.get("kind")
        if kind not in KINDS:
            raise InvalidMovement("movement %s: kind %r is not one of %s" % (key, kind, ", ".join(KINDS)))
        date = _date(value.get("date"), key)
        raw_lines = value.get("lines") or []
        if not raw_lines:
            raise InvalidMovement("movement %s has no lines" % key)
        lines = tuple(_line(raw, key, i, kind) for i, raw in enumerate(raw_lines))
        return cls(key=key, kind=kind, date=date, lines=lines,
                   reference=str(value.get("reference") or ""),
                   partner_code=str(value.get("partner_code") or ""))


def _date(value, key):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise InvalidMovement("movement %s: date %r is not a date or 'YYYY-MM-DD'" % (key, value))


def _line(raw, key, index, kind):
    where = "movement %s line %d" % (key, index + 1)
    if not isinstance(raw, dict):
        raise InvalidMovement("%s is not a dict" % where)
    product = str(raw.get("product_code") or "").strip()
    warehouse = str(raw.get("warehouse_code") or "").strip()
    if not product or not warehouse:
        raise InvalidMovement("%s needs product_code and warehouse_code" % where)
    try:
        qty = Decimal(str(raw.get("quantity")))
    except (InvalidOperation, ValueError):
        raise InvalidMovement("%s: quantity %r is not a number" % (where, raw.get("quantity")))
    if not qty.is_finite() or qty <= 0:
        raise InvalidMovement("%s: quantity must be positive, got %s (the kind gives the direction)"
                              % (where, qty))
    line = MovementLine(
        product_code=product, warehouse_code=warehouse, quantity=qty,
        location_code=str(raw.get("location_code") or ""),
        to_warehouse_code=str(raw.get("to_warehouse_code") or ""),
        to_location_code=str(raw.get("to_location_code") or ""),
        lot=str(raw.get("lot") or ""), uom=str(raw.get("uom") or ""),
        order=str(raw.get("order") or ""), order_item=str(raw.get("order_item") or ""))
    if kind == "transfer" and not (line.to_warehouse_code or line.to_location_code):
        raise InvalidMovement("%s: a transfer needs to_warehouse_code or to_location_code" % where)
    return line


@dataclass(frozen=True)
class RemoteResult:
    remote_id: str          # the remote's internal id (Kingdee FID, SAP "year/doc", U8 id)
    number: str             # the document number a person sees in the remote
    already_existed: bool   # True when the first look-up of this call found it posted/started


STOCK_TYPES = ("free", "qc", "blocked")


@dataclass(frozen=True, slots=True)
class StockRow:
    product_code: str
    warehouse_code: str
    lot: str
    quantity: Decimal
    location_code: str = ""
    stock_type: str = "free"      # free (unrestricted) | qc (quality inspection) | blocked

    def as_dict(self):
        return {"product_code": self.product_code, "warehouse_code": self.warehouse_code,
                "location_code": self.location_code, "lot": self.lot, "quantity": self.quantity,
                "stock_type": self.stock_type}


@dataclass(frozen=True, slots=True)
class Material:
    code: str
    name: str
    uom: str = ""
    group: str = ""
    active: bool = True
    extra: dict = field(default_factory=dict, compare=False)

    def as_dict(self):
        return asdict(self)


def to_decimal(value):
    """Remote quantities arrive as JSON numbers (Kingdee) or strings (SAP, U8)."""
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))
