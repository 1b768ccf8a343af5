# This file is part of factory_stock_ext.  Production issue (领用) by scan:
# a scan-required warehouse runs a production only after its components
# were issued by scan; unused material is returned by scan before the run.
import datetime as dt
import uuid

from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .exceptions_scan import scan_error
from .scan_rules import EPSILON, ScanChecker


class Production(metaclass=PoolMeta):
    __name__ = 'production'

    scan_sessions = fields.Function(
        # Many2Many: a function One2Many would need a setter
        fields.Many2Many('stock.scan.session', None, None, "Scan Sessions",
            readonly=True),
        'get_scan_sessions')

    def get_scan_sessions(self, name):
        Session = Pool().get('stock.scan.session')
        return [s.id for s in Session.search(
                [('document', '=', str(self))])]

    @classmethod
    @ModelView.button
    def run(cls, productions):
        Pool().get('stock.scan.session').check_scanned(productions, 'issue')
        return super().run(productions)

    @classmethod
    def return_material(cls, production, code, quantity, location=None,
            lot=None, client_key=None, device=None):
        """Return unused issued material: logged as a negative scan on the
        open issue session, never more than was issued for the component"""
        pool = Pool()
        Session = pool.get('stock.scan.session')
        Line = pool.get('stock.scan.line')
        session = Session._session_for(production, kind='issue',
            device=device)
        session.lock_document()
        if client_key:
            existing = Line.search([('client_key', '=', client_key)], limit=1)
            if existing:
                return existing[0]
        if session.state != 'open':
            raise scan_error('session_closed', session=session.rec_name)
        if not quantity or quantity <= 0:
            raise scan_error('invalid_quantity', code=code)
        checker = ScanChecker(session)
        # Check as if issuing nothing more: product, lot and place must match
        values = checker.check(code, None, location, lot)
        if values['result'] != 'accepted':
            raise scan_error('return_refused', code=code,
                message=values['message'])
        issued = Line.covered([values['move']]).get(values['move'], 0)
        if quantity > issued + EPSILON:
            raise scan_error('return_beyond_issued', code=code,
                quantity=quantity, issued=issued)
        values.update({'session': session.id, 'code': code,
                'quantity': -quantity,
                'client_key': client_key or uuid.uuid4().hex,
                'device': device, 'user': Transaction().user or None,
                'scanned_at': dt.datetime.now()})
        with Transaction().set_context(_scan_checked=True):
            line, = Line.create([values])
        return line
