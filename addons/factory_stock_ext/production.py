# This file is part of factory_stock_ext.  Production issue (领用) by scan:
# a scan-required warehouse runs a production only after its components
# were issued by scan; unused material is returned by scan before the run.
import datetime as dt
import uuid

from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from . import scan_sql
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
        open issue session, never more than was issued for the component.
        `location`: a record, an id or a code (as a scan's)"""
        location = Pool().get('stock.scan.session')._location_row(location)
        if production.state == 'done':
            return cls._return_after_run(production, code, quantity,
                location, lot, client_key, device)
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
        return _log_return(session, values, code, quantity, client_key,
            device)

    @classmethod
    def _return_after_run(cls, production, code, quantity, location, lot,
            client_key, device):
        """Unused material back from a done production: a done move from
        the production location to the bin it was issued from (or the
        scanned one below it), logged as a negative scan on the issue
        session; never more than consumed net of earlier returns"""
        pool = Pool()
        Session = pool.get('stock.scan.session')
        Line = pool.get('stock.scan.line')
        Move = pool.get('stock.move')
        Date = pool.get('ir.date')
        row = scan_sql.lock_document(production, client_key)
        if row.sent:
            return Line(row.sent)
        if not quantity or quantity <= 0:
            raise scan_error('invalid_quantity', code=code)
        session = Session(document=production, kind='issue')
        values = ScanChecker(session).check(code, None, location, lot,
            state=row.state, returning=True)
        if values['result'] != 'accepted':
            raise scan_error('return_refused', code=code,
                message=values['message'])
        issued = Move(values['move'])
        returned = sum(m.quantity for m in Move.search([
                    ('origin', '=', str(issued)), ('state', '=', 'done')]))
        if quantity > issued.quantity - returned + EPSILON:
            raise scan_error('return_beyond_issued', code=code,
                quantity=quantity, issued=issued.quantity - returned)
        back, = Move.create([{'product': issued.product.id,
                    'unit': issued.unit.id, 'quantity': quantity,
                    'lot': values['lot'] or (issued.lot and issued.lot.id),
                    'from_location': issued.to_location.id,
                    'to_location': values['location'],
                    'company': issued.company.id, 'origin': str(issued),
                    'effective_date': Date.today(),
                    'unit_price': issued.product.cost_price,
                    'currency': issued.company.currency.id}])
        Move.do([back])
        sessions = Session.search([('document', '=', str(production)),
                ('kind', '=', 'issue')], order=[('id', 'DESC')], limit=1)
        if not sessions:
            sessions = Session.create([{'document': str(production),
                        'kind': 'issue', 'device': device,
                        'state': 'done'}])
        return _log_return(sessions[0], values, code, quantity, client_key,
            device)

    @classmethod
    def receive_output(cls, production, quantity, lot=None, location=None):
        """Finished goods of a running production, received by scan: the
        open output move of its product takes the quantity, the bin (a
        storage location of its warehouse; the warehouse's output location
        when none) and the finished lot, found or made with the number
        given (none: the product's lot sequence makes it when the
        production is done).  Return the move; `do` finishes the
        production (a button: the user's access rights)."""
        pool = Pool()
        Move = pool.get('stock.move')
        Lot = pool.get('stock.lot')
        Location = pool.get('stock.location')
        cls.lock([production])
        production = cls(production.id)
        if production.state != 'running':
            raise scan_error('document_closed',
                document=production.rec_name)
        product = production.product
        if not quantity or quantity <= 0:
            raise scan_error('invalid_quantity', code=product.rec_name)
        default = production.output_location
        location = Location(int(location)) if location else default
        storage = production.warehouse.storage_location
        if location != default and not (location.type == 'storage'
                and storage.left <= location.left
                and location.right <= storage.right):
            raise scan_error('wrong_location', location=location.rec_name,
                product=product.rec_name, document=production.rec_name,
                expected=storage.rec_name)
        moves = [m for m in production.outputs if m.product == product
            and m.state not in {'done', 'cancelled'}]
        if not moves:
            raise scan_error('wrong_product', code=product.rec_name,
                product=product.rec_name, document=production.rec_name,
                lot='', location=location.rec_name, quantity=quantity)
        values = {'quantity': quantity, 'to_location': location.id}
        if lot:
            lots = Lot.search([('number', '=', lot),
                    ('product', '=', product.id)], limit=1)
            if not lots:
                lots = Lot.create([{'number': lot, 'product': product.id}])
            values['lot'] = lots[0].id
        Move.write(moves[:1], values)
        return moves[0]


def _log_return(session, values, code, quantity, client_key, device):
    "The returned quantity as a negative, already checked scan line"
    Line = Pool().get('stock.scan.line')
    values.update({'session': session.id, 'code': code,
            'quantity': -quantity,
            'client_key': client_key or uuid.uuid4().hex,
            'device': device, 'user': Transaction().user or None,
            'scanned_at': dt.datetime.now()})
    with Transaction().set_context(_scan_checked=True):
        line, = Line.create([values])
    return line
