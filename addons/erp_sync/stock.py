# This file is part of the factory addons.
"Stock move extension: classify done moves and write them to the outbox"
from trytond.model import ModelView, Workflow
from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, moves):
        super().do(moves)
        # Same transaction as the stock change: both commit or neither.
        # The user completing the move may not administer the outbox.
        with without_check_access():
            Pool().get('erp.sync.outbox').enqueue(moves)

    @classmethod
    def erp_kind(cls, move):
        """The ERP movement kind of a move, None when not reported.

        Receipts into a warehouse's input, issues to production, deliveries
        from its output, inventory gains/losses and moves between
        warehouses (or to/from transit) are what the ERP books; moves inside
        one warehouse are not.
        """
        source, target = move.from_location, move.to_location
        pair = (source.type, target.type)
        if pair == ('supplier', 'storage'):
            return 'receipt'
        if pair == ('storage', 'production'):
            return 'issue'
        if pair == ('storage', 'customer'):
            return 'delivery'
        if pair == ('lost_found', 'storage'):
            return 'count_gain'
        if pair == ('storage', 'lost_found'):
            return 'count_loss'
        if pair == ('storage', 'storage') and (
                source.warehouse != target.warehouse):
            return 'transfer'

    @classmethod
    def erp_warehouses(cls, move, kind):
        "Warehouses whose endpoint selection decides if the move is posted"
        if kind in {'receipt', 'count_gain'}:
            return [move.to_location.warehouse]
        if kind == 'transfer':
            return [w for w in [
                    move.from_location.warehouse, move.to_location.warehouse]
                if w]
        return [move.from_location.warehouse]

    def erp_movement(self, kind, key, product_codes, location_codes):
        "The connector movement dict (connectors.model.Movement.coerce)"
        def warehouse_code(location):
            # A transit location belongs to no warehouse: its own code
            warehouse = location.warehouse or location
            return location_codes[warehouse.id]

        source, target = self.from_location, self.to_location
        side = target if kind in {'receipt', 'count_gain'} else source
        line = {
            'product_code': product_codes[self.product.id],
            'warehouse_code': warehouse_code(side),
            'location_code': location_codes[side.id],
            'quantity': str(self.internal_quantity),
            'uom': self.product.default_uom.symbol,
            'lot': self.lot.number if getattr(self, 'lot', None) else '',
            }
        if kind == 'transfer':
            line['to_warehouse_code'] = warehouse_code(target)
            line['to_location_code'] = location_codes[target.id]
        # The ERP books receipts against a supplier, deliveries to a customer
        party = None
        if kind == 'receipt':
            party = getattr(self.shipment, 'supplier', None)
        elif kind == 'delivery':
            party = getattr(self.shipment, 'customer', None)
        reference = ''
        if self.shipment:
            reference = self.shipment.rec_name
        elif self.origin:
            reference = self.origin.rec_name
        return {
            'key': key,
            'kind': kind,
            'date': self.effective_date.isoformat(),
            'reference': reference,
            'partner_code': party.code if party and party.code else '',
            'lines': [line],
            }
