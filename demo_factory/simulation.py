"""Day-by-day simulation of a factory year, emitting documents and done moves.

Why a simulation and not random rows: statistics, alerts and counts need
history that behaves like a plant — stock never negative, purchases triggered
by reorder points and arriving after a real lead time, productions consuming
their BOM, FIFO lots, a slow-mover and dead-stock tail.
"""
import datetime as dt
import math
from collections import defaultdict, deque


class Simulation:

    def __init__(self, options, rng, items, sites, parties, sink):
        self.o = options
        self.rng = rng
        self.items = items
        self.sites = sites
        self.wh = {s.warehouse: s for s in sites}
        self.main = sites[0].warehouse
        self.suppliers, self.customers = parties
        self.sink = sink
        self.stock = defaultdict(float)          # (index, warehouse) -> qty
        self.fifo = defaultdict(deque)           # (index, warehouse) -> lots
        self.on_order = defaultdict(float)
        self.arrivals = defaultdict(list)        # day -> purchases
        # purchases arriving in the live days: made by the real purchase
        # and receipt flows afterwards (live.py), not written here
        self.live_orders = []
        self.live_from = options.days - options.live_days
        self._demand()

    # -- parameters ---------------------------------------------------
    def _demand(self):
        rng = self.rng
        self.daily = {}             # finished index -> mean daily demand
        self.stop_day = {}          # discontinued finished goods
        self.usage = defaultdict(float)   # (material, warehouse) -> per day
        for index, item in enumerate(self.items):
            if item.kind != 'finished':
                continue
            self.daily[index] = rng.uniform(0.5, 8)
            if rng.random() < 0.15:
                # discontinued: early ones leave dead stock, late ones slow
                self.stop_day[index] = (rng.randint(60, 120)
                    if rng.random() < 0.5
                    else self.o.days - rng.randint(50, 100))
            for material, qty in item.bom:
                self.usage[(material, item.warehouse)] += (
                    self.daily[index] * qty)
        # whatever the size, one finished good stopped selling two months
        # ago: its stock is slow (the early stops above are dead stock)
        self.stop_day[next(iter(self.daily))] = self.o.days - 70
        self.total_usage = defaultdict(float)
        for (material, _), value in self.usage.items():
            self.total_usage[material] += value

    def date(self, day):
        return self.o.start_date + dt.timedelta(days=day)

    # -- stock helpers -----------------------------------------------
    def receive(self, index, warehouse, qty, day, from_loc, doc, origin=None,
            unit_price=None, lot=None):
        item = self.items[index]
        if item.lots and lot is None:
            lot = self.new_lot(index, day)
        to_loc = item.bins[warehouse]
        self.sink.move(item, qty, from_loc, to_loc, self.date(day), doc,
            origin=origin, unit_price=unit_price, lot=lot)
        self.stock[(index, warehouse)] += qty
        if item.lots:
            self.fifo[(index, warehouse)].append([lot, qty])
        return lot

    def issue(self, index, warehouse, qty, day, to_loc, doc, via=None,
            unit_price=None, **extra):
        "Take qty out of the bin, FIFO by lot; returns [(lot, qty)]"
        item = self.items[index]
        key = (index, warehouse)
        qty = min(qty, self.stock[key])
        if qty <= 0:
            return []
        self.stock[key] -= qty
        parts = [(None, qty)]
        if item.lots:
            parts, left, queue = [], qty, self.fifo[key]
            while left > 1e-9 and queue:
                lot, available = queue[0]
                take = min(available, left)
                parts.append((lot, take))
                left -= take
                if available - take <= 1e-9:
                    queue.popleft()
                else:
                    queue[0][1] = available - take
        date = self.date(day)
        for lot, part in parts:
            first_to = via or to_loc
            self.sink.move(item, part, item.bins[warehouse], first_to, date,
                doc, lot=lot, **extra)
            if via:
                self.sink.move(item, part, via, to_loc, date, doc, lot=lot,
                    unit_price=unit_price)
        return parts

    def new_lot(self, index, day):
        item = self.items[index]
        expiry = (self.date(day) + dt.timedelta(days=item.shelf_life)
            if item.shelf_life else None)
        return self.sink.lot(item, f'{item.code}-{self.date(day):%y%m%d}',
            expiry)

    # -- the year ----------------------------------------------------
    def run(self, checkpoint=None):
        """checkpoint(simulation, day), when given, runs after each day's
        bulk rows (the count flows of the history)"""
        self.sink.stamp = dt.datetime.combine(self.date(0), dt.time(6))
        self.opening()
        for day in range(self.o.days):
            self.sink.stamp = dt.datetime.combine(self.date(day), dt.time(6))
            for purchase in self.arrivals.pop(day, []):
                self.arrive(purchase, day)
            for index in self.daily:
                self.deliver(index, day)
                self.produce(index, day)
            self.replenish(day)
            if self.date(day).weekday() == 0:
                self.transfer(day)
            if checkpoint:
                checkpoint(self, day)
        self.sink.flush()

    def adjust(self, index, warehouse, qty, lot=None):
        "A count found qty more (or less) in the bin than the books said"
        key = (index, warehouse)
        self.stock[key] = max(0, self.stock[key] + qty)
        if not self.items[index].lots:
            return
        queue = self.fifo[key]
        for entry in queue:
            if entry[0] == lot:
                entry[1] += qty
                break
        else:
            if qty > 0:
                queue.append([lot, qty])
        for entry in [e for e in queue if e[1] <= 1e-9]:
            queue.remove(entry)

    def opening(self):
        "Opening balance on the first day, as an inventory would record it"
        lost = self.sink.lost_found
        for index, item in enumerate(self.items):
            for site in self.sites:
                if item.kind == 'finished':
                    qty = (self.daily[index] * 10
                        if item.warehouse == site.warehouse else 0)
                elif site.warehouse == self.main:
                    qty = (self.total_usage[index] * 30
                        or self.rng.randint(50, 500))
                else:
                    qty = self.usage[(index, site.warehouse)] * 14
                qty = math.ceil(qty)
                if qty:
                    self.receive(index, site.warehouse, qty, 0, lost, None)

    def deliver(self, index, day):
        daily = self.daily[index]
        if index in self.stop_day and day > self.stop_day[index]:
            return
        if self.rng.random() >= 0.35:
            return
        item = self.items[index]
        qty = max(1, round(self.rng.expovariate(0.35 / daily)))
        site = self.wh[item.warehouse]
        customer = self.rng.choice(self.customers)
        if self.stock[(index, item.warehouse)] < 1:
            return
        doc = self.sink.shipment_out(customer, site, self.date(day))
        self.issue(index, item.warehouse, qty, day, self.sink.customer, doc,
            via=site.output, unit_price=item.price)

    def produce(self, index, day):
        item = self.items[index]
        daily = self.daily[index]
        if index in self.stop_day and day > self.stop_day[index]:
            return
        wh = item.warehouse
        if self.stock[(index, wh)] >= 5 * daily:
            return
        batch = math.ceil(10 * daily)
        for material, qty in item.bom:
            batch = min(batch,
                math.floor(self.stock[(material, wh)] / qty))
        if batch < 1:
            return
        site = self.wh[wh]
        doc = self.sink.production(item, batch, site, self.date(day))
        for material, qty in item.bom:
            self.issue(material, wh, qty * batch, day, site.production,
                None, production_input=doc)
        lot = self.new_lot(index, day) if item.lots else None
        self.sink.move(item, batch, site.production, item.bins[wh],
            self.date(day), None, lot=lot, production_output=doc)
        self.stock[(index, wh)] += batch
        if lot:
            self.fifo[(index, wh)].append([lot, batch])

    def replenish(self, day):
        "Reorder point policy at the main plant, one PO per supplier per day"
        orders = defaultdict(list)
        for index, usage in self.total_usage.items():
            item = self.items[index]
            key = (index, self.main)
            if self.stock[key] + self.on_order[index] >= usage * (
                    item.lead_time + 10):
                continue
            qty = math.ceil(usage * 30)
            self.on_order[index] += qty
            orders[item.supplier].append((index, qty))
        for supplier, lines in orders.items():
            lead = max(1, self.items[lines[0][0]].lead_time
                + self.rng.randint(-2, 6))
            if day + lead >= self.live_from:
                self.live_orders.append((day, day + lead, supplier, lines))
                continue
            purchase = self.sink.purchase(supplier, self.sites[0],
                self.date(day), lines, self.items)
            self.arrivals[day + lead].append(purchase)

    def arrive(self, purchase, day):
        site = self.sites[0]
        doc = self.sink.shipment_in(purchase, site, self.date(day))
        for index, qty, line_id in purchase['lines']:
            item = self.items[index]
            lot = self.new_lot(index, day) if item.lots else None
            # core receipts move supplier -> input, then input -> bin
            self.sink.move(item, qty, self.sink.supplier, site.input,
                self.date(day), doc, origin=f'purchase.line,{line_id}',
                unit_price=item.cost, lot=lot)
            self.receive(index, self.main, qty, day, site.input, doc,
                lot=lot)
            self.on_order[index] -= qty

    def transfer(self, day):
        "Weekly top-up of the assembly plant from the main plant"
        if day + 1 >= self.o.days:
            return
        second = self.sites[1].warehouse
        lines = []
        for (index, wh), usage in self.usage.items():
            if wh != second:
                continue
            need = usage * 21 - self.stock[(index, wh)]
            available = self.stock[(index, self.main)]
            if need > 0 and available > 0:
                lines.append((index, math.ceil(min(need, available))))
        if not lines:
            return
        doc = self.sink.shipment_internal(self.sites[0], self.sites[1],
            self.date(day), self.date(day + 1))
        for index, qty in lines:
            parts = self.issue(index, self.main, qty, day,
                self.sink.transit, doc)
            for lot, part in parts:
                self.receive(index, second, part, day + 1, self.sink.transit,
                    doc, lot=lot)
