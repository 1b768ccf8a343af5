"""Clients for the legacy ERPs a factory posts its goods movements to.

Plain Python (no Tryton import): the Tryton ``erp_sync`` addon builds a client
with ``make_client`` from its endpoint record and calls, per outbox row,
``client.post_movement(movement_dict)`` — idempotent on ``movement["key"]``.

    client = make_client("kingdee", base_url=..., acct_id=..., username=..., password=...)
    result = client.post_movement({"key": "MOVE-123", "kind": "receipt", "date": "2025-01-02",
                                   "lines": [{"product_code": "P1", "warehouse_code": "WH01",
                                              "quantity": 5, "lot": "L1"}]})
    for row in client.iter_stock(): ...      # StockRow
    for m in client.iter_materials(): ...    # Material
"""
from .base import BaseClient, RetryPolicy
from .errors import (AuthError, BusinessError, ConnectorError, InvalidMovement, MalformedResponse,
                     RateLimited, RemoteBusy, RequestTimeout, ServerError, SessionExpired, TransportError,
                     UnsupportedKind)
from .kingdee import KingdeeClient
from .model import KINDS, Material, Movement, MovementLine, RemoteResult, StockRow
from .sap import SapODataClient, SapSoapClient
from .yonyou import YonyouU8Client

CLIENTS = {"kingdee": KingdeeClient, "yonyou": YonyouU8Client, "sap": SapODataClient,
           "sap-soap": SapSoapClient}


def make_client(system, **kwargs):
    """Build the client of ``system`` (a key of CLIENTS) from keyword arguments."""
    try:
        cls = CLIENTS[system]
    except KeyError:
        raise ValueError("unknown system %r; choose one of %s" % (system, ", ".join(CLIENTS)))
    return cls(**kwargs)


__all__ = ["AuthError", "BaseClient", "BusinessError", "CLIENTS", "ConnectorError", "InvalidMovement", "KINDS",
           "KingdeeClient", "MalformedResponse", "Material", "Movement", "MovementLine", "RateLimited",
           "RemoteBusy", "RemoteResult", "RequestTimeout", "RetryPolicy", "SapODataClient", "SapSoapClient", "ServerError",
           "SessionExpired", "StockRow", "TransportError", "UnsupportedKind", "YonyouU8Client", "make_client"]
