"""SAP goods movements over SOAP (BAPI_GOODSMVT_CREATE via SOAMANAGER), with zeep.

The WSDL is shipped in ``connectors/wsdl/`` (hand-written per contract §3.7,
UNCONFIRMED names); pass the customer's own with ``wsdl=``.  Business errors
come in ``Return`` with Type E or A (not SOAP faults) and become BusinessError.

Idempotency: SOAP has no look-up of its own here.  Give ``lookup=`` (a
``SapODataClient``, its base URL, or any ``fn(key) -> dict|None``) and ``post_movement`` looks
the key up (HeaderTxt = MKPF-BKTXT = OData MaterialDocumentHeaderText) before
each attempt, like the OData client.  Without it a timeout or 5xx on the call is
ambiguous and is raised, never resent (a blind resend could post twice).
"""
import os

import requests
from lxml import etree

from .base import DEFAULT_TIMEOUT, BaseClient
from .errors import (AuthError, BusinessError, ConnectorError, MalformedResponse, RateLimited,
                     RequestTimeout, ServerError, TransportError, UnsupportedKind)
from .model import Movement, RemoteResult
from .sap_mapping import check_key, movement_items

DEFAULT_WSDL = os.path.join(os.path.dirname(__file__), "wsdl", "bapi_goodsmvt_create.wsdl")
BINDING = "{urn:sap-com:document:sap:soap:functions:mc-style}ZBAPI_GOODSMVT_CREATE"
# OData item property -> BAPI item field (Bapi2017GmItemCreate)
_FIELDS = {"Material": "Material", "Plant": "Plant", "StorageLocation": "StgeLoc", "Batch": "Batch",
           "GoodsMovementType": "MoveType", "QuantityInEntryUnit": "EntryQnt", "EntryUnit": "EntryUom",
           "IssuingOrReceivingPlant": "MovePlant", "IssuingOrReceivingStorageLoc": "MoveStloc",
           "PurchaseOrder": "PoNumber", "PurchaseOrderItem": "PoItem", "ManufacturingOrder": "Orderid",
           "CostCenter": "Costcenter"}


class SapSoapClient(BaseClient):
    system = "sap"

    def __init__(self, endpoint, username, password, *, wsdl=DEFAULT_WSDL, lookup=None, storage_location="",
                 cost_center="", movement_types=None, timeout=DEFAULT_TIMEOUT, retry=None, session=None,
                 verify=True):
        super().__init__(endpoint, timeout=timeout, retry=retry, session=session, verify=verify)
        self.endpoint = endpoint
        self.session.auth = (username, password)
        self.user, self.password = username, password
        self.remember_secrets()
        if isinstance(lookup, str):       # an OData base URL: plain data, e.g. from a config file
            from .sap_odata import SapODataClient
            own = requests.Session()           # not shared: OData sets Accept: application/json
            own.trust_env = self.session.trust_env
            lookup = SapODataClient(lookup, username, password, timeout=self.timeout, retry=self.retry,
                                    session=own, verify=verify)
        # Counts go through physical-inventory documents, an OData service: only with an OData look-up.
        self.odata = lookup if hasattr(lookup, "pi") else None
        self.lookup = lookup.find_document if hasattr(lookup, "find_document") else lookup
        self.storage_location, self.cost_center, self.movement_types = storage_location, cost_center, movement_types
        import zeep             # imported here: zeep costs ~0.2 s and only SOAP users need it
        import zeep.exceptions
        self._zx = zeep.exceptions
        transport = zeep.Transport(session=self.session, timeout=self.timeout[0], operation_timeout=self.timeout[1])
        self.client = zeep.Client(wsdl, transport=transport)
        self.service = self.client.create_service(BINDING, endpoint)

    def _secret_values(self):
        return [self.password]

    def login(self):
        self.logged_in = True     # Basic auth on every call; no session

    def goods_movement(self, gm_code, header, items, test_run=False):
        """Call BapiGoodsmvtCreate; -> (material document, year).  Raises our errors."""
        self.stats["requests"] += 1
        what = "BapiGoodsmvtCreate %s" % header.get("HeaderTxt", "")
        try:
            res = self.service.BapiGoodsmvtCreate(
                GoodsmvtCode={"GmCode": gm_code}, GoodsmvtHeader=header, GoodsmvtItem={"item": items},
                Return={"item": []}, Testrun="X" if test_run else "")
        except requests.Timeout as exc:
            raise RequestTimeout("no answer from SAP within %.1f s on %s" % (self.timeout[1], what),
                                 system=self.system) from exc
        except requests.RequestException as exc:
            raise TransportError("cannot reach SAP SOAP endpoint %s: %s" % (self.endpoint, exc),
                                 system=self.system) from exc
        except self._zx.Fault as exc:
            # A SOAP fault is the framework refusing the envelope, not a BAPI error.
            cls = ServerError if "server" in str(exc.code or "").lower() else ConnectorError
            raise cls("SAP SOAP fault on %s: %s" % (what, exc.message), system=self.system,
                      code="soap_fault" if cls is ConnectorError else None) from exc
        except self._zx.TransportError as exc:
            raise self._http_error(exc, what) from exc
        except (self._zx.XMLSyntaxError, self._zx.XMLParseError, etree.XMLSyntaxError) as exc:
            raise MalformedResponse("SAP SOAP answer to %s is not valid XML: %s" % (what, exc),
                                    system=self.system) from exc
        returns = (res["Return"]["item"] if res["Return"] is not None else None) or []
        errors = [r for r in returns if (r["Type"] or "") in ("E", "A")]
        if errors:
            first = errors[0]
            code = "%s/%s" % (first["Id"] or "", first["Number"] or "")
            raise BusinessError(code, "SAP refused %s: %s" % (what, "; ".join(r["Message"] or "" for r in errors)),
                                self.system, details={"return": [dict(r.__values__) for r in returns]})
        return res["Materialdocument"] or "", res["Matdocumentyear"] or ""

    def _http_error(self, exc, what):
        status = exc.status_code or 0
        if status == 200:
            return MalformedResponse("SAP SOAP answer to %s is not valid XML" % what, system=self.system)
        if status == 429:
            return RateLimited("SAP says too many requests (HTTP 429) on %s" % what, system=self.system)
        if status >= 500:
            return ServerError("SAP failed with HTTP %d on %s" % (status, what), status=status, system=self.system)
        if status == 401:
            return AuthError("SAP refused user %s (HTTP 401) on %s" % (self.user, what), system=self.system)
        return ConnectorError("SAP answered HTTP %d to %s" % (status, what), system=self.system,
                              code="http_%d" % status)

    def movement_call(self, mv):
        """(gm_code, header, items) in BAPI field names for ``mv``."""
        check_key(mv.key, "MaterialDocumentHeaderText")
        gm_code, odata_items = movement_items(mv, types=self.movement_types, storage_location=self.storage_location,
                                              cost_center=self.cost_center)
        items = [{_FIELDS[k]: v for k, v in it.items() if k in _FIELDS} for it in odata_items]
        header = {"PstngDate": mv.date.isoformat(), "DocDate": mv.date.isoformat(), "HeaderTxt": mv.key,
                  "RefDocNo": mv.reference[:16] if mv.reference else None}
        return gm_code, header, items

    def post_movement(self, movement):
        mv = Movement.coerce(movement)
        if mv.kind in ("count_gain", "count_loss"):
            if self.odata is None:
                raise UnsupportedKind("count differences post through SAP physical-inventory documents (OData "
                                      "API_PHYSICAL_INVENTORY_DOC_SRV): give lookup= an OData URL or client",
                                      system=self.system)
            return self.odata.post_movement(mv)
        gm_code, header, items = self.movement_call(mv)
        if self.lookup is None:
            number, year = self.goods_movement(gm_code, header, items)
            return RemoteResult("%s/%s" % (year, number), number, False)
        already, attempt = None, 0
        while True:
            try:
                doc = self.lookup(mv.key)
                if already is None:
                    already = doc is not None
                if doc is not None:
                    return RemoteResult("%s/%s" % (doc["MaterialDocumentYear"], doc["MaterialDocument"]),
                                        doc["MaterialDocument"], already)
                number, year = self.goods_movement(gm_code, header, items)
                return RemoteResult("%s/%s" % (year, number), number, False)
            except ConnectorError as exc:
                attempt = self.backoff_or_raise(exc, attempt)
