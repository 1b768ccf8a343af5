"""Bills of the fake K3Cloud: form schemas, status flow Z→A→B→C, stock on Audit.

Field keys follow contract §1.4.  Rows marked UNCONFIRMED there (SAL_OUTSTOCK
entry key, count gain/loss quantity fields) are our guess and must match
``connectors/kingdee_forms.py``; change both together if a real system differs.
"""
from dataclasses import dataclass, field


class BillError(Exception):
    """A per-bill failure; rendered into ResponseStatus.Errors by the server."""

    def __init__(self, msg_code, message, field_name=None):
        super().__init__(message)
        self.msg_code, self.message, self.field_name = msg_code, message, field_name


@dataclass(frozen=True)
class FormSchema:
    entry: str            # entry (line) key in the Save model
    qty: str              # quantity field of an entry
    stock: str            # warehouse field (source warehouse for a transfer)
    effect: int           # +1 receipt, -1 issue, 0 transfer (src -, dest +)
    prefix: str           # auto bill-number prefix when FBillNo is empty
    dest: str = ""        # destination warehouse field (transfer only)
    required: tuple = ("FStockOrgId",)   # header base-data fields that must hold an FNumber


FORMS = {
    "STK_InStock": FormSchema("FInStockEntry", "FRealQty", "FStockId", +1, "CGRK",
                              required=("FStockOrgId", "FSupplierId")),
    "PRD_PickMtrl": FormSchema("FEntity", "FActualQty", "FStockId", -1, "SOUT"),
    "STK_TransferDirect": FormSchema("FBillEntry", "FQty", "FSrcStockId", 0, "ZJDB", dest="FDestStockId",
                                     required=("FStockOrgId", "FStockOutOrgId")),
    "SAL_OUTSTOCK": FormSchema("FEntity", "FRealQty", "FStockID", -1, "XSCKD",           # entry key UNCONFIRMED
                               required=("FStockOrgId", "FCustomerID")),
    "STK_StockCountGain": FormSchema("FBillEntry", "FGainQty", "FStockId", +1, "PY"),     # UNCONFIRMED
    "STK_StockCountLoss": FormSchema("FBillEntry", "FLossQty", "FStockId", -1, "PK"),     # UNCONFIRMED
    "STK_MisDelivery": FormSchema("FEntity", "FQty", "FStockId", -1, "QTCK"),
    "STK_MISCELLANEOUS": FormSchema("FEntity", "FQty", "FStockId", +1, "QTRK"),
}


def ci_get(mapping, key, default=None):
    """Kingdee key case varies (FNumber/FNUMBER): match case-insensitively (contract §1.3)."""
    if not isinstance(mapping, dict):
        return default
    if key in mapping:
        return mapping[key]
    low = key.lower()
    for k, v in mapping.items():
        if k.lower() == low:
            return v
    return default


def fnumber(value):
    """Base-data references are {"FNumber": "..."}; accept a bare string too."""
    if isinstance(value, dict):
        return str(ci_get(value, "FNumber") or "")
    return "" if value is None else str(value)


@dataclass
class Bill:
    fid: int
    form_id: str
    number: str
    status: str           # Z draft, A created, B under review, C audited, D re-audit
    date: str
    note: str
    entries: list         # [(material, stock, dest, lot, qty)]
    model: dict = field(repr=False, default_factory=dict)


class BillBook:
    def __init__(self, stock, materials, unique_bill_no=True, allow_negative=False):
        self.stock, self.materials = stock, materials
        self.unique_bill_no = unique_bill_no
        self.allow_negative = allow_negative
        self.by_id = {}
        self.by_number = {}        # (form, number) -> [fid]  (a list: uniqueness is optional)
        self._next_id = 100001
        self.on_apply = None       # fn(bill) after stock effect applied
        self.coding_rule = False   # True: numbers come from the site's coding rule, FBillNo ignored

    def bills(self, form_id):
        return [b for b in self.by_id.values() if b.form_id == form_id]

    def count_by_number(self, form_id=None):
        counts = {}
        for (form, number), ids in self.by_number.items():
            if form_id in (None, form):
                counts[number] = counts.get(number, 0) + len(ids)
        return counts

    # -- Save -------------------------------------------------------------------
    def save(self, form_id, model, draft=False):
        schema = FORMS.get(form_id)
        if schema is None:
            raise BillError(10, "业务对象不存在: FormId %s is not a stock bill of this fake" % form_id)
        if not isinstance(model, dict):
            raise BillError(8, "参数错误: Model must be an object")
        fid = int(ci_get(model, "FID") or 0)
        for name in schema.required:
            ref = ci_get(model, name)
            if not isinstance(ref, dict) or not isinstance(ci_get(ref, "FNumber"), str) or not fnumber(ref):
                raise BillError(11, "字段[%s]是必录字段: expected {\"FNumber\": \"...\"}, got %r" % (name, ref), name)
        entries = self._entries(schema, model)
        if fid:
            bill = self.by_id.get(fid)
            if bill is None or bill.form_id != form_id:
                raise BillError(10, "单据不存在: FID %s" % fid)
            if bill.status in ("B", "C"):
                raise BillError(11, "单据[%s]已审核或审核中，不允许修改" % bill.number)
            bill.entries, bill.model = entries, model
            return bill
        number = "" if self.coding_rule else str(ci_get(model, "FBillNo") or "")
        if number and self.unique_bill_no and self.by_number.get((form_id, number)):
            raise BillError(11, "单据编号[%s]已存在，不允许重复" % number, "FBillNo")
        fid, self._next_id = self._next_id, self._next_id + 1
        number = number or "%s%08d" % (schema.prefix, fid - 100000)
        bill = Bill(fid, form_id, number, "Z" if draft else "A", str(ci_get(model, "FDate") or ""),
                    str(ci_get(model, "FNote") or ""), entries, model)
        self.by_id[fid] = bill
        self.by_number.setdefault((form_id, number), []).append(fid)
        return bill

    def _entries(self, schema, model):
        rows = ci_get(model, schema.entry)
        if not isinstance(rows, list) or not rows:
            raise BillError(11, "字段[%s]是必录字段: the bill has no lines" % schema.entry, schema.entry)
        out = []
        for i, row in enumerate(rows):
            material = fnumber(ci_get(row, "FMaterialId"))
            stock = fnumber(ci_get(row, schema.stock))
            dest = fnumber(ci_get(row, schema.dest)) if schema.dest else ""
            lot = fnumber(ci_get(row, "FLot"))
            try:
                qty = float(ci_get(row, schema.qty) or 0)
            except (TypeError, ValueError):
                qty = 0.0
            where = "第%d行" % (i + 1)
            if not material:
                raise BillError(11, "%s 字段[物料编码 FMaterialId]是必录字段" % where, "FMaterialId")
            if not self.materials.exists(material):
                raise BillError(9, "%s 物料[%s]不存在或未审核" % (where, material), "FMaterialId")
            if not stock:
                raise BillError(11, "%s 字段[仓库 %s]是必录字段" % (where, schema.stock), schema.stock)
            if schema.dest and not dest:
                raise BillError(11, "%s 字段[调入仓库 %s]是必录字段" % (where, schema.dest), schema.dest)
            if qty <= 0:
                raise BillError(11, "%s 字段[数量 %s]必须大于0" % (where, schema.qty), schema.qty)
            out.append((material, stock, dest, lot, qty))
        return out

    # -- status flow ------------------------------------------------------------------
    def find(self, form_id, ids=None, numbers=None):
        found = []
        for fid in ids or ():
            bill = self.by_id.get(int(fid))
            if bill is None or bill.form_id != form_id:
                raise BillError(10, "单据不存在: FID %s" % fid)
            found.append(bill)
        for number in numbers or ():
            fids = self.by_number.get((form_id, str(number)))
            if not fids:
                raise BillError(10, "单据不存在: 编号 %s" % number)
            found.extend(self.by_id[f] for f in fids)
        if not found:
            raise BillError(3, "参数错误: give Ids or Numbers")
        return found

    def submit(self, bill):
        if bill.status not in ("Z", "A", "D"):
            raise BillError(12, "单据[%s]状态为%s，不能提交" % (bill.number, bill.status))
        bill.status = "B"

    def audit(self, bill):
        if bill.status == "C":
            raise BillError(12, "单据[%s]已审核，不能重复审核" % bill.number)
        if bill.status != "B":
            raise BillError(12, "单据[%s]未提交(状态%s)，不能审核" % (bill.number, bill.status))
        deltas = self._deltas(bill)
        if not self.allow_negative:
            for key, delta in deltas.items():
                have = self.stock.get(key[0], key[1], key[3], key[2])
                if delta < 0 and have + delta < -1e-9:
                    raise BillError(11, "物料[%s]仓库[%s]批号[%s]即时库存不足: 现有 %g, 需要 %g"
                                    % (key[0], key[1], key[3], have, -delta))
        for key, delta in deltas.items():
            self.stock.add(key, delta)
        bill.status = "C"
        if self.on_apply:
            self.on_apply(bill)

    def _deltas(self, bill):
        effect = FORMS[bill.form_id].effect
        loc = self.stock.location
        deltas = {}
        for material, stock, dest, lot, qty in bill.entries:
            if effect == 0:
                deltas[(material, stock, loc, lot)] = deltas.get((material, stock, loc, lot), 0) - qty
                deltas[(material, dest, loc, lot)] = deltas.get((material, dest, loc, lot), 0) + qty
            else:
                deltas[(material, stock, loc, lot)] = deltas.get((material, stock, loc, lot), 0) + effect * qty
        return deltas
