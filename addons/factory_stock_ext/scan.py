# This file is part of factory_stock_ext.  Scan sessions: every physical
# movement of a document is checked by scans; refusals are logged as lines.
import datetime as dt
import uuid

from sql import Null
from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import scan_sql
from .exceptions_scan import check_group, scan_error
from .scan_rules import ScanChecker, default_kind, kinds_of

KINDS = [
    ('receipt', "Supplier Receipt"),
    ('putaway', "Put-away"),
    ('issue', "Production Issue"),
    ('transfer_out', "Transfer Out"),
    ('transfer_in', "Transfer In"),
    ('delivery', "Customer Delivery"),
    ]
# Results that count towards the document; the others are logged refusals
COUNTED = ('accepted', 'approved')
RESULTS = [
    ('accepted', "Accepted"),
    ('approved', "Approved by Supervisor"),
    ('override', "Completion Override"),
    ('unknown_code', "Unknown Code"),
    ('wrong_product', "Wrong Product"),
    ('wrong_lot', "Wrong Lot"),
    ('lot_expired', "Expired Lot"),
    ('lot_on_hold', "Lot on QC Hold"),
    ('over_quantity', "Quantity Beyond Due"),
    ('wrong_location', "Wrong Location"),
    ]
# A supervisor may approve these refusals; never a QC hold or wrong goods
APPROVABLE = ('over_quantity', 'wrong_location')


class Location(metaclass=PoolMeta):
    __name__ = 'stock.location'

    scan_required = fields.Boolean(
        "Scan Required",
        states={'invisible': Eval('type') != 'warehouse'},
        help="Documents of this warehouse need completed scan sessions.")
    issue_tolerance = fields.Float(
        "Issue Tolerance (%)", digits=(16, 2),
        domain=['OR', ('issue_tolerance', '=', None),
            ('issue_tolerance', '>=', 0)],
        states={'invisible': Eval('type') != 'warehouse'},
        help="How much more than the BOM quantity may be issued by scan.")


class Lot(metaclass=PoolMeta):
    __name__ = 'stock.lot'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # A scanned code is first looked up as a lot number
        cls._sql_indexes.add(Index(t, (t.number, Index.Equality())))


class ProductIdentifier(metaclass=PoolMeta):
    __name__ = 'product.identifier'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # …then as a barcode (core only indexes it for similarity)
        cls._sql_indexes.add(Index(t, (t.code, Index.Equality())))


class ScanSession(Workflow, ModelSQL, ModelView):
    __name__ = 'stock.scan.session'
    __string__ = "Scan Session"
    _states = {'readonly': Eval('state') != 'open'}

    document = fields.Reference(
        "Document", selection='get_documents', required=True,
        states=_states)
    kind = fields.Selection(KINDS, "Kind", required=True, states=_states)
    user = fields.Many2One('res.user', "User", readonly=True)
    device = fields.Char("Device", states=_states)
    lines = fields.One2Many(
        'stock.scan.line', 'session', "Scans", states=_states,
        order=[('id', 'DESC')])
    state = fields.Selection([
            ('open', "Open"),
            ('done', "Done"),
            ('overridden', "Overridden"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, sort=False)
    completed_by = fields.Many2One('res.user', "Completed By", readonly=True)
    completed_at = fields.DateTime("Completed At", readonly=True)
    override_reason = fields.Char("Override Reason", readonly=True)
    # Keyboard-wedge input: a scanner types a code then Enter
    # (not named "scan": that is the Python API classmethod)
    scan_code = fields.Function(
        fields.Char("Scan"), 'get_scan', setter='set_scan')
    scan_location = fields.Function(
        fields.Many2One('stock.location', "Scan Location"), 'get_scan',
        setter='set_scan')
    scan_quantity = fields.Function(
        fields.Float("Scan Quantity"), 'get_scan', setter='set_scan')
    progress = fields.Function(fields.Char("Progress"), 'get_progress')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # Each scan looks up the open session of its document
        cls._sql_indexes.add(Index(t, (t.document, Index.Equality()),
                (t.state, Index.Equality(cardinality='low'))))
        cls._order = [('id', 'DESC')]
        cls._transitions |= {
            ('open', 'done'), ('open', 'overridden'), ('open', 'cancelled')}
        cls._buttons.update({
                'complete': {'invisible': Eval('state') != 'open',
                    'depends': ['state']},
                'cancel': {'invisible': Eval('state') != 'open',
                    'depends': ['state']},
                })

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def default_user(cls):
        return Transaction().user or None

    @classmethod
    def default_scan_quantity(cls):
        return 1

    @classmethod
    def get_documents(cls):
        pool = Pool()
        IrModel = pool.get('ir.model')
        names = ['stock.shipment.in', 'stock.shipment.out',
            'stock.shipment.internal', 'production']
        return [(None, '')] + [(n, IrModel.get_name(n)) for n in names]

    def get_scan(self, name):
        return 1 if name == 'scan_quantity' else None

    @classmethod
    def set_scan(cls, sessions, name, value):
        pass  # input helpers only; the scans are stored as lines

    def get_progress(self, name):
        checker = ScanChecker(self)
        done = checker.covered()
        return ', '.join('%s %s/%s' % (m.product.rec_name, done.get(m.id, 0),
                m.quantity) for m in checker.moves)

    @fields.depends('scan_code', 'scan_location', 'scan_quantity', 'lines',
        'document', 'kind', 'device')
    def on_change_scan_code(self):
        "Preview the scan on the form; it is checked again when saved"
        pool = Pool()
        Line = pool.get('stock.scan.line')
        Location = pool.get('stock.location')
        code = (self.scan_code or '').strip()
        self.scan_code = None
        if not code or not self.document or not self.kind:
            return
        locations = Location.search([('code', '=', code)], limit=1)
        if locations:
            self.scan_location = locations[0]
            return
        line = Line(code=code, quantity=self.scan_quantity or 1,
            location=self.scan_location, client_key=uuid.uuid4().hex,
            device=self.device, user=Transaction().user or None,
            scanned_at=dt.datetime.now())
        for name, value in ScanChecker(self).check(
                code, line.quantity, line.location, None).items():
            setattr(line, name, value)
        self.lines = [line] + list(self.lines or [])
        self.scan_quantity = 1

    @classmethod
    def _session_for(cls, document, kind=None, device=None):
        "Return the open session of this user and device on the document"
        if isinstance(document, cls):
            return document
        kind = kind or default_kind(document)
        if not kind:
            raise scan_error('document_closed', document=document.rec_name)
        sessions = cls.search([('document', '=', str(document)),
                ('kind', '=', kind), ('state', '=', 'open'),
                ('user', '=', Transaction().user or None),
                ('device', '=', device)], order=[('id', 'DESC')], limit=1)
        if sessions:
            return sessions[0]
        session, = cls.create([{'document': str(document), 'kind': kind,
                    'device': device}])
        return session

    @classmethod
    def scan(cls, document, code, quantity, location=None, lot=None,
            client_key=None, device=None, kind=None):
        "Python API: check and log one scan; return the stock.scan.line"
        return cls._scan(document, code, quantity, location=location,
            lot=lot, client_key=client_key, device=device, kind=kind)[0]

    @classmethod
    def _scan(cls, document, code, quantity, location=None, lot=None,
            client_key=None, device=None, kind=None):
        """Return (line, duplicate).

        The hot path of every handheld scan: a handful of indexed SQL
        queries (scan_sql), no read of the whole document or session.
        `document` may also be a session; `location` a record, an id or a
        scan_sql.location_row."""
        pool = Pool()
        Line = pool.get('stock.scan.line')
        session_id = state = None
        if isinstance(document, cls):
            session_id = document.id
            row = scan_sql.session_row(session_id,
                scan_sql.rule_query(document))
            if not row:
                raise scan_error('unknown_session', session=session_id)
            reference, kind, state, session_device = row
            device = device or session_device
            model, id_ = reference.split(',')
            document = pool.get(model)(int(id_))
        # Serialise scans of one document: coverage must count every session
        user = Transaction().user or None
        row = scan_sql.lock_document(document, client_key,
            scan_sql.rule_query(document),
            None if session_id else (kind or kinds_of(document), user, device))
        if not row:
            raise scan_error('unknown_document', document=str(document))
        document_state, sent = row[:2]
        if sent:
            return Line(sent), True
        if not session_id:
            kind = kind or default_kind(document, document_state)
            if not kind:
                raise scan_error('document_closed',
                    document=document.rec_name)
            session_id, state = row[2], 'open'
            if not session_id:
                session_id, = map(int, cls.create([{
                                'document': str(document), 'kind': kind,
                                'device': device}]))
        if state != 'open':
            raise scan_error('session_closed',
                session=cls(session_id).rec_name)
        session = cls(session_id, document=document, kind=kind, device=device)
        line = session._new_line(code, quantity, location, lot, client_key,
            device, document_state)
        return line, False

    def lock_document(self):
        "Row-lock the document for the rest of the transaction (scan_sql)"
        scan_sql.lock_document(self.document)

    def _new_line(self, code, quantity, location, lot, client_key, device,
            document_state=None):
        "Check the scan, append it to the log with one INSERT"
        pool = Pool()
        Line = pool.get('stock.scan.line')
        if not quantity or quantity <= 0:
            raise scan_error('invalid_quantity', code=code)
        values = ScanChecker(self).check(code, quantity, location, lot,
            state=document_state)
        values.update({
                'session': self.id, 'code': code,
                # a GS1 label's own quantity, else the scanned one
                'quantity': values.get('quantity', quantity),
                'client_key': client_key or uuid.uuid4().hex,
                'device': device or self.device,
                'user': Transaction().user or None,
                'scanned_at': dt.datetime.now(),
                })
        line_id = scan_sql.insert_line(values)
        # The caller reads these back: no SELECT of the new line
        return Line(line_id, **{k: values[k] for k in (
                    'session', 'result', 'message', 'product', 'lot', 'move',
                    'quantity', 'code', 'client_key', 'location')})

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def complete(cls, sessions):
        for session in sessions:
            session.lock_document()
            checker = ScanChecker(session)
            missing = checker.missing()
            if missing:
                move, quantity = missing[0]
                raise scan_error('incomplete', session=session.rec_name,
                    product=move.product.rec_name, quantity=quantity,
                    location=checker.side(move).rec_name)
            checker.apply()
        cls.write(sessions, {'completed_by': Transaction().user or None,
                'completed_at': dt.datetime.now()})

    @classmethod
    @Workflow.transition('overridden')
    def override(cls, sessions, reason):
        "Supervisor completes despite missing scans; logged with the reason"
        pool = Pool()
        Line = pool.get('stock.scan.line')
        for session in sessions:
            check_group('group_factory_supervisor', scan_error(
                    'override_access', session=session.rec_name))
            if not (reason or '').strip():
                raise scan_error('override_reason', session=session.rec_name)
        now, user = dt.datetime.now(), Transaction().user or None
        with Transaction().set_context(_scan_checked=True):
            Line.create([{'session': s.id, 'result': 'override',
                        'message': reason, 'override_reason': reason,
                        'approved_by': user, 'user': user, 'scanned_at': now,
                        'client_key': uuid.uuid4().hex, 'quantity': 0}
                    for s in sessions])
        for session in sessions:
            ScanChecker(session).apply()
        cls.write(sessions, {'completed_by': user, 'completed_at': now,
                'override_reason': reason})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, sessions):
        pass

    @classmethod
    def check_scanned(cls, documents, kind):
        "Enforce completed sessions for documents of scan-required warehouses"
        for document in documents:
            warehouse = ScanChecker.warehouse_of(document, kind)
            if not (warehouse and warehouse.scan_required):
                continue
            if not cls.search([('document', '=', str(document)),
                        ('kind', '=', kind),
                        ('state', 'in', ['done', 'overridden'])], limit=1):
                raise scan_error('not_scanned', document=document.rec_name,
                    kind=dict(KINDS)[kind])


class ScanLine(ModelSQL, ModelView):
    __name__ = 'stock.scan.line'
    __string__ = "Scan Line"
    _new_only = {'readonly': Eval('id', -1) >= 0}

    session = fields.Many2One('stock.scan.session', "Session",
        required=True, ondelete='CASCADE')
    # Editable only while new, so the form (keyboard wedge) can send them;
    # ScanLine.create checks them again whatever the client sent
    code = fields.Char("Code", states=_new_only)
    product = fields.Many2One('product.product', "Product", readonly=True)
    lot = fields.Many2One('stock.lot', "Lot", states=_new_only)
    location = fields.Many2One('stock.location', "Location",
        states=_new_only)
    quantity = fields.Float("Quantity", states=_new_only)
    move = fields.Many2One('stock.move', "Move", readonly=True,
        ondelete='SET NULL')
    result = fields.Selection(RESULTS, "Result", readonly=True)
    message = fields.Char("Message", readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    scanned_at = fields.DateTime("Scanned At", readonly=True)
    device = fields.Char("Device", states=_new_only)
    client_key = fields.Char("Client Key", states=_new_only, strip=False)
    approved_by = fields.Many2One('res.user', "Approved By", readonly=True)
    override_reason = fields.Char("Override Reason", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # The unique constraint is also the index of the client key lookup
        cls._sql_constraints += [
            ('client_key_unique', Unique(t, t.client_key),
                'factory_stock_ext.msg_scan_client_key_unique'),
            ]
        # Each scan sums what was counted per move of its product
        cls._sql_indexes.add(Index(t, (t.move, Index.Range()),
                (t.result, Index.Equality(cardinality='low')),
                where=t.move != Null))
        cls._order = [('id', 'DESC')]

    @classmethod
    def create(cls, vlist):
        # Lines from the form (keyboard wedge) are checked again here,
        # under the document lock, one at a time
        if Transaction().context.get('_scan_checked'):
            return super().create(vlist)
        pool = Pool()
        Session = pool.get('stock.scan.session')
        lines = []
        for values in vlist:
            session = Session(values['session'])
            lines.append(Session._scan(session, values.get('code'),
                    values.get('quantity'), location=values.get('location'),
                    lot=values.get('lot'), client_key=values.get('client_key'),
                    device=values.get('device'))[0])
        return cls.browse(lines)

    @classmethod
    def covered(cls, move_ids):
        "Counted quantity per move over every session of the document"
        line = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub in [move_ids[i:i + 500] for i in range(0, len(move_ids), 500)]:
            cursor.execute(*line.select(line.move, Sum(line.quantity),
                    where=line.move.in_(sub) & (line.move != Null)
                    & line.result.in_(COUNTED), group_by=[line.move]))
            result.update(cursor)
        return result

    @classmethod
    def approve(cls, lines, reason):
        "Supervisor approval of an over-quantity or wrong-location refusal"
        for line in lines:
            check_group('group_factory_supervisor', scan_error(
                    'override_access', session=line.session.rec_name))
            if line.result not in APPROVABLE or not line.move:
                raise scan_error('not_approvable', code=line.code or '',
                    result=line.result)
            if not (reason or '').strip():
                raise scan_error('override_reason',
                    session=line.session.rec_name)
            if line.session.state != 'open':
                raise scan_error('session_closed',
                    session=line.session.rec_name)
        # Lines are read-only for everyone; the log changes only here
        with without_check_access():
            cls.write(list(lines), {'result': 'approved',
                    'approved_by': Transaction().user or None,
                    'override_reason': reason,
                    'message': gettext('factory_stock_ext.msg_scan_approved',
                        reason=reason)})
