# This file is part of factory_stock_ext.  Picking a customer shipment by
# lot: expiry first (FEFO, stock_lot_sled dates), then first in (FIFO).
# "Assign Lots (FEFO)" assigns through core's Move.assign_try grouped by
# lot, so the moves carry their lots and the scan checker (scan_rules)
# refuses any other lot as a wrong lot: no second wrong-lot rule here.
import datetime as dt

from sql.aggregate import Min

from trytond.model import ModelView
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

EPSILON = 1e-9


def fefo_keys(lot_ids):
    """{lot id: sort key} expiry first (the earlier of the expiration and
    shelf life dates), then first receipt, then number order; None for lots
    that must not be picked (expired, on QC hold or rejected)"""
    pool = Pool()
    Lot = pool.get('stock.lot')
    Move = pool.get('stock.move')
    Date = pool.get('ir.date')
    today = Date.today()
    lot_ids = list({l for l in lot_ids if l})
    first_in = {}
    move = Move.__table__()
    cursor = Transaction().connection.cursor()
    for sub in grouped_slice(lot_ids, 500):
        cursor.execute(*move.select(move.lot, Min(move.effective_date),
                where=move.lot.in_(list(sub)) & (move.state == 'done'),
                group_by=[move.lot]))
        first_in.update(cursor)
    keys = {}
    for lot in Lot.browse(lot_ids):
        dates = [d for d in (lot.expiration_date,
                lot.shelf_life_expiration_date) if d]
        expiry = min(dates) if dates else None
        if (expiry and expiry < today) or lot.qc_state in {
                'hold', 'rejected'}:
            keys[lot.id] = None
            continue
        received = first_in.get(lot.id)
        if isinstance(received, str):  # SQLite gives MIN of dates as text
            received = dt.date.fromisoformat(received)
        keys[lot.id] = (expiry or dt.date.max, received or dt.date.max,
            lot.number or '', lot.id)
    return keys


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    def sort_quantities(self, quantities, locations, grouping):
        quantities = super().sort_quantities(quantities, locations, grouping)
        if (not Transaction().context.get('_fefo') or self.lot
                or 'lot' not in grouping):
            return quantities
        # Keys are (location, *grouping): FEFO on the lot, the location
        # order (core's) kept among equal lots
        index = grouping.index('lot') + 1
        quantities = list(quantities)
        keys = fefo_keys([k[index] for k, _ in quantities])
        return sorted(((k, q) for k, q in quantities
                if k[index] is None or keys.get(k[index]) is not None),
            key=lambda kq: (kq[0][index] is None,
                keys.get(kq[0][index]) or ()))


class ShipmentOut(metaclass=PoolMeta):
    __name__ = 'stock.shipment.out'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({'suggest_lots': RPC()})
        cls._buttons.update({
                'assign_fefo': {
                    'invisible': Eval('state') != 'waiting',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def suggest_lots(cls, shipments):
        """Return {shipment id: [{move, product, lot, location, quantity,
        expiration_date}]}: the lots and bins to pick each line from, FEFO
        then FIFO, from today's stock of the warehouse's storage zone; a
        line with a lot keeps it; lots on QC hold or expired never come"""
        pool = Pool()
        Figures = pool.get('stock.figures')
        Lot = pool.get('stock.lot')
        Uom = pool.get('product.uom')
        shipments = cls.browse([int(s) for s in shipments])
        result = {}
        for shipment in shipments:
            moves = [m for m in shipment.assign_moves
                if m.state in {'draft', 'assigned'}]
            stock = Figures.on_hand(shipment.company,
                scope=shipment.warehouse_storage,
                products=list({m.product.id for m in moves}),
                grouping=('product', 'lot'), per_location=True)
            keys = fefo_keys([k[2] for k in stock])
            lots = {l.id: l for l in Lot.browse([l for l in keys if l])}
            available = sorted(((k, q) for k, q in stock.items()
                    if q > EPSILON and k[2] and keys.get(k[2])),
                key=lambda kq: (keys[kq[0][2]], kq[0][0]))
            lines = []
            for move in moves:
                need = Uom.compute_qty(move.unit, move.quantity,
                    move.product.default_uom, round=False)
                for i, ((location, product, lot), quantity) in enumerate(
                        available):
                    if need <= EPSILON:
                        break
                    if product != move.product.id or quantity <= EPSILON or (
                            move.lot and move.lot.id != lot):
                        continue
                    take = min(need, quantity)
                    available[i] = ((location, product, lot), quantity - take)
                    need -= take
                    lines.append({'move': move.id, 'product': product,
                            'lot': lot, 'location': location,
                            'quantity': take,
                            'expiration_date': lots[lot].expiration_date})
            result[shipment.id] = lines
        return result

    @classmethod
    @ModelView.button
    def assign_fefo(cls, shipments):
        """Assign the lines without lot to the lots to pick, FEFO then
        FIFO (core assignment grouped by lot: a line may split per lot
        and bin); the scan of a delivery then refuses any other lot"""
        Move = Pool().get('stock.move')
        shipments = [s for s in shipments if s.state == 'waiting']
        moves = [m for s in shipments for m in s.assign_moves
            if m.assignation_required and m.state == 'draft' and not m.lot]
        with Transaction().set_context(_fefo=True):
            Move.assign_try(moves, grouping=('product', 'lot'))
        cls.assign_try(shipments)
