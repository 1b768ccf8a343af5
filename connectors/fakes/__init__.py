"""Loopback fakes of the three ERPs, for tests, benches and demos.

    with FakeKingdee(stock_rows=100) as fake:
        client = KingdeeClient(**fake.client_kwargs())
        ...
        fake.applied_counts["MOVE-1"]  # how many times MOVE-1 changed stock

See ``base.py`` for fault injection (``fake.faults``) and the counters.
"""
from .base import FAULT_KINDS, FakeServer
from .kingdee import FakeKingdee
from .sap import FakeSAP
from .yonyou import FakeU8

FAKES = {"kingdee": FakeKingdee, "yonyou": FakeU8, "sap": FakeSAP}

__all__ = ["FAKES", "FAULT_KINDS", "FakeKingdee", "FakeSAP", "FakeServer", "FakeU8"]
