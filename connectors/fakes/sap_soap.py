"""SOAP side of the fake SAP: BapiGoodsmvtCreate per the shipped WSDL (contract §3.7).

Business errors are returned in ``Return`` (BAPIRET2 Type E), never as a SOAP
Fault; an unreadable envelope gets a SOAP Fault with HTTP 500.  The fake
commits directly, as a customer's Z-wrapper that calls BAPI_TRANSACTION_COMMIT
would (whether the plain BAPI commits over SOAP is UNCONFIRMED).
"""
from xml.sax.saxutils import escape

from lxml import etree

MC = "urn:sap-com:document:sap:soap:functions:mc-style"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
# WSDL item field -> OData item field, so both paths share MaterialDocuments.post
_ITEM_MAP = {"Material": "Material", "MaterialLong": "Material", "Plant": "Plant", "StgeLoc": "StorageLocation",
             "Batch": "Batch", "MoveType": "GoodsMovementType", "EntryQnt": "QuantityInEntryUnit",
             "EntryUom": "EntryUnit", "MovePlant": "IssuingOrReceivingPlant",
             "MoveStloc": "IssuingOrReceivingStorageLoc", "PoNumber": "PurchaseOrder", "PoItem": "PurchaseOrderItem",
             "Orderid": "ManufacturingOrder", "Costcenter": "CostCenter"}


class SoapRequestError(ValueError):
    pass


def _local(el):
    return etree.QName(el).localname


def _child(parent, name):
    if parent is None:
        return None
    for el in parent:
        if isinstance(el.tag, str) and _local(el) == name:
            return el
    return None


def _text(parent, name):
    el = _child(parent, name)
    return (el.text or "").strip() if el is not None else ""


def parse_request(body):
    """-> dict(header_text, reference, gm_code, posting_date, items, test_run)."""
    try:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise SoapRequestError("the request is not well-formed XML: %s" % exc)
    call = _child(_child(root, "Body"), "BapiGoodsmvtCreate")
    if call is None:
        raise SoapRequestError("no BapiGoodsmvtCreate element in the SOAP body")
    head = _child(call, "GoodsmvtHeader")
    items = []
    for item in _child(call, "GoodsmvtItem") if _child(call, "GoodsmvtItem") is not None else ():
        if not isinstance(item.tag, str) or _local(item) != "item":
            continue
        fields = {}
        for el in item:
            if isinstance(el.tag, str) and _local(el) in _ITEM_MAP and (el.text or "").strip():
                fields[_ITEM_MAP[_local(el)]] = el.text.strip()
        items.append(fields)
    return {"header_text": _text(head, "HeaderTxt"), "reference": _text(head, "RefDocNo"),
            "gm_code": _text(_child(call, "GoodsmvtCode"), "GmCode"),
            "posting_date": _text(head, "PstngDate"), "items": items,
            "test_run": _text(call, "Testrun").upper() == "X"}


def response(doc=None, error=None):
    """The BapiGoodsmvtCreateResponse envelope (element order as in the WSDL)."""
    if doc is not None or error is None:     # posted, or a successful test run
        number, year = (doc["MaterialDocument"], doc["MaterialDocumentYear"]) if doc else ("", "0000")
        ret = ""
    else:
        number, year = "", "0000"
        msg_id, _, msg_no = error.code.rpartition("/")
        ret = ("<item><Type>E</Type><Id>%s</Id><Number>%s</Number><Message>%s</Message></item>"
               % (escape(msg_id), escape(msg_no[:3].zfill(3) if msg_no.isdigit() else "000"),
                  escape(error.message[:220])))
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<soap-env:Envelope xmlns:soap-env="%s"><soap-env:Header/><soap-env:Body>'
            '<n0:BapiGoodsmvtCreateResponse xmlns:n0="%s">'
            '<GoodsmvtHeadret><MatDoc>%s</MatDoc><DocYear>%s</DocYear></GoodsmvtHeadret>'
            '<GoodsmvtItem/><Materialdocument>%s</Materialdocument><Matdocumentyear>%s</Matdocumentyear>'
            '<Return>%s</Return></n0:BapiGoodsmvtCreateResponse></soap-env:Body></soap-env:Envelope>'
            % (SOAP_ENV, MC, number, year, number, year, ret)).encode("utf-8")


def fault(message):
    return ('<?xml version="1.0" encoding="utf-8"?><soap-env:Envelope xmlns:soap-env="%s"><soap-env:Body>'
            '<soap-env:Fault><faultcode>soap-env:Client</faultcode><faultstring xml:lang="en">%s</faultstring>'
            '</soap-env:Fault></soap-env:Body></soap-env:Envelope>' % (SOAP_ENV, escape(message))).encode("utf-8")
