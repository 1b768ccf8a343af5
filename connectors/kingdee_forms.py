"""Movement kind → K3Cloud bill (form ID, entry key, field keys) and Save model.

Field keys from contract §1.4.  UNCONFIRMED entries (delivery entry key,
count gain/loss quantity fields, some bill-type numbers) are plain data here so
a site can override them: ``KingdeeClient(forms={...})``.
Location (``location_code``) is not sent: FStockLocId is a flex field whose
JSON shape is UNCONFIRMED; stock is tracked per warehouse (FStockId).
"""
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class KingdeeForm:
    form_id: str
    entry: str                 # entry (line) key in the Save model
    qty: str                   # quantity field of an entry
    stock: str                 # warehouse field (source for a transfer)
    dest: str = ""             # destination warehouse field (transfer)
    bill_type: tuple = ()      # (field, number) of the bill type, e.g. ("FBillTypeID", "RKD01_SYS")
    header: dict = field(default_factory=dict)   # extra header fields; "{org}" is filled in
    partner_field: str = ""    # header field that takes movement.partner_code (supplier/customer)


_ORG = {"FNumber": "{org}"}

FORMS = {
    "receipt": KingdeeForm(
        "STK_InStock", "FInStockEntry", "FRealQty", "FStockId", bill_type=("FBillTypeID", "RKD01_SYS"),  # RKD01_SYS UNCONFIRMED
        header={"FStockOrgId": _ORG, "FPurchaseOrgId": _ORG, "FOwnerTypeIdHead": "BD_OwnerOrg",
                "FOwnerIdHead": _ORG}, partner_field="FSupplierId"),
    "issue": KingdeeForm(
        "PRD_PickMtrl", "FEntity", "FActualQty", "FStockId", bill_type=("FBillType", "SCLLD01_SYS"),  # UNCONFIRMED
        header={"FStockOrgId": _ORG, "FPrdOrgId": _ORG, "FOwnerTypeId0": "BD_OwnerOrg", "FOwnerId0": _ORG}),
    "transfer": KingdeeForm(
        "STK_TransferDirect", "FBillEntry", "FQty", "FSrcStockId", dest="FDestStockId",
        bill_type=("FBillTypeID", "ZJDB01_SYS"),
        header={"FBizType": "NORMAL", "FTransferDirect": "GENERAL", "FTransferBizType": "InnerOrgTransfer",
                "FSettleOrgId": _ORG, "FSaleOrgId": _ORG, "FStockOutOrgId": _ORG,
                "FOwnerTypeOutIdHead": "BD_OwnerOrg", "FOwnerOutIdHead": _ORG, "FStockOrgId": _ORG,
                "FOwnerTypeIdHead": "BD_OwnerOrg", "FOwnerIdHead": _ORG}),
    # SAL_OUTSTOCK form ID confirmed; entry key, qty and customer field UNCONFIRMED (§1.4).
    "delivery": KingdeeForm(
        "SAL_OUTSTOCK", "FEntity", "FRealQty", "FStockID", bill_type=("FBillTypeID", "XSCKD01_SYS"),
        header={"FSaleOrgId": _ORG, "FStockOrgId": _ORG}, partner_field="FCustomerID"),
    # Gain/loss form IDs confirmed; entry key and quantity fields UNCONFIRMED (§1.4).
    "count_gain": KingdeeForm("STK_StockCountGain", "FBillEntry", "FGainQty", "FStockId",
                              header={"FStockOrgId": _ORG}),
    "count_loss": KingdeeForm("STK_StockCountLoss", "FBillEntry", "FLossQty", "FStockId",
                              header={"FStockOrgId": _ORG}),
}

SAVE_FLAGS = {   # Save request keys of the vendor's template (vendor_samples/kingdee/save_request_template.json);
                 # ValidateRepeatJson is set per client (KingdeeClient.save_data)
    "NeedUpDateFields": [], "NeedReturnFields": [], "IsDeleteEntry": True, "SubSystemId": "",
    "IsVerifyBaseDataField": False, "IsEntryBatchFill": True, "ValidateFlag": True, "NumberSearch": True,
    "IsAutoAdjustField": False, "InterationFlags": "", "IgnoreInterationFlag": True,
    "IsControlPrecision": False, "ValidateRepeatJson": False, "IsAutoSubmitAndAudit": False,
}


def merged_forms(overrides=None):
    forms = dict(FORMS)
    for kind, value in (overrides or {}).items():
        forms[kind] = replace(forms[kind], **value) if isinstance(value, dict) else value
    return forms


def _fill(value, org):
    if isinstance(value, dict):
        return {k: _fill(v, org) for k, v in value.items()}
    return org if value == "{org}" else value


def build_model(form, movement, *, key_field, org, partner=""):
    """The ``Model`` of a Save call for ``movement`` (a ``model.Movement``)."""
    model = {"FID": 0, "FDate": movement.date.isoformat(), key_field: movement.key}
    if key_field != "FNote":
        model["FNote"] = (movement.reference or movement.key)[:255]
    if form.bill_type:
        model[form.bill_type[0]] = {"FNumber": form.bill_type[1]}
    model.update(_fill(form.header, org))
    if form.partner_field:
        model[form.partner_field] = {"FNumber": partner}
    entries = []
    for line in movement.lines:
        entry = {"FMaterialId": {"FNumber": line.product_code}, form.qty: float(line.quantity),
                 form.stock: {"FNumber": line.warehouse_code}, "FStockStatusId": {"FNumber": "KCZT01_SYS"}}
        if form.dest:
            entry[form.dest] = {"FNumber": line.to_warehouse_code or line.warehouse_code}
            entry["FSrcStockStatusId"] = entry.pop("FStockStatusId")
            entry["FDestStockStatusId"] = {"FNumber": "KCZT01_SYS"}
        if line.lot:
            entry["FLot"] = {"FNumber": line.lot}
        if line.uom:
            entry["FUnitID"] = {"FNumber": line.uom}
        entries.append(entry)
    model[form.entry] = entries
    return model
