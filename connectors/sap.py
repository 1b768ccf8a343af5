"""SAP S/4HANA connectors: OData V2 (``sap_odata``) and SOAP via zeep (``sap_soap``).

This module holds what both share: the movement kind → goods-movement code and
movement type mapping (contract §3.4 recipes) and the item fields.

Mapping (override with ``movement_types=`` on either client):
  receipt     lines with ``order``: GM 01 / 101 against the purchase order (ref doc type B)
              otherwise:            GM 05 / 501 receipt without PO
  issue       lines with ``order``: GM 03 / 261 to the production order
              otherwise:            GM 03 / 201 to ``cost_center``
  transfer    GM 04 / 311 storage location → storage location (plant → plant too)
  delivery    GM 03 / 601 — UNCONFIRMED: SAP normally posts 601 through
              API_OUTBOUND_DELIVERY_SRV PostGoodsIssue (§3.4)
  count_gain  GM 05 / 501, count_loss GM 03 / 551 to ``cost_center`` — UNCONFIRMED
              stand-ins: real count differences post through physical-inventory
              documents (API_PHYSICAL_INVENTORY_DOC_SRV, §3.5)
"""
from .sap_mapping import movement_items  # noqa: F401
from .sap_odata import SapODataClient   # noqa: F401  (public API)
from .sap_soap import SapSoapClient     # noqa: F401

SapClient = SapODataClient              # the default SAP client (name used by addons/erp_sync)

__all__ = ["SapClient", "SapODataClient", "SapSoapClient", "movement_items"]
