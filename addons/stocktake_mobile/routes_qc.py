"""QC flow of the handheld page: the lots on QC hold, a scanned lot (its
number or a GS1 label carrying it) and the decision on it: pass, fail or a
partial pass with its reason.  The rules (QC group, four eyes, pending
inspections, quantities, the moves to storage and to the rejected location)
are factory_stock_ext's `stock.lot.qc_decide`; here the lot is found under
the user's access rights and the decision is handed over.  Served by the
same HTTP API layer and device key as the rest of the page."""
from trytond.modules.factory_stock_ext import http_api, inputs
from trytond.modules.factory_stock_ext.exceptions_label import GS1Error
from trytond.transaction import without_check_access

from .exceptions import StocktakeError
from .routes import API, COUNTING

# A handheld shows a short list; the longest held first
MAX_LOTS = 100
DECISIONS = {'pass', 'fail', 'partial'}
NOT_FOUND = {'qc_lot_unknown': 404}


def _lot_json(lot):
    with without_check_access():
        # The held moves are stock moves, which a QC inspector may not read
        held = lot.qc_held_quantity() if lot.qc_state == 'hold' else 0
    product = lot.product
    return {'id': lot.id, 'number': lot.number,
        'product': {'id': product.id, 'code': product.code,
            'name': product.name},
        'qc_state': lot.qc_state, 'held_quantity': held,
        'unit': product.default_uom.symbol,
        'hold_reason': lot.qc_hold_reason,
        'hold_date': lot.qc_hold_date.isoformat()
        if lot.qc_hold_date else None,
        'expiration_date': lot.expiration_date.isoformat()
        if lot.expiration_date else None,
        'decision_reason': lot.qc_decision_reason}


def _find_lot(pool, code):
    """The lot of a scanned code, as the user may read it: a lot number
    (the one on hold when several products share it) or a GS1 label"""
    Lot = pool.get('stock.lot')
    GS1 = pool.get('stock.gs1')
    lots = Lot.search([('number', '=', code)], order=[('id', 'ASC')])
    held = [l for l in lots if l.qc_state == 'hold']
    if len(held) == 1 or (len(lots) == 1 and not held):
        return (held or lots)[0]
    if not lots:
        try:
            label = GS1.parse(code)
        except GS1Error:
            label = None
        if label and label['lot_id']:
            found = Lot.search([('id', '=', label['lot_id'])], limit=1)
            if found:
                return found[0]
    raise StocktakeError('msg_qc_lot_unknown', code=code)


@http_api.route(API + 'qc/lots', ['GET'], COUNTING, readonly=True)
def held_lots(request, pool, data):
    "The lots on QC hold the user may read, the longest held first"
    Lot = pool.get('stock.lot')
    return [_lot_json(l) for l in Lot.search([('qc_state', '=', 'hold')],
            order=[('qc_hold_date', 'ASC NULLS FIRST'), ('id', 'ASC')],
            limit=MAX_LOTS)]


@http_api.route(API + 'qc/lot', ['POST'], COUNTING, readonly=True,
    statuses=NOT_FOUND)
def lot(request, pool, data):
    "{code}: the scanned lot with its QC state and held quantity"
    code = inputs.text(data.get('code'), 'code', required=True,
        barcode=True)
    return _lot_json(_find_lot(pool, code))


@http_api.route(API + 'qc/decide', ['POST'], COUNTING, statuses=NOT_FOUND)
def decide(request, pool, data):
    """{lot, decision: pass|fail|partial, quantity (partial), reason}: the
    lot decided by its QC workflow; a pass lets the lot's inspections
    decide, as the Release button does"""
    Lot = pool.get('stock.lot')
    lot_id = http_api.record_id(data, 'lot', required=True)
    decision = http_api.text(data, 'decision', required=True)
    if decision not in DECISIONS:
        http_api.invalid('decision')
    reason = http_api.text(data, 'reason', required=decision != 'pass')
    quantity = http_api.number(data, 'quantity',
        required=decision == 'partial')
    lots = Lot.search([('id', '=', lot_id)], limit=1)
    if not lots:
        raise StocktakeError('msg_qc_lot_unknown', code=str(lot_id))
    accepted = {'pass': None, 'fail': 0, 'partial': quantity}[decision]
    # The lot's workflow checks the QC group and its rules itself; its
    # writes are the workflow's own (as from the Partial Pass wizard)
    with without_check_access():
        lots[0].qc_decide(accepted=accepted, reason=reason or None)
    return _lot_json(Lot(lot_id))
