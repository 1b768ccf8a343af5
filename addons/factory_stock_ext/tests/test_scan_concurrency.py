import contextlib
import threading

from trytond import backend
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction, TransactionError

from .db_test_case import DBTestCase
from .tools_qc_scan import factory, shipment_in

DUE = 20
ATTEMPTS = 15  # per device: 30 single-unit scans for 20 due


class ScanConcurrencyTestCase(DBTestCase):
    """Two sessions (devices) scan the same document at the same time.

    On PostgreSQL each device is a thread with its own transactions, started
    together by a barrier; the document row lock serialises the checks.  An
    in-memory SQLite database cannot be shared between connections, so
    there the same scans are interleaved from one thread."""
    module = 'factory_stock_ext'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with Transaction().start(DB_NAME, 1, context={
                    '_skip_warnings': True}) as transaction:
            with contextlib.ExitStack() as stack:
                f = factory(stack, qc=False)
                shipment = shipment_in(f, [(f.steel, DUE, None)])
                cls.document = str(shipment)
                cls.company = f.company.id
            transaction.commit()

    def scan(self, key, device):
        "One scan in its own transaction, retried like a handheld would"
        extras = {}
        for _ in range(200):
            try:
                return self._scan_once(key, device, extras)
            except TransactionError as e:
                # First call of lock(): restart with the row lock taken
                e.fix(extras)
            except backend.DatabaseOperationalError:
                # Row locked by the other device: resend the same key
                pass
        raise AssertionError("scan %s never went through" % key)

    def _scan_once(self, key, device, extras):
        with Transaction().start(DB_NAME, 1, context={
                    'company': self.company}, **extras) as transaction:
            pool = Pool()
            Session = pool.get('stock.scan.session')
            Shipment = pool.get('stock.shipment.in')
            try:
                line, _ = Session.record_scan(
                    Shipment(int(self.document.split(',')[1])),
                    'M-STEEL', 1, client_key=key, device=device)
                result = line.result
            except Exception:
                transaction.rollback()
                raise
            transaction.commit()
            return result

    def device(self, name, results, barrier=None):
        if barrier:
            barrier.wait()
        for i in range(ATTEMPTS):
            results.append(self.scan('%s-%s' % (name, i), name))
            # A resent scan (same key) must never count twice
            results.append(('resent', self.scan('%s-%s' % (name, i), name)))

    def test_concurrent_sessions(self):
        results = {'HH-1': [], 'HH-2': []}
        if backend.name == 'postgresql':
            barrier = threading.Barrier(2)
            threads = [threading.Thread(target=self.device,
                    args=(n, r, barrier)) for n, r in results.items()]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        else:
            for i in range(ATTEMPTS):
                for name, lines in results.items():
                    lines.append(self.scan('%s-%s' % (name, i), name))
                    lines.append(
                        ('resent', self.scan('%s-%s' % (name, i), name)))
        firsts = [r for lines in results.values() for r in lines
            if not isinstance(r, tuple)]
        self.assertEqual(len(firsts), 2 * ATTEMPTS)
        self.assertEqual(firsts.count('accepted'), DUE)
        self.assertEqual(firsts.count('over_quantity'), 2 * ATTEMPTS - DUE)
        with Transaction().start(DB_NAME, 1):
            pool = Pool()
            Line = pool.get('stock.scan.line')
            Session = pool.get('stock.scan.session')
            sessions = Session.search([('document', '=', self.document)])
            self.assertEqual(len(sessions), 2)
            lines = Line.search([('session', 'in', [s.id for s in sessions])])
            self.assertEqual(len(lines), 2 * ATTEMPTS)
            move = [l.move for l in lines if l.move][0]
            self.assertEqual(Line.covered([move.id]), {move.id: DUE})
            self.assertEqual(len({l.client_key for l in lines}), len(lines))

    def test_scan_locks_its_own_row(self):
        """A scan updates its document's row of stock.scan.document_lock:
        the document's own row is only read (no SQL write on a core table)"""
        with Transaction().start(DB_NAME, 1, context={
                    'company': self.company}) as transaction:
            pool = Pool()
            Session = pool.get('stock.scan.session')
            Shipment = pool.get('stock.shipment.in')
            Lock = pool.get('stock.scan.document_lock')
            shipment = Shipment(int(self.document.split(',')[1]))
            before = Lock.search([('document', '=', self.document)])
            locks = before[0].locks if before else 0
            for i in range(2):
                Session.record_scan(shipment, 'M-STEEL', 1,
                    client_key='lock-%s' % i, device='HH-3')
            lock, = Lock.search([('document', '=', self.document)])
            self.assertEqual(lock.locks, locks + 2)
            if backend.name == 'postgresql':
                cursor = transaction.connection.cursor()
                # This transaction's own writes, per table
                cursor.execute('SELECT n_tup_upd + n_tup_del '
                    'FROM pg_stat_xact_user_tables WHERE relname = %s',
                    (Shipment._table,))
                self.assertEqual(cursor.fetchone(), (0,))
            transaction.rollback()


del DBTestCase
