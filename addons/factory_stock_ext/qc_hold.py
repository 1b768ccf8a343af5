# This file is part of factory_stock_ext.  QC hold on every move: stock in
# the QC location of a QC warehouse leaves it only as a QC decision says,
# whatever the document (the receipt's own check and the scan rules only
# cover their documents).
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta

from .exceptions_scan import QCError


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    def assign(cls, moves):
        cls.check_qc_hold(moves)
        super().assign(moves)

    @classmethod
    def do(cls, moves):
        cls.check_qc_hold(moves)
        super().do(moves)

    @classmethod
    def check_qc_hold(cls, moves):
        """Refuse moves out of a QC location of a lot on hold, of a rejected
        lot elsewhere than to the rejected location, or without a lot"""
        Location = Pool().get('stock.location')
        # A count's variance (to lost and found) records what is there; it
        # carries no goods away
        leaving = [m for m in moves if m.from_location
            and m.from_location.type == 'storage'
            and m.from_location != m.to_location
            and not (m.to_location and m.to_location.type == 'lost_found')]
        if not leaving:
            return
        # Few warehouses: one search, then nested-set bounds in Python
        warehouses = Location.search([
                ('type', '=', 'warehouse'),
                ('qc_required', '=', True),
                ('qc_location', '!=', None),
                ])
        for move in leaving:
            location = move.from_location
            for warehouse in warehouses:
                qc = warehouse.qc_location
                if qc.left <= location.left and location.right <= qc.right:
                    cls._check_qc_decision(move, warehouse)

    @staticmethod
    def _check_qc_decision(move, warehouse):
        rejected = warehouse.rejected_location
        to = move.to_location
        to_rejected = bool(rejected and to
            and rejected.left <= to.left and to.right <= rejected.right)
        lot = move.lot
        if not lot:
            raise QCError(gettext('factory_stock_ext.msg_qc_move_lot_required',
                    product=move.product.rec_name,
                    location=move.from_location.rec_name))
        if lot.qc_state == 'hold':
            raise QCError(gettext('factory_stock_ext.msg_qc_move_on_hold',
                    lot=lot.rec_name, product=move.product.rec_name,
                    location=move.from_location.rec_name,
                    to_location=to.rec_name if to else ''))
        if lot.qc_state == 'rejected' and not to_rejected:
            raise QCError(gettext('factory_stock_ext.msg_qc_move_rejected',
                    lot=lot.rec_name, product=move.product.rec_name,
                    location=move.from_location.rec_name,
                    rejected=rejected.rec_name if rejected else ''))
