"""The live days: the last days of the history made by the real flows.

The purchases the history simulation ordered for arrival in the last days
are placed and confirmed through core purchase (planner's orders, as the
administrator who holds the purchase rights), received by the clerk into the
main plant's QC hold, decided by the QC inspector after a day or more (most
released, some rejected, some still waiting) and put away into their bins by
the clerk. Orders due after the last day are still waiting to be received.
The ERP endpoint is switched on first, so the receipts land in its outbox.
"""
import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from trytond.pool import Pool

from .actors import on_day


class Live:

    def __init__(self, options, actors, simulation, site):
        self.o = options
        self.actors = actors
        self.sim = simulation
        self.items = simulation.items
        self.site = site
        self.rng = random.Random(f'{options.seed}-live')
        # [(day received, shipment, days QC takes, passed)]
        self.waiting = []
        self.purchases = 0

    def run(self):
        sim, call = self.sim, self.actors.call
        by_day = defaultdict(list)
        for order in sim.live_orders:
            by_day[order[0]].append(order)
        arrivals = defaultdict(list)           # day -> [purchase id]
        # the orders placed before the live days, then those of each day
        days = [d for d in sorted(by_day) if d < sim.live_from]
        batches = ([(days[0], [o for d in days for o in by_day[d]])]
            if days else [])
        batches += [(d, by_day[d]) for d in range(sim.live_from, self.o.days)
            if by_day.get(d)]
        batches = dict(batches)
        for day in range(min([sim.live_from] + days), self.o.days):
            date = sim.date(day)
            orders = batches.get(day)
            if orders:
                with on_day(date, 8):
                    purchases = call('admin', _purchases, self.site.warehouse,
                        [(supplier, sim.date(ordered),
                                [(self.items[i].id, qty, self.items[i].cost)
                                    for i, qty in lines])
                            for ordered, _, supplier, lines in orders])
                self.purchases += len(purchases)
                for order, purchase in zip(orders, purchases):
                    arrivals[order[1]].append(purchase)
            if day < sim.live_from:
                continue
            arriving = arrivals.pop(day, [])
            if arriving:
                with on_day(date, 10):
                    shipments = call('li', _receive, [(p,
                                self._lot_numbers(p, date))
                            for p in arriving])
                for shipment in shipments:
                    # QC takes from a day to two weeks; one in ten fails
                    self.waiting.append((day, shipment,
                            self.rng.choice([1, 1, 2, 2, 3, 4, 6, 9, 14]),
                            self.rng.random() >= 0.1))
            with on_day(date, 15):
                self.decide(day)
        # what arrives after the last day is still waiting to be received
        return self.purchases

    def _lot_numbers(self, purchase, date):
        "The supplier's lot of each line (every receipt is held by lot)"
        return f'{date:%y%m%d}-{purchase}'

    def decide(self, day):
        """QC decides the receipts whose inspection is over, the clerk puts
        them away; the others stay on hold, received on different days"""
        due = [e for e in self.waiting if day - e[0] >= e[2]]
        if not due:
            return
        # factory_stock_ext gives group_factory_qc no read access to
        # stock.lot, which the Release/Reject buttons check first: the
        # decision runs as wang without that check (its own QC-group check
        # still runs)
        self.actors.call_unchecked('wang', _qc_decide,
            [(e[1], e[3]) for e in due])
        self.actors.call('li', _put_away, [e[1] for e in due],
            {it.id: it.bins[self.site.warehouse] for it in self.items})
        for entry in due:
            self.waiting.remove(entry)


def _purchases(warehouse, orders):
    """The planner's orders, placed and confirmed: [(supplier, date,
    [(product, quantity, unit price)])] -> purchase ids"""
    pool = Pool()
    Purchase = pool.get('purchase.purchase')
    Party = pool.get('party.party')
    Product = pool.get('product.product')
    purchases = Purchase.create([{
                'party': supplier,
                'invoice_address': Party(supplier).addresses[0].id,
                'warehouse': warehouse,
                'purchase_date': date,
                'invoice_method': 'manual',
                'lines': [('create', [{
                                'product': product, 'quantity': qty,
                                'unit': Product(product).purchase_uom.id,
                                'unit_price': Decimal(cost).quantize(
                                    Decimal('0.0001')),
                                } for product, qty, cost in lines])],
                } for supplier, date, lines in orders])
    Purchase.quote(purchases)
    Purchase.confirm(purchases)
    # confirm queues the processing for a worker; the demo has none
    Purchase.process(purchases)
    return [p.id for p in purchases]


def _receive(arrivals):
    """The clerk receives the day's purchases into QC hold, one supplier lot
    per line: [(purchase, lot suffix)] -> shipment ids"""
    pool = Pool()
    Purchase = pool.get('purchase.purchase')
    Shipment = pool.get('stock.shipment.in')
    Move = pool.get('stock.move')
    Lot = pool.get('stock.lot')
    Date = pool.get('ir.date')
    today = Date.today()
    values, lots, moves = [], [], []
    for purchase_id, suffix in arrivals:
        purchase = Purchase(purchase_id)
        draft = [m for l in purchase.lines for m in l.moves
            if m.state == 'draft']
        values.append({
                'supplier': purchase.party.id,
                'warehouse': purchase.warehouse.id,
                # the client's on_change: QC hold of the warehouse, storage
                'warehouse_input': purchase.warehouse.qc_location.id,
                'warehouse_storage': purchase.warehouse.storage_location.id,
                'company': purchase.company.id,
                'reference': purchase.number,
                'incoming_moves': [('add', [m.id for m in draft])],
                })
        for move in draft:
            product = move.product
            lots.append({'product': product.id,
                    'number': f'{product.code}-{suffix}',
                    'shelf_life_expiration_date': (
                        today + dt.timedelta(days=product.shelf_life_time)
                        if product.shelf_life_state == 'required'
                        else None)})
            moves.append(move)
    shipments = Shipment.create(values)
    args = []
    for move, lot in zip(moves, Lot.create(lots)):
        args.extend(([move], {'lot': lot.id}))
    Move.write(*args)
    Shipment.receive(shipments)
    return [s.id for s in shipments]


def _qc_decide(decisions):
    "[(shipment, passed)]: the held lots released, or the first rejected"
    pool = Pool()
    Shipment = pool.get('stock.shipment.in')
    Lot = pool.get('stock.lot')
    release, reject = [], []
    for shipment_id, passed in decisions:
        lots = [l for l in Lot.browse(Shipment(shipment_id).qc_lots)
            if l.qc_state == 'hold']
        if not passed:
            reject.extend(lots[:1])
            lots = lots[1:]
        release.extend(lots)
    if reject:
        Lot.qc_reject(reject)
    if release:
        Lot.qc_release(release)


def _put_away(shipment_ids, bins):
    "Put the decided goods away: into the product's bin, or rejected"
    pool = Pool()
    Shipment = pool.get('stock.shipment.in')
    Move = pool.get('stock.move')
    shipments = Shipment.browse(shipment_ids)
    args = []
    for shipment in shipments:
        rejected = shipment.warehouse.rejected_location
        for move in shipment.inventory_moves:
            if move.state == 'draft' and move.to_location != rejected:
                args.extend(([move], {'to_location': bins[move.product.id]}))
    if args:
        Move.write(*args)
    Shipment.do(Shipment.browse(shipment_ids))
