# This file is part of factory_stock_ext.  Scan sessions: every physical
# movement of a document is checked by scans; refusals are logged as lines.
import datetime as dt
import uuid

from sql import Null

from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import inputs, scan_sql, workflow_guard
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
# The models of the documents scanned (the session's document selection)
DOCUMENT_MODELS = ['stock.shipment.in', 'stock.shipment.out',
    'stock.shipment.internal', 'production']
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
# Set by the session's workflow (complete, override) and its creation only
SESSION_WORKFLOW_FIELDS = {'state', 'user', 'completed_by', 'completed_at',
    'override_reason'}
# A scan line is the log of a checked scan: ScanLine.create makes it from
# what the checker found, approve is the only change, it is never deleted
LINE_LOG_FIELDS = {'session', 'code', 'product', 'lot', 'location',
    'quantity', 'move', 'result', 'message', 'user', 'scanned_at', 'device',
    'client_key', 'document', 'company', 'approved_by', 'override_reason'}


def document_company(document):
    "Id of the company of a document given as a record or 'model,id'"
    if not document:
        return None
    if isinstance(document, str):
        model, _, id_ = document.partition(',')
        if not id_.lstrip('-').isdigit() or int(id_) < 0:
            return None
        document = Pool().get(model)(int(id_))
    elif isinstance(document, (list, tuple)):
        document = Pool().get(document[0])(int(document[1]))
    with without_check_access():
        return document.company.id if document.company else None


class ScanSession(Workflow, ModelSQL, ModelView):
    __name__ = 'stock.scan.session'
    __string__ = "Scan Session"
    _states = {'readonly': Eval('state') != 'open'}

    document = fields.Reference(
        "Document", selection='get_documents', required=True,
        states=_states)
    kind = fields.Selection(KINDS, "Kind", required=True, states=_states)
    # The document's, kept on the session so that the company rule is a
    # plain column test (it is checked on every scan)
    company = fields.Many2One('company.company', "Company", required=True,
        readonly=True)
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
    def __register__(cls, module):
        super().__register__(module)
        table_h = cls.__table_handler__(module)
        # Sessions made before the company was stored take their document's
        session = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*session.select(session.id, session.document,
                where=session.company == Null))
        for id_, document in cursor.fetchall():
            company = document_company(document)
            if company:
                cursor.execute(*session.update([session.company], [company],
                        where=session.id == id_))
        table_h.not_null_action('company', 'add')

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def create(cls, vlist):
        # The company is always the document's, whatever a client sent
        vlist = [dict(v, company=document_company(v.get('document')))
            for v in vlist]
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        args = []
        for sessions, values in zip(actions, actions):
            values = {k: v for k, v in values.items() if k != 'company'}
            if 'document' in values:
                values['company'] = document_company(values['document'])
            args.extend((sessions, values))
        super().write(*args)

    @classmethod
    def default_user(cls):
        return Transaction().user or None

    @classmethod
    def check_modification(cls, mode, sessions, values=None, external=False):
        super().check_modification(
            mode, sessions, values=values, external=external)
        workflow_guard.check(cls, mode, sessions, values, external,
            fields=SESSION_WORKFLOW_FIELDS, deletable_states={'cancelled'})

    @classmethod
    def default_scan_quantity(cls):
        return 1

    @classmethod
    def get_documents(cls):
        IrModel = Pool().get('ir.model')
        return [(None, '')] + [(n, IrModel.get_name(n))
            for n in DOCUMENT_MODELS]

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
        return cls.record_scan(document, code, quantity, location=location,
            lot=lot, client_key=client_key, device=device, kind=kind)[0]

    @classmethod
    def record_scan(cls, document, code, quantity, location=None, lot=None,
            client_key=None, device=None, kind=None):
        """Check and log one scan on the open session of this user and
        device (opened if needed); return (line, duplicate).

        `document` is a document record, its reference 'model,id' or a
        session; `location` a record, an id or a code; `lot` a number or
        an id.  A replay of client_key in its scope (document, user)
        returns the line first logged; the key used in another scope is
        refused (409).  The line is created by ScanLine.create, which
        checks it: the HTTP API and JSON-RPC end there alike."""
        pool = Pool()
        Line = pool.get('stock.scan.line')
        client_key = inputs.client_key(client_key)
        device = inputs.text(device, 'device', inputs.KEY_LENGTH)
        session = None
        if isinstance(document, cls):
            session = cls.open_session(document.id)
            document, kind = session.document, session.kind
            device = device or session.device
        else:
            document = cls.scanned_document(document)
            if kind is not None and kind not in dict(KINDS):
                raise scan_error('invalid_kind', kind=str(kind)[:40])
        # Serialise scans of one document: coverage must count every session
        user = Transaction().user or None
        row = scan_sql.lock_document(document, client_key,
            scan_sql.rule_query(document), None if session else (
                kind or kinds_of(document), user, device))
        if not row:
            raise scan_error('unknown_document', document=str(document))
        if row.sent:
            return Line(row.sent), True
        if row.elsewhere:
            raise inputs.key_conflict(client_key)
        if not session:
            kind = kind or default_kind(document, row.state)
            if not kind:
                raise scan_error('document_closed',
                    document=document.rec_name)
            if row.session:
                session = cls(row.session, document=document, kind=kind,
                    device=device, state='open', company=row.company)
            else:
                session, = cls.create([{'document': str(document),
                            'kind': kind, 'device': device}])
        location = cls._location_row(location)
        # What was just read under the lock is handed to ScanLine.create,
        # which would otherwise read it again (a context key starting with
        # '_' never comes from a client)
        with Transaction().set_context(_scan_locked={
                    'session': session, 'state': row.state,
                    'location': location}):
            line, = Line.create([{'session': session.id, 'code': code,
                        'quantity': quantity,
                        'location': location[0] if location else None,
                        'lot': lot, 'client_key': client_key,
                        'device': device}])
        return line, False

    @staticmethod
    def _location_row(location):
        """scan_sql.location_row of the scanned location given as a record,
        an id or a code"""
        if location is None or location == '':
            return None
        Pool().get('ir.model.access').check('stock.location', 'read')
        if isinstance(location, str):
            row = scan_sql.location_row(code=location.strip())
        else:
            row = scan_sql.location_row(location_id=int(location))
        if not row:
            raise scan_error('unknown_location', location=str(location)[:80])
        return row

    @classmethod
    def scanned_document(cls, document):
        "The scanned document of a record or of its reference 'model,id'"
        pool = Pool()
        if not isinstance(document, str):
            return document
        model, _, id_ = document.partition(',')
        # Not get_documents: it translates the model names (every scan)
        if (model not in DOCUMENT_MODELS
                or not id_.isdigit() or not 0 < int(id_) < 2 ** 31):
            raise scan_error('unknown_document', document=document[:80])
        return pool.get(model)(int(id_))

    @classmethod
    def open_session(cls, session_id):
        "The session if the user may read it, else unknown_session"
        sessions = cls.search([('id', '=', session_id)], limit=1)
        if not sessions:
            raise scan_error('unknown_session', session=session_id)
        return sessions[0]

    def lock_document(self):
        "Row-lock the document for the rest of the transaction (scan_sql)"
        scan_sql.lock_document(self.document)

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
    def override(cls, sessions, reason):
        "Supervisor completes despite missing scans; logged with the reason"
        for session in sessions:
            check_group('group_factory_supervisor', scan_error(
                    'override_access', session=session.rec_name))
            if not (reason or '').strip():
                raise scan_error('override_reason', session=session.rec_name)
            # Four eyes: who scanned on the session does not waive its
            # missing scans
            for author in {session.user} | {l.user for l in session.lines}:
                workflow_guard.four_eyes(Transaction().user, author,
                    scan_error('override_own', session=session.rec_name))
        # Checked above: the workflow writes its own guarded fields (the
        # routes call this with the user's access checks on)
        with without_check_access():
            cls._override(sessions, reason)

    @classmethod
    @Workflow.transition('overridden')
    def _override(cls, sessions, reason):
        Line = Pool().get('stock.scan.line')
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
