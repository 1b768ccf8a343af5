"""Issue 17 finding 1: state, approver, counter and counted quantities of a
count change only through the workflow, not by a client's write/create/delete
(four-eyes bypass by JSON-RPC)"""
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from ..exceptions import WorkflowError
from .tools import create_task, setup_stock


class WorkflowFieldsTestCase(DBTestCase):
    module = 'stocktake_mobile'

    def as_user(self, data, name):
        "A client call of `name`: its user, company and access checks"
        transaction = Transaction()
        return _Both(transaction.set_user(data['users'][name]),
            transaction.set_context(_check_access=True,
                company=data['company']))

    def counted_task(self, data, counter='alice'):
        "A task counted and finished: waiting for approval"
        pool = Pool()
        Task = pool.get('stocktake.task')
        Count = pool.get('stocktake.count')
        task = Task(create_task(data))
        with Transaction().set_user(data['users'][counter]), \
                Transaction().set_context(company=data['company']):
            for line in task.lines:
                Count.record(task, line.location.code, line.product.code,
                    10, lot_code=line.lot.number if line.lot else None)
        Task.finish([task])
        task = Task(task.id)
        self.assertEqual(task.state, 'counted')
        return task

    @with_transaction()
    def test_approval_only_by_button(self):
        "Neither clerk nor supervisor can write a task approved"
        Task = Pool().get('stocktake.task')
        data = setup_stock()
        task = self.counted_task(data)
        for name in ['alice', 'boss']:
            with self.subTest(user=name), self.as_user(data, name):
                with self.assertRaises(AccessError):
                    Task.write([Task(task.id)], {'state': 'approved',
                            'approved_by': data['users']['bob']})
                with self.assertRaises(AccessError):
                    Task.write([Task(task.id)], {
                            'approved_by': data['users']['bob']})
        self.assertEqual(Task(task.id).state, 'counted')
        self.assertIsNone(Task(task.id).approved_by)
        # A task is created in its first state only
        with self.as_user(data, 'boss'), self.assertRaises(AccessError):
            Task.create([{'warehouse': data['warehouse'],
                        'company': data['company'], 'state': 'approved'}])

    @with_transaction()
    def test_count_not_forged(self):
        "A supervisor cannot type a count in someone else's name"
        pool = Pool()
        Line = pool.get('stocktake.task.line')
        Count = pool.get('stocktake.count')
        data = setup_stock()
        task = self.counted_task(data)
        line = task.lines[0]
        for values in [{'counted_quantity': 3},
                {'counted_by': data['users']['bob']},
                {'first_counted_by': data['users']['bob']},
                {'first_quantity': 3}, {'recount_required': True},
                {'product': data['products'][3]}]:
            with self.subTest(values=values), self.as_user(data, 'boss'):
                with self.assertRaises(AccessError):
                    Line.write([Line(line.id)], values)
        with self.as_user(data, 'boss'):
            with self.assertRaises(AccessError):
                Count.create([{'task': task.id, 'line': line.id,
                            'quantity': 1, 'round': 1,
                            'counted_at': line.counted_at,
                            'counter': data['users']['bob']}])
            with self.assertRaises(AccessError):
                Count.delete(Count.search([('task', '=', task.id)]))
            with self.assertRaises(AccessError):
                Line.delete([Line(line.id)])
            # The variance reason stays the supervisor's to give
            Line.write([Line(line.id)], {'reason': 'miscount'})
        line = Line(line.id)
        self.assertEqual((line.counted_quantity, line.counted_by.id),
            (10, data['users']['alice']))

    @with_transaction()
    def test_workflow_still_runs(self):
        "The buttons make the changes refused to a direct write"
        Task = Pool().get('stocktake.task')
        data = setup_stock()
        task = self.counted_task(data)
        with self.as_user(data, 'boss'):
            Task.approve([Task(task.id)])
            Task.post([Task(task.id)])
        task = Task(task.id)
        self.assertEqual((task.state, task.approved_by.id),
            ('done', data['users']['boss']))

    @with_transaction()
    def test_four_eyes_approval(self):
        "Who counted cannot approve"
        Task = Pool().get('stocktake.task')
        data = setup_stock()
        task = self.counted_task(data, counter='boss')
        with self.as_user(data, 'boss'), self.assertRaises(WorkflowError):
            Task.approve([Task(task.id)])


class _Both:
    "Enter two context managers as one"

    def __init__(self, first, second):
        self.first, self.second = first, second

    def __enter__(self):
        self.first.__enter__()
        self.second.__enter__()

    def __exit__(self, *exc):
        self.second.__exit__(*exc)
        return self.first.__exit__(*exc)
