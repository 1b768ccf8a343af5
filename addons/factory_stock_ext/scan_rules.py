# This file is part of factory_stock_ext.  What a scan session expects from
# its document and how one scan is checked against it (no ORM model here).
import datetime as dt

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from . import gs1, scan_sql
from .exceptions_label import GS1Error
from .exceptions_scan import LotNumberWarning, scan_error

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


def default_kind(document, state=None):
    "The kind of scanning a document needs in its (given) current state"
    state = state or document.state
    for kind, (model, states, _, _) in KIND_RULES.items():
        if document.__name__ == model and state in states:
            return kind


def kinds_of(document):
    "{kind: document states} of the kinds of scanning of the document"
    return {kind: states for kind, (model, states, _, _) in KIND_RULES.items()
        if model == document.__name__}


class ScanChecker:
    "Compare scans with the moves of the session's document"

    def __init__(self, session):
        self.session = session
        self.document = session.document
        self.kind = session.kind
        model, self.states, getter, self.side_name = KIND_RULES[self.kind]
        self._getter = getter
        self._moves = None
        self.product_name = None  # (code, template id, name) of the scan
        self.label = self.label_error = None  # gs1.Label of the scan
        self.lot_number = None  # number of a lot given by id

    @property
    def moves(self):
        "Every expected move of the document (for completion and progress)"
        if self._moves is None:
            self._moves = [m for m in self._getter(self.document)
                if m.state != 'cancelled']
        return self._moves

    def moves_for(self, product_id):
        """Expected moves of one product with their counted quantity, in one
        SQL query (the hot path of each scan)"""
        return [m for m in scan_sql.moves(self.kind, self.document,
                product_id, self.side_name) if self._expected(m)]

    def _expected(self, move):
        "Same selection as the document's incoming/inventory/… moves"
        if self.kind == 'receipt':
            return move['from_type'] == 'supplier'
        elif self.kind == 'issue':
            return True
        d = self.document
        if self.kind == 'putaway':
            return move['from_location'] == d.warehouse_input.id
        elif self.kind == 'transfer_out':
            return (not d.transit_location
                or move['to_location'] == d.transit_location.id)
        elif self.kind == 'transfer_in':
            return move['from_location'] == getattr(
                d.transit_location, 'id', None)
        elif self.kind == 'delivery':
            if d.warehouse_output != d.warehouse_storage:
                return move['to_location'] == d.warehouse_output.id
            return move['to_location'] == d.customer_location.id
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

    def due(self, quantity):
        "Quantity that may be scanned for a move (issue: BOM + tolerance)"
        if self.kind == 'issue':
            warehouse = self.document.warehouse
            tolerance = (warehouse.issue_tolerance or 0) if warehouse else 0
            return quantity * (1 + tolerance / 100)
        return quantity

    def covered(self):
        Line = Pool().get('stock.scan.line')
        return Line.covered([m.id for m in self.moves])

    def missing(self):
        covered = self.covered()
        return [(m, m.quantity - covered.get(m.id, 0)) for m in self.moves
            if covered.get(m.id, 0) < m.quantity - EPSILON]

    def _resolve(self, code, lot):
        """Return (product id, lot row, lot number to create) for the scanned
        code; lot row is False when the given lot does not match.  A lot
        row is (id, product, number, expiration date, QC state)."""
        rows = scan_sql.resolve_code(code)
        if not rows:
            rows, lot = self._resolve_label(code, lot)
        if not rows:
            return None, None, None
        if len(rows) > 1:
            # Same number for several products: prefer one of the document
            products = {m.product.id for m in self.moves}
            rows.sort(key=lambda r: r[1] not in products)
        lot_record = rows[0][:5] if rows[0][0] else None
        product_id = rows[0][1]
        self.product_name = rows[0][5]
        if lot in {None, ''}:
            return product_id, lot_record, None
        if isinstance(lot, str):
            found = scan_sql.lot_row(product_id, number=lot)
            if not found:
                if self.kind == 'receipt' and not lot_record:
                    self._confirm_new_lot(product_id, lot)
                    return product_id, None, lot
                return product_id, False, None
        else:
            found = scan_sql.lot_row(product_id, lot_id=int(lot))
            # Named in a refusal: the id alone tells the clerk nothing
            self.lot_number = found[2] if found else str(lot)
        if (not found or found[1] != product_id
                or (lot_record and lot_record[0] != found[0])):
            return product_id, False, None
        return product_id, found, None

    def _resolve_label(self, code, lot):
        """(rows as scan_sql.resolve_code, lot) of a GS1 label: its product,
        and its lot unless the scan names one; a named lot that is not the
        label's is refused as a wrong lot (lot id 0 is never found)"""
        try:
            self.label = gs1.decode(code)
        except GS1Error as error:
            self.label_error = error.message
        rows = [(None, p, None, None, None, n)
            for p, n in gs1.product_rows(self.label)]
        if rows and self.label.lot:
            if lot in {None, ''}:
                lot = self.label.lot
            elif isinstance(lot, str) and lot != self.label.lot:
                lot = 0
        return rows, lot

    def _confirm_new_lot(self, product_id, number):
        """Ask the clerk to confirm a new lot whose number is already a lot
        of another product (a mix-up of labels more often than a supplier
        reusing numbers); nothing is written until confirmed"""
        pool = Pool()
        Lot = pool.get('stock.lot')
        Product = pool.get('product.product')
        Warning = pool.get('res.user.warning')
        if Transaction().readonly:
            return
        others = Lot.search([
                ('number', '=', number),
                ('product', '!=', product_id),
                ], order=[('id', 'ASC')], limit=1)
        if not others:
            return
        other, = others
        product = Product(product_id)
        key = Warning.format('scan_lot_other_product', [other, product])
        if Warning.check(key):
            raise LotNumberWarning(key, gettext(
                    'factory_stock_ext.msg_scan_lot_other_product',
                    lot=number, other=other.product.rec_name,
                    product=product.rec_name,
                    document=self.document.rec_name))

    def _new_lot(self, product_id, number):
        "A lot met for the first time on receipt, with its label's expiry"
        Lot = Pool().get('stock.lot')
        values = {'number': number, 'product': product_id}
        if self.label and self.label.expiration_date:
            values['expiration_date'] = self.label.expiration_date
        lot, = Lot.create([values])
        return lot.id

    def _lot_refusal(self, lot, move):
        if not lot:
            return None
        _, _, _, expiration, qc_state = lot
        if expiration and expiration < dt.date.today():
            return 'lot_expired'
        if self.kind == 'receipt':
            return None
        rejected = self.document.warehouse.rejected_location \
            if self.kind == 'putaway' else None
        if qc_state == 'hold' or (qc_state == 'rejected'
                and not (rejected and move['to_location'] == rejected.id)):
            return 'lot_on_hold'

    def _putaway_bin(self, move, location):
        """The name of the proposed bin when a put-away scan is not in it
        and the warehouse puts away to the proposed bin only (putaway.py)"""
        if (self.kind != 'putaway'
                or not self.document.warehouse.putaway_strict):
            return None
        pool = Pool()
        Location = pool.get('stock.location')
        expected = Location.putaway_bin_expected(
            pool.get('stock.move')(move['id']), location[0])
        return expected.rec_name if expected else None

    def _location(self, location):
        "scan_sql.location_row of the scanned location (a record or an id)"
        if location is None or isinstance(location, tuple):
            return location
        return scan_sql.location_row(location_id=int(location))

    def check(self, code, quantity, location=None, lot=None, state=None,
            returning=False):
        """Return the values of the scan line: result, message, move, …

        `state` is the document state when the caller has just read it
        (under the document lock); `location` a record, an id or the
        row of scan_sql.location_row.  `returning` checks goods coming back
        from a done production: any document state, any lot state."""
        if state is None:
            state = self.document.state
        if state not in self.states and not returning:
            raise scan_error('document_closed',
                document=self.document.rec_name)
        location = self._location(location)
        given = lot if isinstance(lot, str) else ''
        product_id, lot, new_lot = self._resolve(code, lot)
        values = {'product': product_id, 'lot': lot[0] if lot else None,
            'location': location[0] if location else None}
        label = self.label
        if label:
            given = given or label.lot or ''
            if label.quantity and quantity is not None:
                # A GS1 label (AI 30/37) says how much it marks
                quantity = values['quantity'] = label.quantity
        names = {'code': code, 'quantity': quantity,
            'lot': lot[2] if lot else (new_lot or given
                or self.lot_number or '')}

        def name_values(*extra):
            "Names for the message, read only when the message needs them"
            if 'product' not in names:
                names['product'] = scan_sql.rec_name('product.template,name',
                    self.product_name) if product_id else ''
                names['location'] = scan_sql.rec_name('stock.location,name',
                    location[3]) if location else ''
            if 'document' in extra:
                names['document'] = self.document.rec_name
            return names

        def refuse(result, move=None, **extra):
            values.update(result=result,
                move=move['id'] if move else None,
                message=gettext('factory_stock_ext.msg_scan_%s' % result,
                    **{**name_values('document'), **extra}))
            return values

        if not product_id:
            refuse('unknown_code')
            values['message'] = self.label_error or values['message']
            return values
        candidates = self.moves_for(product_id)
        if not candidates:
            return refuse('wrong_product')
        if lot is False:
            return refuse('wrong_lot', candidates[0])
        candidates = [m for m in candidates
            if not m['lot'] or (lot and m['lot'] == lot[0])]
        if not candidates:
            return refuse('wrong_lot', None)
        if new_lot:
            lot = (None, product_id, new_lot,
                label.expiration_date if label else None, 'none')
        refusal = not returning and self._lot_refusal(lot, candidates[0])
        if refusal:
            return refuse(refusal, candidates[0])
        if location:
            # Nested sets: the location is the move's side or below it
            _, left, right, _ = location
            in_place = [m for m in candidates
                if m['side_left'] <= left and right <= m['side_right']]
            if not in_place:
                move = candidates[0]
                return refuse('wrong_location', move,
                    expected=scan_sql.location_name(move['side']))
            candidates = in_place
            expected = self._putaway_bin(candidates[0], location)
            if expected:
                return refuse('wrong_location', candidates[0],
                    expected=expected)
        if quantity is None:
            # Returns check the goods only; the caller checks the quantity
            candidates = candidates[:1]
            candidates[0]['covered'] = float('-inf')
        for move in candidates:
            remaining = self.due(move['quantity']) - move['covered']
            if (quantity or 0) <= remaining + EPSILON:
                break
        else:
            move = candidates[0]
            remaining = max(sum(self.due(m['quantity']) - m['covered']
                    for m in candidates), 0)
            return refuse('over_quantity', move, remaining=remaining)
        if new_lot and not Transaction().readonly:
            # Receipt of a new supplier lot: created once, then found by
            # number (not by the form's preview: it is checked again saved)
            values['lot'] = self._new_lot(product_id, new_lot)
        if not location:
            location = scan_sql.location_row(move['side'])
        values.update(result='accepted', move=move['id'],
            location=location[0])
        values['message'] = gettext('factory_stock_ext.msg_scan_accepted',
            **name_values())
        return values

    def _split_lots(self, move, lines):
        """Split a move scanned with several lots: each lot after the first
        gets a copy of the move with its scanned quantity (and its scan
        lines); return the first lot, which stays on the move with the
        rest of the quantity.  Copies, as Lot.qc_decide splits moves."""
        pool = Pool()
        Move = pool.get('stock.move')
        Line = pool.get('stock.scan.line')
        by_lot = {}
        for line in sorted(lines, key=lambda l: l.id):
            by_lot.setdefault(line.lot, []).append(line)
        first, *others = by_lot
        if move.state == 'assigned':
            Move.draft([move])
        moved = 0
        for lot in others:
            quantity = sum(l.quantity for l in by_lot[lot])
            copy, = Move.copy([move], default={
                    'lot': lot.id, 'quantity': quantity})
            # The log follows the goods: coverage stays right per move
            with without_check_access():
                Line.write(by_lot[lot], {'move': copy.id})
            moved += quantity
        Move.write([move], {'quantity': move.quantity - moved})
        self._split[move.id] = moved
        return first

    def apply(self):
        """Write what the scans established on the moves: the scanned lot,
        the scanned bin and an approved over-issue quantity."""
        pool = Pool()
        Move = pool.get('stock.move')
        Line = pool.get('stock.scan.line')
        lines = Line.search([('move', 'in', [m.id for m in self.moves]),
                ('result', 'in', ['accepted', 'approved'])])
        self._split = {}  # move id: quantity split off to other lots
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
            elif len(lots) > 1 and None not in lots and not move.lot:
                values['lot'] = self._split_lots(move, move_lines).id
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
                if 'quantity' in values and move.id in self._split:
                    values['quantity'] -= self._split[move.id]
                Move.write([move], values)
