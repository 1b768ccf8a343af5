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
        first = min([sim.live_from] + list(by_day))
        for day in range(first, self.o.days):
            date = sim.date(day)
            with on_day(date, 8):
                for ordered, arrive, supplier, lines in by_day.pop(day, []):
                    purchase = call('admin', _purchase, supplier,
                        self.site.warehouse, date,
                        [(self.items[i].id, qty, self.items[i].cost)
                            for i, qty in lines])
                    self.purchases += 1
                    arrivals[arrive].append(purchase)
            if day < sim.live_from:
                continue
            with on_day(date, 10):
                for purchase in arrivals.pop(day, []):
                    shipment = call('li', _receive, purchase,
                        self._lot_numbers(purchase, date))
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
        call = self.actors.call
        bins = {it.id: it.bins[self.site.warehouse] for it in self.items}
        for entry in list(self.waiting):
            received, shipment, wait, passed = entry
            if day - received < wait:
                continue
            # factory_stock_ext gives group_factory_qc no read access to
            # stock.lot, which the Release/Reject buttons check first: the
            # decision runs as wang without that check (its own QC-group
            # check still runs)
            self.actors.call_unchecked('wang', _qc_decide, shipment,
                passed)
            call('li', _put_away, shipment, bins)
            self.waiting.remove(entry)


def _purchase(supplier, warehouse, date, lines):
    pool = Pool()
    Purchase = pool.get('purchase.purchase')
    Party = pool.get('party.party')
    party = Party(supplier)
    purchase, = Purchase.create([{
                'party': party.id,
                'invoice_address': party.addresses[0].id,
                'warehouse': warehouse,
                'purchase_date': date,
                'invoice_method': 'manual',
                'lines': [('create', [{
                                'product': product, 'quantity': qty,
                                'unit': pool.get('product.product')(
                                    product).purchase_uom.id,
                                'unit_price': Decimal(cost).quantize(
                                    Decimal('0.0001')),
                                } for product, qty, cost in lines])],
                }])
    Purchase.quote([purchase])
    Purchase.confirm([purchase])
    # confirm queues the processing for a worker; the demo has none
    Purchase.process([purchase])
    return purchase.id


def _receive(purchase_id, lot_suffix):
    """The clerk receives the purchase's moves into QC hold, one supplier
    lot per line"""
    pool = Pool()
    Purchase = pool.get('purchase.purchase')
    Shipment = pool.get('stock.shipment.in')
    Move = pool.get('stock.move')
    Lot = pool.get('stock.lot')
    purchase = Purchase(purchase_id)
    moves = [m for l in purchase.lines for m in l.moves
        if m.state == 'draft']
    shipment, = Shipment.create([{
                'supplier': purchase.party.id,
                'warehouse': purchase.warehouse.id,
                # the client's on_change: QC hold of the warehouse, storage
                'warehouse_input': purchase.warehouse.qc_location.id,
                'warehouse_storage': purchase.warehouse.storage_location.id,
                'company': purchase.company.id,
                'reference': purchase.number,
                'incoming_moves': [('add', [m.id for m in moves])],
                }])
    for move in moves:
        product = move.product
        expiry = None
        if product.shelf_life_state == 'required':
            expiry = Pool().get('ir.date').today() + dt.timedelta(
                days=product.shelf_life_time)
        lot, = Lot.create([{'product': product.id,
                    'number': f'{product.code}-{lot_suffix}',
                    'shelf_life_expiration_date': expiry}])
        Move.write([move], {'lot': lot.id})
    Shipment.receive([shipment])
    return shipment.id


def _qc_decide(shipment_id, accepted):
    pool = Pool()
    Shipment = pool.get('stock.shipment.in')
    Lot = pool.get('stock.lot')
    shipment = Shipment(shipment_id)
    lots = [l for l in Lot.browse(shipment.qc_lots) if l.qc_state == 'hold']
    if accepted:
        Lot.qc_release(lots)
    else:
        # the first lot fails, the others pass
        Lot.qc_reject(lots[:1])
        Lot.qc_release(lots[1:])


def _put_away(shipment_id, bins):
    "Put the decided goods away: into the product's bin, or rejected"
    pool = Pool()
    Shipment = pool.get('stock.shipment.in')
    Move = pool.get('stock.move')
    shipment = Shipment(shipment_id)
    rejected = shipment.warehouse.rejected_location
    for move in shipment.inventory_moves:
        if move.state == 'draft' and move.to_location != rejected:
            Move.write([move], {'to_location': bins[move.product.id]})
    Shipment.do([Shipment(shipment_id)])
