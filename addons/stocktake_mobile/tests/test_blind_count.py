"""Issue 17 finding 4: a counter-only user counts without any read access to
book quantities over RPC, and a recounter does not read the first count"""
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from .tools import create_task, create_user, setup_stock


class BlindCountTestCase(DBTestCase):
    module = 'stocktake_mobile'

    def client(self, user, data, **context):
        "What a JSON-RPC call of `user` runs with"
        transaction = Transaction()
        return transaction.set_user(user), transaction.set_context(
            _check_access=True, company=data['company'], **context)

    def counter_task(self, data):
        "A task of zone A assigned to a counter-only user"
        pool = Pool()
        Task = pool.get('stocktake.task')
        Company = pool.get('company.company')
        cora, _ = create_user('cora', ['group_factory_counter'],
            Company(data['company']))
        task = Task(create_task(data))
        task.assignee = cora
        task.save()
        return cora.id, task

    @with_transaction()
    def test_counter_reads_no_book_quantity(self):
        pool = Pool()
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        Location = pool.get('stock.location')
        Lot = pool.get('stock.lot')
        Move = pool.get('stock.move')
        Line = pool.get('stocktake.task.line')
        Count = pool.get('stocktake.count')
        ByLocations = pool.get('stock.products_by_locations')
        data = setup_stock()
        cora, task = self.counter_task(data)
        bin_ = data['locations'][0]
        product = data['products'][0]
        line = task.lines[0]
        user, context = self.client(cora, data, locations=[bin_],
            product=product, lot=data['lot'], stock_date_end=None)
        with user, context:
            # What a counter reads: the task, its lines, the products
            self.assertEqual(Line.read([line.id], ['product'])[0]['product'],
                line.product.id)
            Product.read([product], ['rec_name', 'code'])
            for Model, ids, name in [
                    (Product, [product], 'quantity'),
                    (Product, [product], 'forecast_quantity'),
                    (Template, [Product(product).template.id], 'quantity'),
                    (Location, [bin_], 'quantity'),
                    (Location, [bin_], 'forecast_quantity'),
                    (Lot, [data['lot']], 'quantity'),
                    (Line, [line.id], 'book_quantity'),
                    (Line, [line.id], 'first_quantity'),
                    (Line, [line.id], 'counted_quantity'),
                    (Line, [line.id], 'variance_quantity'),
                    ]:
                with self.subTest(model=Model.__name__, field=name), \
                        self.assertRaises(AccessError):
                    Model.read(ids, [name])
            with self.assertRaises(AccessError):
                Move.search([('to_location', '=', bin_)])
            with self.assertRaises(AccessError):
                ByLocations.search([])
            Lot.read([data['lot']], ['number'])
            # …and counts blind, over RPC
            count_id = Count.scan(task.id, 'B1', 'P001', 7)
            with self.assertRaises(AccessError):
                Count.read([count_id], ['quantity'])
        self.assertEqual(Count(count_id).quantity, 7)
        self.assertEqual(Count(count_id).counter.id, cora)

    @with_transaction()
    def test_recounter_reads_no_first_count(self):
        pool = Pool()
        Line = pool.get('stocktake.task.line')
        Count = pool.get('stocktake.count')
        Task = pool.get('stocktake.task')
        data = setup_stock()
        cora, task = self.counter_task(data)
        user, context = self.client(cora, data)
        with user, context:
            for line in Task(task.id).lines:
                Count.scan(task.id, line.location.code, line.product.code,
                    1, line.lot.number if line.lot else None)
            Task.finish([Task(task.id)])
        task = Task(task.id)
        self.assertEqual(task.state, 'recount')
        # alice (zone responsible, a clerk) recounts
        self.assertEqual(task.recount_assignee.id, data['users']['alice'])
        line = [l for l in task.lines if l.recount_required][0]
        user, context = self.client(data['users']['alice'], data)
        with user, context:
            # She sees what to recount…
            Line.read([line.id], ['product', 'location', 'recount_required'])
            # …not the first count, in any of its places, nor the books
            for Model, ids, name in [
                    (Line, [line.id], 'first_quantity'),
                    (Line, [line.id], 'counted_quantity'),
                    (Line, [line.id], 'book_quantity'),
                    (Count, [c.id for c in task.counts], 'quantity'),
                    ]:
                with self.subTest(model=Model.__name__, field=name), \
                        self.assertRaises(AccessError):
                    Model.read(ids, [name])
        user, context = self.client(data['users']['boss'], data)
        with user, context:
            self.assertEqual(
                Line.read([line.id], ['first_quantity'])[0]['first_quantity'],
                1)
