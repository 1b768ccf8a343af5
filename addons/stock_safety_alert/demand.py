# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""What one run knows of some warehouses, read once: their locations, the
stock on hand (balance.py), cost prices and open supplies, then the
parameters (parameter.py, computed in SQL from the usage and lead-time
totals). Every alert detector reads this `Snapshot`.
"""
import datetime as dt
from collections import defaultdict
from functools import cached_property

from sql import Null

from trytond.pool import Pool
from trytond.transaction import Transaction

from .bulk import chunks, in_


class Snapshot:
    "Stock and parameters of some warehouses, read once per run"

    def __init__(self, warehouses, today, company):
        self.warehouses = [w.id for w in warehouses]
        self.storage = {w.id: w.storage_location.id for w in warehouses}
        self.today = today
        self.company = company
        self.loc_wh = {}
        self.stock = {}
        self.first_in = {}
        self.costs = {}
        self.open_supply = set()
        self.params = {}
        self.config = None

    @staticmethod
    def window_start(today, window_days):
        "First day of a window of window_days ending today"
        return today - dt.timedelta(days=window_days - 1)

    @classmethod
    def collect(cls, warehouses, today, company):
        snap = cls(warehouses, today, company)
        snap._load_locations()
        snap._load_stock()
        snap._load_costs()
        snap._load_open_supply()
        return snap

    def _load_locations(self):
        Location = Pool().get('stock.location')
        for wh in self.warehouses:
            locations = Location.search([
                    ('parent', 'child_of', [wh]),
                    ('type', '=', 'storage'),
                    ])
            for location in locations:
                self.loc_wh.setdefault(location.id, wh)
        self.suppliers = [l.id for l in Location.search(
                [('type', '=', 'supplier')])]

    def _load_stock(self):
        """On-hand quantity per location/product/lot, and the first receipt
        date per product (the age of never-used stock), from the one
        stock-figures API (which reads the balance the run just merged)"""
        Figures = Pool().get('stock.figures')
        if not self.loc_wh:
            return
        locations = list(self.loc_wh)
        self.stock = {(self.loc_wh[location], location, product, lot): qty
            for (location, product, lot), qty in Figures.on_hand(
                self.company, self.today, grouping=('product', 'lot'),
                per_location=True, locations=locations).items()}
        for (location, product), first in Figures.first_receipts(
                self.company, locations=locations).items():
            wh = self.loc_wh[location]
            if first and (self.first_in.get((wh, product)) or first) >= first:
                self.first_in[wh, product] = first

    def _load_costs(self):
        CostPrice = Pool().get('product.cost_price')
        cursor = Transaction().connection.cursor()
        table = CostPrice.__table__()
        cursor.execute(*table.select(table.product, table.cost_price,
                where=(table.company == self.company)
                & (table.product != Null)))
        self.costs = {p: float(c or 0) for p, c in cursor.fetchall()}

    def _load_open_supply(self):
        "(warehouse, product) with a pending purchase request or receipt"
        pool = Pool()
        Request = pool.get('purchase.request')
        Move = pool.get('stock.move')
        cursor = Transaction().connection.cursor()
        request = Request.__table__()
        cursor.execute(*request.select(
                request.warehouse, request.product,
                where=request.state.in_(['draft', 'purchased'])
                & (request.company == self.company),
                group_by=[request.warehouse, request.product]))
        self.open_supply.update((w, p) for w, p in cursor.fetchall())
        move = Move.__table__()
        internal = list(self.loc_wh)
        for sub in chunks(internal):
            cursor.execute(*move.select(
                    move.to_location, move.product,
                    where=move.state.in_(['draft', 'assigned', 'staging'])
                    & move.from_location.in_(self.suppliers or [-1])
                    & in_(move.to_location, list(sub)),
                    group_by=[move.to_location, move.product]))
            self.open_supply.update(
                (self.loc_wh[l], p) for l, p in cursor.fetchall())

    # helpers used by safety stock and detectors, computed once: the stock
    # does not change after collect() and several detectors ask
    @cached_property
    def on_hand(self):
        "{(warehouse, product): quantity}"
        result = defaultdict(float)
        for (wh, _, product, _), qty in self.stock.items():
            result[wh, product] += qty
        return dict(result)

    @cached_property
    def main_location(self):
        "{(warehouse, product): the location holding most of it}"
        best = {}
        for (wh, location, product, _), qty in self.stock.items():
            if qty > best.get((wh, product), (None, 0))[1]:
                best[wh, product] = (location, qty)
        return {k: v[0] for k, v in best.items()}
