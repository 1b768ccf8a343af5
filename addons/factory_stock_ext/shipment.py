# This file is part of factory_stock_ext.  Shipments: supplier receipts of a
# QC warehouse go through its QC location, and transitions of scan-required
# warehouses need completed scan sessions.
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If

from .exceptions_scan import QCError


def qc_warehouse(warehouse):
    "The warehouse if it enforces QC on receipt, else None"
    if warehouse and warehouse.qc_required and warehouse.qc_location:
        return warehouse


class PurchaseLine(metaclass=PoolMeta):
    # Kept here because it only routes receipts (no other purchase change)
    __name__ = 'purchase.line'

    def get_to_location(self, name):
        location = super().get_to_location(name)
        warehouse = qc_warehouse(self.purchase.warehouse)
        if (warehouse and (self.quantity or 0) >= 0
                and location == warehouse.input_location):
            location = warehouse.qc_location
        return location


class ShipmentIn(metaclass=PoolMeta):
    __name__ = 'stock.shipment.in'

    qc_required = fields.Function(
        fields.Boolean("QC Required"), 'on_change_with_qc_required')
    qc_rejected_location = fields.Function(
        fields.Many2One('stock.location', "Rejected Location"),
        'on_change_with_qc_rejected_location')
    qc_lots = fields.Function(
        fields.Many2Many('stock.lot', None, None, "QC Lots",
            states={'invisible': ~Eval('qc_required')}),
        'get_qc_lots')
    qc_pending = fields.Function(
        fields.Boolean("QC Pending"), 'get_qc_pending')
    scan_sessions = fields.Function(
        # Many2Many: a function One2Many would need a setter
        fields.Many2Many('stock.scan.session', None, None, "Scan Sessions",
            readonly=True),
        'get_scan_sessions')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # The rejected location is outside storage, allow put-away to it
        cls.inventory_moves.domain = [
            ('from_location', '=', Eval('warehouse_input', -1)),
            If(~Eval('state').in_(['done', 'cancelled']),
                ['OR',
                    ('to_location', 'child_of',
                        [Eval('warehouse_storage', -1)], 'parent'),
                    ('to_location.waste_warehouses', '=',
                        Eval('warehouse', -1)),
                    ('to_location', '=', Eval('qc_rejected_location', -1)),
                    ],
                []),
            ('company', '=', Eval('company', -1)),
            ]
        cls.inventory_moves.depends.add('qc_rejected_location')

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('//page[@id="qc"]', 'states',
                {'invisible': ~Eval('qc_required')}),
            ]

    @fields.depends('warehouse')
    def on_change_with_qc_required(self, name=None):
        return bool(qc_warehouse(self.warehouse))

    @fields.depends('warehouse')
    def on_change_with_qc_rejected_location(self, name=None):
        if qc_warehouse(self.warehouse):
            return self.warehouse.rejected_location

    def get_qc_lots(self, name):
        return sorted({m.lot.id for m in self.moves if m.lot})

    def get_qc_pending(self, name):
        return any(m.lot and m.lot.qc_state == 'hold'
            for m in self.inventory_moves if m.state == 'draft')

    def get_scan_sessions(self, name):
        Session = Pool().get('stock.scan.session')
        return [s.id for s in Session.search(
                [('document', '=', str(self))])]

    @fields.depends(methods=['on_change_with_qc_required'])
    def on_change_warehouse(self):
        super().on_change_warehouse()
        warehouse = qc_warehouse(self.warehouse)
        if warehouse:
            self.warehouse_input = warehouse.qc_location

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Location = pool.get('stock.location')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('warehouse'):
            warehouse = qc_warehouse(Location(values['warehouse']))
            if warehouse and values.get('warehouse_input') in {
                    None, warehouse.input_location.id}:
                values['warehouse_input'] = warehouse.qc_location.id
        return values

    @classmethod
    def _qc_route(cls, shipments):
        """Send every supplier move of a QC warehouse to its QC location,
        also for receipts created or changed after the purchase"""
        pool = Pool()
        Move = pool.get('stock.move')
        for shipment in shipments:
            warehouse = qc_warehouse(shipment.warehouse)
            if not warehouse:
                continue
            qc = warehouse.qc_location
            targets = {warehouse.input_location, shipment.warehouse_input}
            moves = [m for m in shipment.moves
                if m.from_location.type == 'supplier'
                and m.to_location in targets and m.to_location != qc]
            if moves:
                Move.write(moves, {'to_location': qc.id})
            if shipment.warehouse_input != qc:
                cls.write([shipment], {'warehouse_input': qc.id})
            for move in shipment.incoming_moves:
                if not move.lot and move.quantity:
                    raise QCError(gettext(
                            'factory_stock_ext.msg_qc_lot_required',
                            product=move.product.rec_name,
                            shipment=shipment.rec_name,
                            location=qc.rec_name))

    @classmethod
    @ModelView.button
    def receive(cls, shipments):
        pool = Pool()
        Session = pool.get('stock.scan.session')
        Lot = pool.get('stock.lot')
        Session.check_scanned(shipments, 'receipt')
        cls._qc_route(shipments)
        result = super().receive(shipments)
        for shipment in shipments:
            if not qc_warehouse(shipment.warehouse):
                continue
            lots = list({m.lot for m in shipment.incoming_moves if m.lot})
            if lots:
                Lot.qc_put_on_hold(lots, gettext(
                        'factory_stock_ext.msg_qc_hold_reason_receipt',
                        shipment=shipment.rec_name), company=shipment.company)
        return result

    @classmethod
    @ModelView.button
    def do(cls, shipments):
        pool = Pool()
        Session = pool.get('stock.scan.session')
        for shipment in shipments:
            if not qc_warehouse(shipment.warehouse):
                continue
            for move in shipment.inventory_moves:
                if move.lot and move.lot.qc_state == 'hold':
                    raise QCError(gettext(
                            'factory_stock_ext.msg_qc_lot_on_hold',
                            lot=move.lot.rec_name,
                            product=move.product.rec_name,
                            location=move.from_location.rec_name))
        # Put-away of a received shipment (receive() calls do() directly
        # when there is no put-away step)
        Session.check_scanned(
            [s for s in shipments if s.warehouse_input != s.warehouse_storage],
            'putaway')
        return super().do(shipments)


class ShipmentInternal(metaclass=PoolMeta):
    __name__ = 'stock.shipment.internal'

    @classmethod
    @ModelView.button
    def ship(cls, shipments):
        Pool().get('stock.scan.session').check_scanned(
            shipments, 'transfer_out')
        return super().ship(shipments)

    @classmethod
    @ModelView.button
    def do(cls, shipments):
        Session = Pool().get('stock.scan.session')
        Session.check_scanned(
            [s for s in shipments if s.transit_location], 'transfer_in')
        Session.check_scanned(
            [s for s in shipments if not s.transit_location], 'transfer_out')
        return super().do(shipments)


class ShipmentOut(metaclass=PoolMeta):
    __name__ = 'stock.shipment.out'

    @classmethod
    @ModelView.button
    def pack(cls, shipments):
        Pool().get('stock.scan.session').check_scanned(shipments, 'delivery')
        return super().pack(shipments)
