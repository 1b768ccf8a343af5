# This file is part of factory_stock_ext.  What a handheld needs to scan a
# document: the open documents of a kind in the user's company, and one
# document's expected lines with what was scanned and what remains, and its
# finish (document_finish.py).  Read with the user's access rights and record
# rules (http_api.route runs under check_access): a document the user may not
# read is unknown.
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from . import document_finish, http_api
from .exceptions_scan import scan_error
from .scan import KINDS
from .scan_rules import KIND_RULES, ScanChecker

# A handheld shows a short list; the oldest planned first
MAX_DOCUMENTS = 100
# Warnings a Finish may confirm at once (each answer names one)
MAX_CONFIRM = 10


def may_scan(kind):
    "Whether the user may read the documents of the kind and scan them"
    ModelAccess = Pool().get('ir.model.access')
    return (ModelAccess.check(KIND_RULES[kind][0], 'read',
            raise_exception=False)
        and ModelAccess.check('stock.scan.line', 'create',
            raise_exception=False))


def kinds():
    "The kinds of scanning the user may do, in the order of KINDS"
    return [kind for kind, _ in KINDS if may_scan(kind)]


def _kind(value):
    if value not in KIND_RULES:
        raise scan_error('invalid_kind', kind=str(value)[:40])
    return value


def _detail(document):
    "Who or what the document is about, as a clerk recognises it"
    name = document.__name__
    if name == 'stock.shipment.in':
        return document.supplier.rec_name if document.supplier else ''
    if name == 'stock.shipment.out':
        return document.customer.rec_name if document.customer else ''
    if name == 'stock.shipment.internal':
        return '%s → %s' % (document.from_location.rec_name,
            document.to_location.rec_name)
    return document.product.rec_name if document.product else ''


def _document_json(document):
    date = document.planned_date
    return {'document': str(document), 'name': document.rec_name,
        'reference': getattr(document, 'reference', None) or None,
        'detail': _detail(document), 'state': document.state,
        'date': date.isoformat() if date else None}


def open_documents(kind):
    "The documents of the user's company a scan of the kind is open on"
    model, states, _, _ = KIND_RULES[_kind(kind)]
    Model = Pool().get(model)
    company = Transaction().context.get('company')
    return Model.search([('state', 'in', sorted(states)),
            ('company', '=', company)],
        order=[('planned_date', 'ASC NULLS FIRST'), ('id', 'ASC')],
        limit=MAX_DOCUMENTS)


def readable_document(reference, kind):
    "The document 'model,id' if the user may read it, else unknown_document"
    Session = Pool().get('stock.scan.session')
    document = Session.scanned_document(reference)
    if KIND_RULES[_kind(kind)][0] != document.__name__:
        raise scan_error('invalid_kind', kind=kind)
    found = document.__class__.search([('id', '=', document.id)], limit=1)
    if not found:
        raise scan_error('unknown_document', document=reference[:80])
    return found[0]


def _record_json(record, name='name'):
    return {'id': record.id, 'code': getattr(record, 'code', None),
        'name': getattr(record, name)} if record else None


def expected_lines(document, kind):
    """The moves a scan of the kind expects, with their scanned and
    remaining quantities (as the scan rules count them: every session);
    put-away lines with the bin proposed"""
    Session = Pool().get('stock.scan.session')
    checker = ScanChecker(Session(document=document, kind=kind))
    covered = checker.covered()
    picks = _picks(document) if kind == 'delivery' else {}
    lines = []
    # In the order the lines were entered on the document
    for move in sorted(checker.moves, key=lambda m: m.id):
        scanned = covered.get(move.id, 0)
        side = checker.side(move)
        lines.append({'move': move.id,
                'product': _record_json(move.product),
                'lot': move.lot.number if move.lot else None,
                'location': _record_json(side),
                'quantity': move.quantity,
                'due': checker.due(move.quantity),
                'scanned': scanned,
                'remaining': max(move.quantity - scanned, 0),
                'unit': move.unit.symbol})
        if kind == 'putaway':
            lines[-1]['proposed'] = _proposal_json(move)
        if kind == 'delivery':
            lines[-1]['picks'] = picks.get(move.id, [])
    return lines


def _picks(shipment):
    """{move id: [{lot, location, quantity, expiration_date}]}: the lots and
    bins to pick from, FEFO then FIFO (picking.py suggest_lots)"""
    pool = Pool()
    Lot = pool.get('stock.lot')
    Location = pool.get('stock.location')
    picks = {}
    suggested = shipment.__class__.suggest_lots([shipment])[shipment.id]
    for pick in suggested:
        expiry = pick['expiration_date']
        picks.setdefault(pick['move'], []).append({
                'lot': Lot(pick['lot']).number,
                'location': _record_json(Location(pick['location'])),
                'quantity': pick['quantity'],
                'expiration_date': expiry.isoformat() if expiry else None})
    return picks


def _proposal_json(move):
    "The bin proposed for a put-away move (putaway.py), None if none"
    Location = Pool().get('stock.location')
    proposal = Location.propose_putaway_move(move)
    if not proposal or not proposal['location']:
        return None
    return {'location': _record_json(Location(proposal['location'])),
        'reason': proposal['reason'], 'message': proposal['message']}


def documents(request, pool, data):
    "GET documents?kind=…: the open documents of the kind"
    return [_document_json(d)
        for d in open_documents(request.args.get('kind'))]


def document(request, pool, data):
    """GET document?document=model,id&kind=…: the document, its expected
    lines and the user's open sessions on it (the latest first)"""
    Session = pool.get('stock.scan.session')
    kind = _kind(request.args.get('kind'))
    reference = http_api.text(dict(request.args), 'document', required=True)
    record = readable_document(reference, kind)
    sessions = Session.search([('document', '=', str(record)),
            ('kind', '=', kind), ('state', '=', 'open'),
            ('user', '=', Transaction().user)], order=[('id', 'DESC')])
    return dict(_document_json(record), kind=kind,
        sessions=[s.id for s in sessions],
        lines=expected_lines(record, kind))


def _confirmed(data):
    """The warnings the user confirmed ({"confirm": [name, …]}, names of
    earlier `warning` answers): skipped once each, as the desktop client
    does when its user says yes"""
    names = data.get('confirm') or []
    if not isinstance(names, list) or len(names) > MAX_CONFIRM:
        http_api.invalid('confirm')
    names = [http_api.text({'confirm': n}, 'confirm', required=True)
        for n in names]
    if names:
        Warning = Pool().get('res.user.warning')
        user = Transaction().user
        with without_check_access():
            Warning.create([{'user': user, 'name': n, 'always': False}
                    for n in names])


def finish(request, pool, data):
    """POST finish {document, kind, confirm}: the document taken through
    the transitions of the kind (document_finish.py) once its scans are
    complete; answers its new state, or a `warning` to confirm"""
    Session = pool.get('stock.scan.session')
    kind = _kind(http_api.text(data, 'kind', required=True))
    _confirmed(data)
    reference = http_api.text(data, 'document', required=True)
    record = readable_document(reference, kind)
    if record.state not in KIND_RULES[kind][1]:
        raise scan_error('document_closed', document=record.rec_name)
    if Session.search([('document', '=', str(record)), ('kind', '=', kind),
                ('state', '=', 'open')], limit=1):
        raise scan_error('finish_open_session', document=record.rec_name)
    record = document_finish.finish(record, kind)
    return {'document': str(record), 'state': record.state}


def kinds_route(request, pool, data):
    "GET kinds: the kinds of scanning the user may do"
    return kinds()


def mount(prefix, application):
    """Serve these endpoints under prefix to keys of application: the
    read-only ones, and finish"""
    for name, func in [('documents', documents), ('document', document),
            ('kinds', kinds_route)]:
        http_api.route(prefix + name, ['GET'], application, readonly=True,
            statuses={'unknown_document': 404})(func)
    http_api.route(prefix + 'finish', ['POST'], application,
        statuses={'unknown_document': 404, 'finish_access': 403})(finish)
