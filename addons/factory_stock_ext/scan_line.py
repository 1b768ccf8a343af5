# This file is part of factory_stock_ext.  Scan lines: each scan of a
# session, accepted or refused, kept as the log of what was scanned.
import datetime as dt
import uuid
from types import SimpleNamespace

from sql import Null
from sql.aggregate import Sum

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import inputs, scan_sql, workflow_guard
from .exceptions_scan import check_group, scan_error
from .scan import APPROVABLE, COUNTED, LINE_LOG_FIELDS, RESULTS
from .scan_rules import ScanChecker


class ScanLine(ModelSQL, ModelView):
    __name__ = 'stock.scan.line'
    __string__ = "Scan Line"
    _new_only = {'readonly': Eval('id', -1) >= 0}

    session = fields.Many2One('stock.scan.session', "Session",
        required=True, ondelete='CASCADE')
    # Editable only while new, so the form (keyboard wedge) can send them;
    # ScanLine.create checks them again whatever the client sent
    code = fields.Char("Code", states=_new_only)
    product = fields.Many2One('product.product', "Product", readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
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
    # Scope of the client key with the user: the session's document as
    # 'model,id' text.  Not a Reference: reading one back checks that the
    # document exists under the record rules, a query on every scan, and
    # the session already holds the reference
    document = fields.Char("Document", readonly=True, strip=False)
    # The session's: the company rule is then a plain column test
    company = fields.Many2One('company.company', "Company", required=True,
        readonly=True)
    approved_by = fields.Many2One('res.user', "Approved By", readonly=True)
    override_reason = fields.Char("Override Reason", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # A key is unique in its scope (document, user); the constraint is
        # also the index of the key lookup (key first)
        cls._sql_constraints += [
            ('client_key_scope_unique',
                Unique(t, t.client_key, t.document, t.user),
                'factory_stock_ext.msg_scan_client_key_unique'),
            ]
        # Each scan sums what was counted per move of its product
        cls._sql_indexes.add(Index(t, (t.move, Index.Range()),
                (t.result, Index.Equality(cardinality='low')),
                where=t.move != Null))
        cls._order = [('id', 'DESC')]

    @classmethod
    def __register__(cls, module):
        pool = Pool()
        Session = pool.get('stock.scan.session')
        exists = backend.TableHandler.table_exist(cls._table)
        had_document = exists and cls.__table_handler__(
            module).column_exist('document')
        super().__register__(module)
        table_h = cls.__table_handler__(module)
        # Keys were unique over every document before they had a scope
        table_h.drop_constraint('client_key_unique')
        # Lines made before the company was stored take their session's
        line, session = cls.__table__(), Session.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.update([line.company],
                [session.select(session.company,
                        where=session.id == line.session)],
                where=line.company == Null))
        table_h.not_null_action('company', 'add')
        if exists and not had_document:
            line, session = cls.__table__(), Session.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*line.update([line.document],
                    [session.select(session.document,
                            where=session.id == line.session)]))

    @classmethod
    def create(cls, vlist):
        """Check each scan under its document lock and log it.

        The one way a scan line is made, for the HTTP API (through
        ScanSession.record_scan) and for JSON-RPC (the form's keyboard
        wedge) alike: whatever the client sent, the result, product, move
        and message are the checker's.  A replay of a client key in its
        scope gives the line first logged."""
        if Transaction().context.get('_scan_checked'):
            # Lines the workflow itself writes (override, returns)
            vlist = [cls._with_document(v) for v in vlist]
            return super().create(vlist)
        return cls.browse([cls._checked_line(v) for v in vlist])

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        # create is the check itself: whatever a client sends, the values
        # are the checker's (see create)
        if mode != 'create':
            workflow_guard.check(cls, mode, lines, values, external,
                fields=LINE_LOG_FIELDS)

    @classmethod
    def _with_document(cls, values):
        "The values with the document and company of their session"
        Session = Pool().get('stock.scan.session')
        session = Session(values['session'])
        values = dict(values, company=session.company.id)
        values.setdefault('document', str(session.document))
        return values

    @classmethod
    def _checked_line(cls, values):
        "Id of the line logged for these client values (or of its replay)"
        pool = Pool()
        Session = pool.get('stock.scan.session')
        client_key = inputs.client_key(values.get('client_key'))
        locked = Transaction().context.get('_scan_locked') or {}
        location = values.get('location')
        if (locked.get('session') is not None
                and locked['session'].id == values.get('session')):
            # ScanSession.record_scan has just locked, looked up the key
            session, state = locked['session'], locked['state']
            document = session.document
            if locked['location'] and locked['location'][0] == location:
                location = locked['location']
        else:
            session = Session.open_session(values.get('session'))
            document = session.document
            row = scan_sql.lock_document(document, client_key,
                scan_sql.rule_query(document))
            if not row:
                raise scan_error('unknown_document', document=str(document))
            if row.sent:
                return row.sent
            if row.elsewhere:
                raise inputs.key_conflict(client_key)
            state = row.state
        if session.state != 'open':
            raise scan_error('session_closed', session=session.rec_name)
        code = inputs.text(values.get('code'), 'code', required=True,
            barcode=True)
        quantity = inputs.quantity(values.get('quantity'), positive=True)
        if location is not None and not isinstance(location, tuple):
            location = Session._location_row(int(location))
        lot = values.get('lot')
        if isinstance(lot, str):
            lot = inputs.text(lot, 'lot')
        checker = ScanChecker(session)
        checked = checker.check(code, quantity, location, lot, state=state)
        if checked.get('product') and not quantity.is_integer():
            digits, unit, unit_name = scan_sql.unit(checked['product'])
            inputs.check_decimals(quantity, SimpleNamespace(digits=digits,
                    rec_name=scan_sql.rec_name('product.uom,name',
                        (None, unit, unit_name))),
                scan_sql.rec_name('product.template,name',
                    checker.product_name))
        checked.update({
                'session': session.id, 'document': str(document),
                'company': session.company.id,
                # a GS1 label's own quantity, else the scanned one
                'code': code, 'quantity': checked.get('quantity', quantity),
                'client_key': client_key or uuid.uuid4().hex,
                'device': inputs.text(values.get('device'), 'device',
                    inputs.KEY_LENGTH) or session.device,
                'user': Transaction().user or None,
                'scanned_at': dt.datetime.now(),
                })
        line, = super().create([checked])
        return line.id

    @classmethod
    def readable_line(cls, line_id):
        "The line if the user may read it, else unknown_line"
        lines = cls.search([('id', '=', line_id)], limit=1)
        if not lines:
            raise scan_error('unknown_line', line=line_id)
        return lines[0]

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
            # Four eyes: the one who scanned too much does not approve it
            workflow_guard.four_eyes(Transaction().user, line.user,
                scan_error('approve_own', code=line.code or '',
                    session=line.session.rec_name))
        # Lines are read-only for everyone; the log changes only here
        with without_check_access():
            cls.write(list(lines), {'result': 'approved',
                    'approved_by': Transaction().user or None,
                    'override_reason': reason,
                    'message': gettext('factory_stock_ext.msg_scan_approved',
                        reason=reason)})
