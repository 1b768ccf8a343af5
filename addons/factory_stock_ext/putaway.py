# This file is part of factory_stock_ext.  Put-away proposal: the bin for
# goods arriving in a warehouse.  In order:
#   1. the material's fixed bin: its core default location
#      (stock_product_location) in the warehouse when that is a bin;
#   2. a bin with room in its zone: the bins below that default location
#      when it is an area, else the bins of the zone (stock.location.zone) of
#      the bin it was last put away to;
#   3. the last bin it was put away to, even without room.
# "Room": a bin holds one material at a time, so a bin has room when it
# holds no other material and, if it has a capacity, the quantity fits;
# bins already holding the material come before empty ones.
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.rpc import RPC

EPSILON = 1e-9
REASONS = ['fixed', 'zone', 'last']


class Location(metaclass=PoolMeta):
    __name__ = 'stock.location'

    bin_capacity = fields.Float(
        "Bin Capacity", digits=(16, 4),
        domain=['OR', ('bin_capacity', '=', None),
            ('bin_capacity', '>', 0)],
        states={'invisible': Eval('type') != 'storage'},
        help="The most the bin holds of one material, in the material's "
        "default unit; empty for no limit.  Put-away proposals fill a bin "
        "with one material at a time.")
    putaway_strict = fields.Boolean(
        "Put Away to Proposed Bin",
        states={'invisible': Eval('type') != 'warehouse'},
        help="Put-away scans into another bin than the proposed one are "
        "refused.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({'propose_putaway': RPC()})

    @classmethod
    def propose_putaway(cls, warehouse, product, quantity=0):
        """Return {location, reason, message}: the proposed bin (id, None
        when there is none) for `quantity` (default unit) of the product
        arriving in the warehouse; reason is 'fixed', 'zone' or 'last'"""
        pool = Pool()
        Product = pool.get('product.product')
        Move = pool.get('stock.move')
        warehouse = cls(int(warehouse))
        product = Product(int(product))
        quantity = quantity or 0
        storage = warehouse.storage_location
        default = Move(product=product).get_product_location(
            warehouse=warehouse.id)
        last = cls._last_bin(storage, product)
        location = reason = None
        if default and cls._is_bin(default):
            location, reason = default, 'fixed'
        else:
            if default:
                bins = cls.search([('parent', 'child_of', [default.id]),
                        ('type', '=', 'storage')])
            else:
                bins = cls._zone_bins(storage, last)
            bins = [b for b in bins if cls._is_bin(b)]
            location = cls._with_room(bins, product, quantity)
            if location:
                reason = 'zone'
            elif last:
                location, reason = last, 'last'
        return {
            'location': location.id if location else None,
            'reason': reason,
            'message': gettext('factory_stock_ext.msg_putaway_%s'
                % (reason or 'none'), product=product.rec_name,
                location=location.rec_name if location else '',
                warehouse=warehouse.rec_name),
            }

    @classmethod
    def propose_putaway_move(cls, move):
        """propose_putaway for a put-away move of a supplier shipment into
        the storage zone of its warehouse; None for a move elsewhere (the
        rejected location)"""
        shipment = move.shipment
        warehouse = getattr(shipment, 'warehouse', None)
        to = move.to_location
        if not warehouse or not to or move.shipment.__name__ != (
                'stock.shipment.in'):
            return None
        storage = warehouse.storage_location
        if not (storage.left <= to.left and to.right <= storage.right):
            return None
        return cls.propose_putaway(warehouse.id, move.product.id,
            move.internal_quantity)

    @classmethod
    def putaway_bin_expected(cls, move, location):
        """The bin the put-away move should go to instead of location, when
        its warehouse puts away to the proposed bin only; else None"""
        warehouse = getattr(move.shipment, 'warehouse', None)
        if not warehouse or not warehouse.putaway_strict:
            return None
        proposal = cls.propose_putaway_move(move)
        if (not proposal or not proposal['location']
                or proposal['location'] == int(location)):
            return None
        return cls(proposal['location'])

    @staticmethod
    def _is_bin(location):
        "A storage location without children"
        return (location.type == 'storage'
            and location.right == location.left + 1)

    @classmethod
    def _last_bin(cls, storage, product):
        "The bin of the storage zone the product was last put away to"
        Move = Pool().get('stock.move')
        moves = Move.search([
                ('product', '=', product.id),
                ('state', '=', 'done'),
                ('to_location', 'child_of', [storage.id], 'parent'),
                ('to_location.type', '=', 'storage'),
                ], order=[('effective_date', 'DESC'), ('id', 'DESC')],
            limit=20)
        for move in moves:
            if cls._is_bin(move.to_location):
                return move.to_location

    @classmethod
    def _zone_bins(cls, storage, last):
        "The bins of the zone of the last bin (none without a zoned bin)"
        Zone = Pool().get('stock.location.zone')
        if not last:
            return []
        zone = Zone.zones_for_locations([last.id])[last.id]
        if not zone:
            return []
        bins = cls.search([('parent', 'child_of', [storage.id]),
                ('type', '=', 'storage')])
        zones = Zone.zones_for_locations([b.id for b in bins])
        return [b for b in bins if zones[b.id] == zone]

    @classmethod
    def _with_room(cls, bins, product, quantity):
        "The first bin with room for quantity of the product, or None"
        Figures = Pool().get('stock.figures')
        if not bins:
            return None
        stock = Figures.on_hand(Figures.current_company(),
            locations=[b.id for b in bins], per_location=True)
        held, others = {}, set()
        for (location, product_id), qty in stock.items():
            if qty <= EPSILON:
                continue
            if product_id == product.id:
                held[location] = qty
            else:
                others.add(location)
        candidates = []
        for bin_ in bins:
            if bin_.id in others:
                continue
            own = held.get(bin_.id, 0)
            if (bin_.bin_capacity is not None
                    and own + quantity > bin_.bin_capacity + EPSILON):
                continue
            candidates.append((bin_.id not in held, bin_.code or '',
                    bin_.id, bin_))
        if candidates:
            return min(candidates, key=lambda c: c[:3])[-1]
