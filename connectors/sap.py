"""SAP S/4HANA connectors: OData V2 (``sap_odata``) and SOAP via zeep (``sap_soap``).

This module holds what both share: the movement kind → goods-movement code and
movement type mapping (contract §3.4 recipes) and the item fields.

Mapping (override with ``movement_types=`` on either client):
  receipt     lines with ``order``: GM 01 / 101 against the purchase order (ref doc type B)
              otherwise:            GM 05 / 501 receipt without PO
  issue       lines with ``order``: GM 03 / 261 to the production order
              otherwise:            GM 03 / 201 to ``cost_center``
  transfer    GM 04 / 311 storage location → storage location in one plant,
              GM 04 / 301 plant → plant
  delivery    GM 03 / 601 — UNCONFIRMED: SAP normally posts 601 through
              API_OUTBOUND_DELIVERY_SRV PostGoodsIssue (§3.4); configurable,
              ``movement_types={"delivery": None}`` refuses deliveries
  count_gain  physical-inventory document, posted difference 701 (sap_pi.py)
  count_loss  physical-inventory document, posted difference 702
"""
from .sap_mapping import movement_items  # noqa: F401
from .sap_odata import SapODataClient   # noqa: F401  (public API)
from .sap_soap import SapSoapClient     # noqa: F401

SapClient = SapODataClient              # the default SAP client (name used by addons/erp_sync)

__all__ = ["SapClient", "SapODataClient", "SapSoapClient", "movement_items"]
