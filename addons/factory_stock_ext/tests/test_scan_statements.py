"""The statements a scan sends to the database: their number does not grow
(a count, the same on SQLite and PostgreSQL), and the text kept per shape
(sql_statements.py) is run with each call's own values"""
import contextlib
from unittest import mock

from trytond import backend
from trytond.pool import Pool
from trytond.transaction import Transaction, check_access

from .. import sql_statements
from .tools_qc_scan import FactoryTestCase, factory, shipment_in, tx, user_in

# lock (with the key, the company and the open session), location, code,
# moves, and ScanLine.create: insert, core's create rule check, core's read
# for validation (PostgreSQL).  A database without UPDATE … RETURNING reads
# the locked row in one more, and core checks there in one query each
# constraint that the database cannot hold (SQLite: the key's scope)
STATEMENTS_PER_SCAN = 7


@contextlib.contextmanager
def statements():
    "The statements executed in the block, as a list"
    if backend.name == 'postgresql':
        from trytond.backend.postgresql.database import LoggingCursor as Cursor
    else:
        from trytond.backend.sqlite.database import SQLiteCursor as Cursor
    executed = []
    execute = Cursor.execute

    def counted(self, query, *args, **kwargs):
        executed.append(query)
        return execute(self, query, *args, **kwargs)
    with mock.patch.object(Cursor, 'execute', counted):
        yield executed


class ScanStatementsTestCase(FactoryTestCase):
    module = 'factory_stock_ext'

    @tx
    def test_statements_per_scan(self):
        "An accepted scan as a clerk (record rules on) costs a fixed count"
        pool = Pool()
        Session = pool.get('stock.scan.session')
        User = pool.get('res.user')
        f = factory(self._stack, qc=False)
        shipment = shipment_in(f, [(f.steel, 10, None)])
        clerk = user_in(['factory_stock_ext.group_factory_clerk'], 'clerk',
            f.company)
        transaction = Transaction()
        with transaction.set_user(clerk.id):
            context = User.get_preferences(context_only=True)
        with transaction.set_user(clerk.id), \
                transaction.set_context(context), check_access():
            # The first scan opens the session
            Session.record_scan(str(shipment), 'M-STEEL', 1, location='IN',
                client_key='first', device='HH-1')
            counts = []
            for key in ['second', 'third']:
                # Served outside of trytond's test mode, which also
                # validates Function fields of every record created
                with statements() as executed, \
                        mock.patch.object(Pool, 'test', False):
                    line, duplicate = Session.record_scan(str(shipment),
                        'M-STEEL', 1, location='IN', client_key=key,
                        device='HH-1')
                self.assertEqual(line.result, 'accepted')
                self.assertFalse(duplicate)
                counts.append(len(executed))
            with statements() as executed:
                again, duplicate = Session.record_scan(str(shipment),
                    'M-STEEL', 1, location='IN', client_key='third',
                    device='HH-1')
        self.assertTrue(duplicate)
        self.assertEqual(again, line)
        database = transaction.database
        lock = 1 if database.has_returning() else 2
        constraints = sum(not database.has_constraint(sql)
            for _, sql, _ in pool.get('stock.scan.line')._sql_constraints)
        self.assertEqual(counts,
            [STATEMENTS_PER_SCAN + lock - 1 + constraints] * 2)
        # A replay stops at the lock, which finds the line sent
        self.assertEqual(len(executed), lock)

    @tx
    def test_kept_text_takes_new_values(self):
        "Two calls of one shape: one text, each call's values"
        pool = Pool()
        Location = pool.get('stock.location')

        def build(code):
            table = Location.__table__()
            return table.select(table.id, where=table.code == code)
        storage = {l.id for l in Location.search([('code', '=', 'STO')])}
        output = {l.id for l in Location.search([('code', '=', 'OUT')])}
        self.assertTrue(storage and output)
        with statements() as executed:
            first = sql_statements.execute(('test', 'code'), build,
                code='STO').fetchall()
            second = sql_statements.execute(('test', 'code'), build,
                code='OUT').fetchall()
        self.assertEqual({i for i, in first}, storage)
        self.assertEqual({i for i, in second}, output)
        self.assertEqual(executed[0], executed[1])

    @tx
    def test_value_not_a_parameter_refused(self):
        "A value that would end up in the kept text is refused"
        pool = Pool()
        Location = pool.get('stock.location')

        def build(code, limit):
            table = Location.__table__()
            # limit is not used as a parameter: kept, it would be wrong
            return table.select(table.id, where=table.code == code)
        with self.assertRaises(AssertionError):
            sql_statements.execute(('test', 'not a parameter'), build,
                code='STO', limit=1)
