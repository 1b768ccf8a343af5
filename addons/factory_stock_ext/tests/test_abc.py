import datetime as dt
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .db_test_case import DBTestCase
from trytond.transaction import Transaction


class ABCTestCase(DBTestCase):
    "Test ABC classification"
    module = 'factory_stock_ext'

    def _products(self, names):
        pool = Pool()
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('name', '=', 'Unit')])
        templates = Template.create([{
                    'name': n, 'type': 'goods', 'default_uom': unit.id,
                    'products': [('create', [{}])],
                    } for n in names])
        return [t.products[0] for t in templates]

    def _warehouse2(self):
        "A second warehouse with its own storage"
        Location = Pool().get('stock.location')
        inp, out, sto = Location.create([
                {'name': 'IN2', 'type': 'storage'},
                {'name': 'OUT2', 'type': 'storage'},
                {'name': 'STO2', 'type': 'storage'}])
        wh2, = Location.create([{'name': 'WH2', 'type': 'warehouse',
                    'input_location': inp.id, 'output_location': out.id,
                    'storage_location': sto.id,
                    'production_location': Location.search(
                        [('type', '=', 'production')], limit=1)[0].id}])
        Location.write([inp, out, sto], {'parent': wh2.id})
        return wh2, sto

    def _places(self):
        "The warehouse, its storage and the customer location"
        Location = Pool().get('stock.location')
        wh, = Location.search([('type', '=', 'warehouse')])
        customer, = Location.search([('type', '=', 'customer')])
        return wh, wh.storage_location, customer

    def _moves(self, company, specs):
        "Create done moves from (product, from, to, qty, cost, days_ago)"
        Move = Pool().get('stock.move')
        today = dt.date.today()
        moves = []
        for p, f, t, q, c, d in specs:
            move = Move(product=p, unit=p.default_uom, quantity=q,
                from_location=f, to_location=t, company=company,
                effective_date=today - dt.timedelta(days=d))
            if move.on_change_with_unit_price_required():
                move.unit_price = Decimal(c)
                move.currency = company.currency
            if move.on_change_with_cost_price_required():
                move.cost_price = Decimal(c)
            moves.append(move)
        Move.save(moves)
        with Transaction().set_context(_skip_warnings=True):
            Move.do(moves)
        return moves

    @with_transaction()
    def test_abc_matches_hand_computation(self):
        "ABC classes match a hand-computed classification"
        pool = Pool()
        Location = pool.get('stock.location')
        ABC = pool.get('stock.product.abc')
        Move = pool.get('stock.move')
        company = create_company()
        with set_company(company):
            wh, sto, customer = self._places()
            supplier, = Location.search([('type', '=', 'supplier')])
            production, = Location.search([('type', '=', 'production')])
            lost, = Location.search([('type', '=', 'lost_found')])
            p1, p2, p3, p4, p5, p6 = self._products(
                ['P1', 'P2', 'P3', 'P4', 'P5', 'P6'])
            wh2, sto2 = self._warehouse2()
            self._moves(company, [
                    # Consumption: 500, 300, 100, 60, 40 of a total of 1000
                    (p1, sto, customer, 50, 10, 10),
                    (p2, sto, production, 20, 10, 20),
                    (p2, sto, customer, 10, 10, 30),
                    (p3, sto, production, 10, 10, 40),
                    (p4, sto, customer, 3, 20, 50),
                    (p5, sto, production, 4, 10, 60),
                    # Ignored: outside the window, receipts, losses, returns
                    (p5, sto, customer, 1000, 10, 400),
                    (p6, supplier, sto, 100, 10, 5),
                    (p6, sto, lost, 100, 10, 5),
                    (p6, customer, sto, 100, 10, 5),
                    # Other warehouse: P5 is its only consumption
                    (p5, sto2, customer, 1, 10, 5),
                    ])
            # A draft move never counts
            Move.create([{'product': p6.id, 'unit': p6.default_uom.id,
                        'quantity': 1000, 'from_location': sto.id,
                        'to_location': customer.id, 'company': company.id,
                        'unit_price': Decimal(1),
                        'currency': company.currency.id}])

            ABC.compute()

            self.assertEqual(ABC.classes_for(wh.id, [p.id for p in (
                            p1, p2, p3, p4, p5, p6)]), {
                    p1.id: 'A', p2.id: 'A',  # 0 % and 50 % before them
                    p3.id: 'B', p4.id: 'B',  # 80 % and 90 % before them
                    p5.id: 'C', p6.id: 'C',  # 96 %, no consumption
                    })
            self.assertEqual(ABC.classes_for(wh2.id, [p5.id, p1.id]),
                {p5.id: 'A', p1.id: 'C'})
            rows = ABC.search([('warehouse', '=', wh.id)])
            self.assertEqual(
                [(r.product, r.consumption_value, round(r.cumulative_share, 4))
                    for r in rows],
                [(p1, Decimal(500), 0.5), (p2, Decimal(300), 0.8),
                    (p3, Decimal(100), 0.9), (p4, Decimal(60), 0.96),
                    (p5, Decimal(40), 1.0)])
            # None means every product, unconsumed ones as C
            self.assertEqual(ABC.classes_for(wh.id)[p6.id], 'C')

            # Thresholds come from the stock configuration
            Configuration = pool.get('stock.configuration')
            Configuration.write([Configuration(1)],
                {'abc_a_share': 0.5, 'abc_b_share': 0.3})
            ABC.compute(warehouses=[wh], window_days=365)
            self.assertEqual(
                ABC.classes_for(wh.id, [p1.id, p2.id, p3.id]),
                {p1.id: 'A', p2.id: 'B', p3.id: 'C'})
            # Recomputing one warehouse keeps the other one
            self.assertEqual(ABC.classes_for(wh2.id, [p5.id]), {p5.id: 'A'})

            # A longer window takes the old consumption in
            ABC.compute(window_days=500)
            self.assertEqual(ABC.classes_for(wh.id, [p5.id]), {p5.id: 'A'})

    @with_transaction()
    def test_stored_with_field_digits(self):
        "Value and share are stored with the digits the client shows"
        pool = Pool()
        Location = pool.get('stock.location')
        ABC = pool.get('stock.product.abc')
        company = create_company()
        with set_company(company):
            wh, = Location.search([('type', '=', 'warehouse')])
            customer, = Location.search([('type', '=', 'customer')])
            products = self._products(['P1', 'P2', 'P3'])
            # thirds of the total; quantity (float) times cost gives more
            # decimals than the cost
            self._moves(company, [(p, wh.storage_location, customer,
                        3, '0.3333', 10) for p in products])

            ABC.compute()

            rows = ABC.search([('warehouse', '=', wh.id)])
            self.assertEqual(
                [(r.consumption_value, r.cumulative_share) for r in rows],
                [(Decimal('0.9999'), 0.3333), (Decimal('0.9999'), 0.6667),
                    (Decimal('0.9999'), 1.0)])

    @with_transaction()
    def test_recompute_writes_what_moved(self):
        """A computation writes only the rows whose class, value or share
        moved, inserts new products and deletes those no longer consumed"""
        ABC = Pool().get('stock.product.abc')
        company = create_company()
        with set_company(company):
            wh, sto, customer = self._places()
            p1, p2, p3, p4 = self._products(['P1', 'P2', 'P3', 'P4'])
            self._moves(company, [(p1, sto, customer, 50, 10, 10),
                    (p2, sto, customer, 30, 10, 10),
                    (p3, sto, customer, 20, 10, 100)])
            ABC.compute()
            stamps = {r.product: (r.id, r.changed_at, r.write_date)
                for r in ABC.search([])}

            self.assertEqual({s[2] for s in stamps.values()}, {None})
            ABC.compute()  # nothing moved: nothing written
            self.assertEqual({r.product: (r.id, r.changed_at, r.write_date)
                    for r in ABC.search([])}, stamps)

            # P3's consumption leaves the window, P4's enters, P1's grows
            self._moves(company, [(p1, sto, customer, 10, 10, 5),
                    (p4, sto, customer, 5, 10, 5)])
            ABC.compute(window_days=60)
            rows = {r.product: r for r in ABC.search([])}
            self.assertEqual(set(rows), {p1, p2, p4})
            self.assertEqual(rows[p1].consumption_value, Decimal(600))
            self.assertIsNotNone(rows[p1].write_date)
            # stamped again (PostgreSQL keeps whole seconds: maybe the same)
            self.assertGreaterEqual(rows[p1].changed_at, stamps[p1][1])
            self.assertEqual(rows[p4].consumption_value, Decimal(50))
            # shares are read from the stored values: 600, 300, 50 of 950
            self.assertEqual([rows[p].cumulative_share for p in [p1, p2, p4]],
                [0.6316, 0.9474, 1.0])
            self.assertEqual(rows[p1].id, stamps[p1][0])

    @with_transaction()
    def test_computed_at_renamed(self):
        "An update renames computed_at to changed_at, values kept"
        ABC = Pool().get('stock.product.abc')
        table = ABC.__table__()
        cursor = Transaction().connection.cursor()
        company = create_company()
        with set_company(company):
            product, = self._products(['P1'])
            wh, = Pool().get('stock.location').search(
                [('type', '=', 'warehouse')])
            stamp = dt.datetime(2026, 1, 2, 3, 4, 5)
            cursor.execute(*table.insert([table.product, table.warehouse,
                        table.abc_class, table.changed_at],
                    [[product.id, wh.id, 'A', stamp]]))
        handler = ABC.__table_handler__('factory_stock_ext')
        handler.column_rename('changed_at', 'computed_at')

        ABC.__register__('factory_stock_ext')
        handler = ABC.__table_handler__('factory_stock_ext')
        self.assertTrue(handler.column_exist('changed_at'))
        self.assertFalse(handler.column_exist('computed_at'))
        cursor.execute(*table.select(table.changed_at))
        value, = cursor.fetchone()
        if isinstance(value, str):  # SQLite
            value = dt.datetime.fromisoformat(value)
        self.assertEqual(value, stamp)

    @with_transaction()
    def test_invalid_shares(self):
        "Shares above 100 % are refused"
        Configuration = Pool().get('stock.configuration')
        with self.assertRaises(UserError):
            Configuration.write([Configuration(1)],
                {'abc_a_share': 0.9, 'abc_b_share': 0.2})

    @with_transaction()
    def test_cron_method(self):
        "The scheduled task runs the computation"
        pool = Pool()
        Cron = pool.get('ir.cron')
        ModelData = pool.get('ir.model.data')
        cron = Cron(ModelData.get_id('factory_stock_ext', 'cron_abc_compute'))
        self.assertEqual(cron.method, 'stock.product.abc|compute')
        Cron.run_once([cron])


del DBTestCase
