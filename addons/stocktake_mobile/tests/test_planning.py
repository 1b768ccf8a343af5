"Capacity spreading: no counter gets more lines a day than their capacity"
import datetime as dt
import unittest
from collections import Counter

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from .. import planning
from .tools import setup_stock

DAY = dt.timedelta(days=1)


class AssignTestCase(unittest.TestCase):
    "planning.assign on its own: shared counters across groups and days"

    def test_capacity_shared_between_groups(self):
        today = dt.date(2026, 3, 2)
        # Two zones share user 2; user 2 already has 3 lines planned today
        buckets = {
            (('zone', 1), today): list(range(9)),
            (('zone', 2), today): list(range(100, 106)),
            (('zone', 2), today + DAY): list(range(200, 204)),
            }
        candidates = {('zone', 1): [1, 2], ('zone', 2): [2, 3]}
        capacity = {1: 2, 2: 4, 3: 1}
        load = {(2, today): 3}
        tasks, deferred = planning.assign(buckets, candidates, capacity,
            dict(load), today, 3)
        planned = Counter(load)
        planned.update(planning.daily_load(tasks))
        for (user, day), lines in planned.items():
            self.assertLessEqual(lines, capacity[user], (user, day))
        items = [i for _, _, _, chunk in tasks for i in chunk]
        self.assertEqual(len(items), len(set(items)))
        self.assertEqual(len(items) + deferred, 19)
        # Four days (today + horizon 3) of 2 + 4 + 1 lines, minus the 3
        # already planned: everything fits, nothing is deferred
        self.assertEqual(deferred, 0)
        # No task is planned before the day its items fall due
        for (group, day, user, chunk) in tasks:
            if chunk[0] >= 200:
                self.assertGreaterEqual(day, today + DAY)


class SpreadingTestCase(DBTestCase):
    "Generated tasks keep each counter within the capacity set on the user"
    module = 'stocktake_mobile'

    def generate(self, data, horizon, capacities):
        pool = Pool()
        Program = pool.get('stocktake.program')
        User = pool.get('res.user')
        Task = pool.get('stocktake.task')
        for login, capacity in capacities.items():
            User.write([User(data['users'][login])],
                {'stocktake_capacity': capacity})
        with Transaction().set_context(company=data['company']):
            programs = Program.search([])
            if not programs:
                programs = Program.create([{'name': 'Cycle',
                            'warehouse': data['warehouse'],
                            'start_date': dt.date.today()
                            - dt.timedelta(days=400)}])
            Program.write(programs, {'horizon': horizon})
            Program.generate_tasks(programs)
        return Task.search([('program', '!=', None)])

    def check_loads(self, tasks, capacities, data):
        loads = Counter()
        for task in tasks:
            self.assertTrue(task.assignee, task.rec_name)
            loads[(task.assignee.id, task.due_date)] += len(task.lines)
        users = {data['users'][l]: c for l, c in capacities.items()}
        for (user, day), lines in loads.items():
            self.assertLessEqual(lines, users[user], (user, day))
        return loads

    @with_transaction()
    def test_daily_capacity(self):
        "12 lines of zone A for alice (3/day) and bob (2/day): 3 days"
        data = setup_stock()
        capacities = {'alice': 3, 'bob': 2, 'carol': 1}
        tasks = self.generate(data, 7, capacities)
        loads = self.check_loads(tasks, capacities, data)
        lines = [(l.location.id, l.product.id, l.lot)
            for t in tasks for l in t.lines]
        self.assertEqual(len(lines), len(set(lines)))
        self.assertEqual(len(lines), 16)  # 4 products in 4 bins
        today = dt.date.today()
        alice, bob, carol = (data['users'][u]
            for u in ['alice', 'bob', 'carol'])
        # Packed from today: full days first, the deputy helps
        self.assertEqual([loads[(alice, today + i * DAY)] for i in range(4)],
            [3, 3, 2, 0])
        self.assertEqual([loads[(bob, today + i * DAY)] for i in range(3)],
            [2, 2, 0])
        self.assertEqual([loads[(carol, today + i * DAY)]
                for i in range(5)], [1, 1, 1, 1, 0])

    @with_transaction()
    def test_existing_tasks_count_in_the_load(self):
        "A later run fills the days left free by the open tasks"
        data = setup_stock()
        capacities = {'alice': 3, 'bob': 2, 'carol': 1}
        first = self.generate(data, 1, capacities)
        # Two days only: 10 of 12 zone A lines, 2 of 4 zone B lines
        self.assertEqual(sum(len(t.lines) for t in first), 12)
        tasks = self.generate(data, 7, capacities)
        self.assertGreater(len(tasks), len(first))
        self.check_loads(tasks, capacities, data)
        self.assertEqual(sum(len(t.lines) for t in tasks), 16)
        today = dt.date.today()
        late = {t.due_date for t in tasks if t not in first}
        self.assertEqual(min(late), today + 2 * DAY)

    @with_transaction()
    def test_unset_capacity_uses_default(self):
        "No capacity stored (user older than the module): the default"
        data = setup_stock()
        capacities = {'alice': 0, 'bob': 0, 'carol': None}
        tasks = self.generate(data, 7, capacities)
        carol = data['users']['carol']
        self.assertEqual({(t.assignee.id, t.due_date) for t in tasks},
            {(carol, dt.date.today())})
        self.assertEqual(sum(len(t.lines) for t in tasks), 4)
