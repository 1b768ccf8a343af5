"""What gets counted: ad-hoc counts, program zone/location filters, strict
locks reaching the locations inside the counted ones"""
import datetime as dt
from decimal import Decimal

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from ..exceptions import LocationLockedError, WorkflowError
from .tools import create_task, setup_stock


def move(data, product, from_, to, quantity=1, do=True):
    pool = Pool()
    Move = pool.get('stock.move')
    Product = pool.get('product.product')
    Company = pool.get('company.company')
    product = Product(product)
    values = {'product': product.id, 'unit': product.default_uom.id,
        'quantity': quantity, 'from_location': from_, 'to_location': to,
        'company': data['company']}
    Location = pool.get('stock.location')
    # Only moves from suppliers or to customers carry a price
    if {Location(from_).type, Location(to).type} & {'supplier', 'customer'}:
        values.update(unit_price=Decimal(1),
            currency=Company(data['company']).currency.id)
    record, = Move.create([values])
    if do:
        with Transaction().set_context(_skip_warnings=True):
            Move.do([record])
    return record


def child_bin(data, parent, code):
    Location = Pool().get('stock.location')
    location, = Location.create([{'name': f'Shelf {code}', 'code': code,
                'type': 'storage', 'parent': parent}])
    return location.id


def supplier():
    Location = Pool().get('stock.location')
    return Location.search([('code', '=', 'SUP')])[0].id


class AdhocWizardTestCase(DBTestCase):
    "The client wizard creates ad-hoc tasks of every kind"
    module = 'stocktake_mobile'

    def create(self, data, **values):
        pool = Pool()
        Wizard = pool.get('stocktake.task.adhoc', type='wizard')
        Task = pool.get('stocktake.task')
        values.setdefault('warehouse', data['warehouse'])
        with Transaction().set_user(data['users']['boss']), \
                Transaction().set_context(_check_access=True,
                    company=data['company']):
            session_id, _, _ = Wizard.create()
            defaults = Wizard.execute(session_id, {}, 'start')['view'][
                'defaults']
            self.assertEqual(defaults['due_date'], dt.date.today())
            result = Wizard.execute(session_id, {'start': values},
                'create_')
        action, = result['actions']
        task_id, = action[1]['res_id']
        return Task(task_id)

    @staticmethod
    def items(task):
        return sorted((l.location.code, l.product.code) for l in task.lines)

    @with_transaction()
    def test_location(self):
        data = setup_stock()
        task = self.create(data, kind='location', strict=True,
            locations=[data['locations'][0]], assignee=data['users']['bob'])
        self.assertEqual(self.items(task), [('B1', f'P00{i}')
                for i in range(1, 5)])
        self.assertEqual((task.kind, task.strict, task.assignee.id,
                task.zone.id, task.state),
            ('location', True, data['users']['bob'], data['zone'], 'open'))
        self.assertEqual([l.id for l in task.locations],
            [data['locations'][0]])

    @with_transaction()
    def test_product_across_zones(self):
        data = setup_stock()
        task = self.create(data, kind='product',
            products=[data['products'][1]])
        self.assertEqual(self.items(task),
            [('B1', 'P002'), ('B2', 'P002'), ('B3', 'P002'), ('X1', 'P002')])
        self.assertIsNone(task.zone)  # two zones: nobody's in particular

    @with_transaction()
    def test_zero_and_low_stock(self):
        data = setup_stock()
        customer = Pool().get('stock.location').search(
            [('code', '=', 'CUS')])[0].id
        move(data, data['products'][0], data['locations'][2], customer, 8)
        move(data, data['products'][3], data['other'], customer, 10)
        task = self.create(data, kind='zero', low_quantity=2)
        self.assertEqual(self.items(task), [('B3', 'P001'), ('X1', 'P004')])

    @with_transaction()
    def test_last_variances(self):
        pool = Pool()
        Task = pool.get('stocktake.task')
        Count = pool.get('stocktake.count')
        data = setup_stock()
        with self.assertRaises(WorkflowError) as cm:
            self.create(data, kind='variance')
        self.assertEqual(cm.exception.code, 'adhoc_nothing_to_count')
        # Count B1/B2 with one miss, post it: the next "variance" count
        # proposes exactly that line
        task = Task(create_task(data))
        with Transaction().set_context(company=data['company']), \
                Transaction().set_user(data['users']['alice']):
            for line in task.lines:
                Count.record(task, line.location.code, line.product.code,
                    9 if line.location.code == 'B2'
                    and line.product.code == 'P004' else 10,
                    lot_code=line.lot.number if line.lot else None)
            Task.finish([task])
            task = Task(task.id)
            line, = [l for l in task.lines if l.recount_required]
        with Transaction().set_user(data['users']['bob']):
            Count.record(task, 'B2', 'P004', 9)
            Task.finish([task])
        with Transaction().set_context(company=data['company']), \
                Transaction().set_user(data['users']['boss']):
            Task.approve([task])
            Task.post([task])
        task = self.create(data, kind='variance')
        self.assertEqual(self.items(task), [('B2', 'P004')])


class ProgramScopeTestCase(DBTestCase):
    "Programs limited to zones or locations count only those"
    module = 'stocktake_mobile'

    def generate(self, data, **values):
        pool = Pool()
        Program = pool.get('stocktake.program')
        with Transaction().set_context(company=data['company']):
            program, = Program.create([dict({'name': 'Scoped',
                            'warehouse': data['warehouse'], 'horizon': 7,
                            'start_date': dt.date.today()
                            - dt.timedelta(days=400)}, **values)])
            tasks = Program.generate_tasks([program])
        return {(l.location.code, l.product.code)
            for t in tasks for l in t.lines}

    @with_transaction()
    def test_zone_filter(self):
        data = setup_stock()
        items = self.generate(data, zones=[('add', [data['other_zone']])])
        self.assertEqual({loc for loc, _ in items}, {'X1'})
        self.assertEqual(len(items), 4)

    @with_transaction()
    def test_location_filter_includes_children(self):
        data = setup_stock()
        shelf = child_bin(data, data['locations'][0], 'B1S')
        move(data, data['products'][0], supplier(), shelf, 3)
        items = self.generate(data,
            locations=[('add', [data['locations'][0]])])
        self.assertEqual({loc for loc, _ in items}, {'B1', 'B1S'})
        self.assertIn(('B1S', 'P001'), items)

    @with_transaction()
    def test_zone_or_location(self):
        "Both filters: the union of the chosen zones and locations"
        data = setup_stock()
        items = self.generate(data, zones=[('add', [data['other_zone']])],
            locations=[('add', [data['locations'][1]])])
        self.assertEqual({loc for loc, _ in items}, {'X1', 'B2'})

    @with_transaction()
    def test_no_filter_whole_warehouse(self):
        data = setup_stock()
        items = self.generate(data)
        self.assertEqual({loc for loc, _ in items},
            {'B1', 'B2', 'B3', 'X1'})


class StrictChildrenTestCase(DBTestCase):
    "Strict mode also freezes the locations inside the counted ones"
    module = 'stocktake_mobile'

    @with_transaction()
    def test_child_location_locked(self):
        pool = Pool()
        Task = pool.get('stocktake.task')
        data = setup_stock()
        shelf = child_bin(data, data['locations'][0], 'B1S')
        deep = child_bin(data, shelf, 'B1SS')
        move(data, data['products'][0], supplier(), shelf, 5)
        task = Task(create_task(data, strict=True))
        for from_, to in [(supplier(), shelf), (shelf, data['other']),
                (supplier(), deep)]:
            with self.subTest(from_=from_, to=to):
                record = move(data, data['products'][0], from_, to, do=False)
                with self.assertRaises(LocationLockedError) as cm:
                    with Transaction().set_context(_skip_warnings=True):
                        pool.get('stock.move').do([record])
                self.assertEqual(cm.exception.code, 'location_locked_child')
                self.assertIn('Bin 1', cm.exception.message)
                self.assertIn('Shelf', cm.exception.message)
                self.assertIn(task.rec_name, cm.exception.message)
        # The counted location itself keeps its own message
        record = move(data, data['products'][0], supplier(),
            data['locations'][0], do=False)
        with self.assertRaises(LocationLockedError) as cm, \
                Transaction().set_context(_skip_warnings=True):
            pool.get('stock.move').do([record])
        self.assertEqual(cm.exception.code, 'location_locked')
        # Elsewhere moves go on; after the count everything does
        self.assertEqual(move(data, data['products'][0], supplier(),
                data['other']).state, 'done')
        Task.cancel([task])
        self.assertEqual(move(data, data['products'][0], supplier(),
                deep).state, 'done')

    @with_transaction()
    def test_not_strict_not_locked(self):
        data = setup_stock()
        shelf = child_bin(data, data['locations'][0], 'B1S')
        create_task(data, strict=False)
        self.assertEqual(move(data, data['products'][0], supplier(),
                shelf).state, 'done')
