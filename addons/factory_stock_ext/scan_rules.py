# This file is part of factory_stock_ext.  What a scan session expects from
# its document and how one scan is checked against it (no ORM model here).
import datetime as dt

from trytond.i18n import gettext
from trytond.pool import Pool

from .exceptions_scan import scan_error

EPSILON = 1e-9
# kind: (document model, document states that accept scans, moves getter,
#        side of the move that is scanned)
KIND_RULES = {
    'receipt': ('stock.shipment.in', {'draft'},
        lambda d: d.incoming_moves, 'to_location'),
    'putaway': ('stock.shipment.in', {'received'},
        lambda d: d.inventory_moves, 'to_location'),
    'issue': ('production', {'draft', 'waiting', 'assigned'},
        lambda d: d.inputs, 'from_location'),
    'transfer_out': ('stock.shipment.internal',
        {'draft', 'waiting', 'assigned', 'packed'},
        lambda d: d.outgoing_moves, 'from_location'),
    'transfer_in': ('stock.shipment.internal', {'shipped'},
        lambda d: d.incoming_moves, 'to_location'),
    'delivery': ('stock.shipment.out', {'waiting', 'assigned', 'picked'},
        lambda d: d.inventory_moves or d.outgoing_moves, 'from_location'),
    }


def default_kind(document):
    "The kind of scanning a document needs in its current state"
    for kind, (model, states, _, _) in KIND_RULES.items():
        if document.__name__ == model and document.state in states:
            return kind


class ScanChecker:
    "Compare scans with the moves of the session's document"

    def __init__(self, session):
        self.session = session
        self.document = session.document
        self.kind = session.kind
        model, self.states, getter, self.side_name = KIND_RULES[self.kind]
        self._getter = getter
        self._moves = None

    @property
    def moves(self):
        "Every expected move of the document (for completion and progress)"
        if self._moves is None:
            self._moves = [m for m in self._getter(self.document)
                if m.state != 'cancelled']
        return self._moves

    def moves_for(self, product):
        """Expected moves of one product: a direct search instead of the
        document's function fields, which read and sort every move (the hot
        path of each scan)"""
        Move = Pool().get('stock.move')
        if self.kind == 'issue':
            domain = [('production_input', '=', self.document.id)]
        else:
            domain = [('shipment', '=', str(self.document))]
        moves = Move.search(domain + [('product', '=', product.id),
                ('state', '!=', 'cancelled')], order=[('id', 'ASC')])
        return [m for m in moves if self._expected(m)]

    def _expected(self, move):
        "Same selection as the document's incoming/inventory/… moves"
        d = self.document
        if self.kind == 'receipt':
            return move.from_location.type == 'supplier'
        elif self.kind == 'putaway':
            return move.from_location == d.warehouse_input
        elif self.kind == 'transfer_out':
            return (not d.transit_location
                or move.to_location == d.transit_location)
        elif self.kind == 'transfer_in':
            return move.from_location == d.transit_location
        elif self.kind == 'delivery':
            if d.warehouse_output != d.warehouse_storage:
                return move.to_location == d.warehouse_output
            return move.to_location == d.customer_location
        return True

    @staticmethod
    def warehouse_of(document, kind):
        if document.__name__ == 'stock.shipment.internal':
            location = (document.to_location if kind == 'transfer_in'
                else document.from_location)
            return location.warehouse
        return document.warehouse

    def side(self, move):
        return getattr(move, self.side_name)

    def due(self, move):
        "Quantity that may be scanned for the move (issue: BOM + tolerance)"
        if self.kind == 'issue':
            warehouse = self.document.warehouse
            tolerance = (warehouse.issue_tolerance or 0) if warehouse else 0
            return move.quantity * (1 + tolerance / 100)
        return move.quantity

    def covered(self):
        Line = Pool().get('stock.scan.line')
        return Line.covered([m.id for m in self.moves])

    def missing(self):
        covered = self.covered()
        return [(m, m.quantity - covered.get(m.id, 0)) for m in self.moves
            if covered.get(m.id, 0) < m.quantity - EPSILON]

    def _resolve(self, code, lot):
        "Return (product, lot, lot_number_to_create) for the scanned code"
        pool = Pool()
        Lot = pool.get('stock.lot')
        Product = pool.get('product.product')
        Identifier = pool.get('product.identifier')
        product = lot_record = None
        # A lot number always resolves to the lot's own product
        lots = Lot.search([('number', '=', code)])
        if lots:
            if len(lots) > 1:
                products = {m.product for m in self.moves}
                lots.sort(key=lambda l: l.product not in products)
            lot_record = lots[0]
            product = lot_record.product
        else:
            identifiers = Identifier.search([('code', '=', code)], limit=1)
            if identifiers:
                product = identifiers[0].product
            else:
                found = Product.search([('code', '=', code)], limit=1)
                product = found[0] if found else None
        if not product or lot in {None, ''}:
            return product, lot_record, None
        if isinstance(lot, str):
            found = Lot.search(
                [('number', '=', lot), ('product', '=', product.id)], limit=1)
            if found:
                lot = found[0]
            elif self.kind == 'receipt' and not lot_record:
                return product, None, lot
            else:
                return product, False, None
        else:
            lot = Lot(int(lot))
        if lot.product != product or (lot_record and lot_record != lot):
            return product, False, None
        return product, lot, None

    def _lot_refusal(self, lot, move):
        if not lot:
            return None
        expiration = getattr(lot, 'expiration_date', None)
        if expiration and expiration < dt.date.today():
            return 'lot_expired'
        if self.kind == 'receipt':
            return None
        rejected = self.document.warehouse.rejected_location \
            if self.kind == 'putaway' else None
        if lot.qc_state == 'hold' or (lot.qc_state == 'rejected'
                and not (rejected and move.to_location == rejected)):
            return 'lot_on_hold'

    def check(self, code, quantity, location=None, lot=None):
        "Return the values of the scan line: result, message, move, …"
        pool = Pool()
        Location = pool.get('stock.location')
        Lot = pool.get('stock.lot')
        if self.document.state not in self.states:
            raise scan_error('document_closed',
                document=self.document.rec_name)
        if isinstance(location, int):
            location = Location(location)
        product, lot, new_lot = self._resolve(code, lot)
        values = {'product': product.id if product else None,
            'lot': lot.id if lot else None,
            'location': location.id if location else None}
        names = {'code': code, 'quantity': quantity,
            'document': self.document.rec_name,
            'product': product.rec_name if product else '',
            'lot': lot.rec_name if lot else (new_lot or ''),
            'location': location.rec_name if location else ''}

        def refuse(result, move=None, **extra):
            values.update(result=result,
                move=move.id if move else None,
                message=gettext('factory_stock_ext.msg_scan_%s' % result,
                    **{**names, **extra}))
            return values

        if not product:
            return refuse('unknown_code')
        candidates = self.moves_for(product)
        if not candidates:
            return refuse('wrong_product')
        if lot is False:
            return refuse('wrong_lot', candidates[0])
        candidates = [m for m in candidates if not m.lot or m.lot == lot]
        if not candidates:
            return refuse('wrong_lot', None)
        refusal = self._lot_refusal(lot, candidates[0])
        if refusal:
            return refuse(refusal, candidates[0])
        if location:
            children = {}
            for move in candidates:
                side = self.side(move)
                if side.id not in children:
                    children[side.id] = {l.id for l in Location.search(
                            [('parent', 'child_of', [side.id])])}
            in_place = [m for m in candidates
                if location.id in children[self.side(m).id]]
            if not in_place:
                move = candidates[0]
                return refuse('wrong_location', move,
                    expected=self.side(move).rec_name)
            candidates = in_place
        covered = Pool().get('stock.scan.line').covered(
            [m.id for m in candidates])
        if quantity is None:
            # Returns check the goods only; the caller checks the quantity
            candidates = candidates[:1]
            covered = {candidates[0].id: float('-inf')}
        for move in candidates:
            remaining = self.due(move) - covered.get(move.id, 0)
            if (quantity or 0) <= remaining + EPSILON:
                break
        else:
            move = candidates[0]
            remaining = max(
                sum(self.due(m) - covered.get(m.id, 0) for m in candidates),
                0)
            return refuse('over_quantity', move, remaining=remaining)
        if new_lot:
            # Receipt of a new supplier lot: created once, then found by number
            lot, = Lot.create([{'number': new_lot, 'product': product.id}])
            values['lot'] = lot.id
        values.update(result='accepted', move=move.id,
            location=(location or self.side(move)).id,
            message=gettext('factory_stock_ext.msg_scan_accepted', **names))
        return values

    def apply(self):
        """Write what the scans established on the moves: the scanned lot,
        the scanned bin and an approved over-issue quantity."""
        pool = Pool()
        Move = pool.get('stock.move')
        Line = pool.get('stock.scan.line')
        lines = Line.search([('move', 'in', [m.id for m in self.moves]),
                ('result', 'in', ['accepted', 'approved'])])
        by_move = {}
        for line in lines:
            by_move.setdefault(line.move, []).append(line)
        for move, move_lines in by_move.items():
            if move.state not in {'draft', 'assigned'}:
                continue
            values = {}
            lots = {l.lot for l in move_lines}
            if len(lots) == 1 and None not in lots and not move.lot:
                values['lot'] = lots.pop().id
            bins = {l.location for l in move_lines}
            if (len(bins) == 1 and self.kind in {'putaway', 'issue',
                        'transfer_in'} and bins != {self.side(move)}):
                values[self.side_name] = bins.pop().id
            scanned = sum(l.quantity for l in move_lines)
            # The scanned issue (approved excess, or less after returns and
            # a supervisor override) is what production really consumes
            if (self.kind == 'issue' and scanned > EPSILON
                    and abs(scanned - move.quantity) > EPSILON):
                values['quantity'] = scanned
            if values:
                if move.state == 'assigned':
                    Move.draft([move])
                Move.write([move], values)
