"""Several tasks finished, approved and posted in one call, with a record
cache of two records: the lines are read in SQL and browsed in slices, and
posting confirms the inventories a few lines at a time; none may be lost."""
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from ..exceptions import WorkflowError
from .tools import setup_stock

# (bin, product): counted quantity where it differs from the 10 on the books
MISCOUNTS = {('B1', 'P001'): 9, ('B1', 'P002'): 8, ('B2', 'P004'): 7,
    ('B3', 'P004'): 12}


class BatchTestCase(DBTestCase):
    module = 'stocktake_mobile'

    def tasks(self, data):
        pool = Pool()
        Task = pool.get('stocktake.task')
        Location = pool.get('stock.location')
        User = pool.get('res.user')
        with Transaction().set_context(company=data['company']):
            return [Task.create_adhoc('location', Location(data['warehouse']),
                    locations=Location.browse(locations),
                    assignee=User(data['users']['alice']))
                for locations in [data['locations'][:1],
                    data['locations'][1:]]]

    def count(self, data, task, user, only=None):
        Count = Pool().get('stocktake.count')
        with Transaction().set_user(data['users'][user]):
            for line in task.lines:
                key = (line.location.code, line.product.code)
                if only is not None and key not in only:
                    continue
                Count.record(task, *key, MISCOUNTS.get(key, 10),
                    lot_code=line.lot.number if line.lot else None)

    @with_transaction()
    def test_uncounted_line_names_its_task_and_writes_nothing(self):
        Task = Pool().get('stocktake.task')
        data = setup_stock()
        first, second = self.tasks(data)
        self.count(data, first, 'alice')
        self.count(data, second, 'alice', only={('B2', 'P001')})
        with Transaction().set_context(_record_cache_size=2), \
                self.assertRaises(WorkflowError) as cm:
            Task.finish(Task.browse([first.id, second.id]))
        self.assertEqual(cm.exception.code, 'finish_uncounted')
        self.assertIn(second.rec_name, cm.exception.message)
        self.assertIn('7', cm.exception.message)  # 8 lines, one counted
        self.assertEqual([t.state for t in Task.browse([first.id, second.id])],
            ['open', 'open'])
        self.assertIsNone(first.lines[0].book_quantity)

    @with_transaction()
    def test_tasks_posted_together_in_small_slices(self):
        pool = Pool()
        Task = pool.get('stocktake.task')
        Inventory = pool.get('stock.inventory')
        Product = pool.get('product.product')
        data = setup_stock()
        tasks = self.tasks(data)
        ids = [t.id for t in tasks]
        for task in tasks:
            self.count(data, task, 'alice')
        with Transaction().set_context(_record_cache_size=2,
                company=data['company']):
            Task.finish(Task.browse(ids))
            tasks = Task.browse(ids)
            self.assertEqual([t.state for t in tasks], ['recount'] * 2)
            self.assertEqual(sorted((l.location.code, l.product.code)
                    for t in tasks for l in t.lines if l.recount_required),
                sorted(MISCOUNTS))
            for task in tasks:
                self.count(data, task, 'bob', only=set(MISCOUNTS))
            Task.finish(Task.browse(ids))
            with Transaction().set_user(data['users']['boss']):
                Task.approve(Task.browse(ids))
                Task.post(Task.browse(ids))
            tasks = Task.browse(ids)
            self.assertEqual([t.state for t in tasks], ['done'] * 2)
            inventories = Inventory.search([('stocktake_task', 'in', ids)])
            self.assertEqual(sorted((i.stocktake_task.id, i.location.code,
                        len(i.lines), i.state) for i in inventories),
                [(ids[0], 'B1', 2, 'done'), (ids[1], 'B2', 1, 'done'),
                    (ids[1], 'B3', 1, 'done')])
            with Transaction().set_context(
                    locations=data['locations'], with_childs=False):
                books = {p.code: p.quantity
                    for p in Product.browse(data['products'])}
        # The bins held 10 of each product: the variances are now booked
        self.assertEqual(books, {'P001': 29, 'P002': 28, 'P003': 30,
                'P004': 29})
