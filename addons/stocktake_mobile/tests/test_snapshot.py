"""The book snapshot of a count comes from what was done when (issue 17,
finding 9): a receipt done before the count whose price is written
afterwards (a supplier invoice at another price) is no move after it"""
from decimal import Decimal

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from .tools import create_task, setup_stock


class SnapshotTestCase(DBTestCase):
    module = 'stocktake_mobile'

    def test_price_written_after_count_no_variance(self):
        # Each step commits its own transaction: on PostgreSQL a row's
        # write_date is the start of the transaction that wrote it
        with Transaction().start(DB_NAME, 1) as transaction:
            data = setup_stock()
            task_id = create_task(data)
            transaction.commit()
        context = {'company': data['company']}
        with Transaction().start(DB_NAME, data['users']['alice'],
                context=context) as transaction:
            pool = Pool()
            Task, Count = pool.get('stocktake.task'), pool.get(
                'stocktake.count')
            task = Task(task_id)
            for line in task.lines:  # as the books say: 10 each
                Count.record(task, line.location.code, line.product.code,
                    10, lot_code=line.lot.number if line.lot else None)
            transaction.commit()
        with Transaction().start(DB_NAME, 1, context=context) as transaction:
            Move = Pool().get('stock.move')
            receipts = Move.search([
                    ('to_location', '=', data['locations'][0]),
                    ('product', '=', data['products'][0])])
            self.assertEqual([m.state for m in receipts], ['done'])
            Move.write(receipts, {'unit_price': Decimal('12.5')})
            transaction.commit()
        with Transaction().start(DB_NAME, 1, context=context) as transaction:
            Task = Pool().get('stocktake.task')
            Task.finish([Task(task_id)])
            task = Task(task_id)
            self.assertEqual(
                sorted((l.book_quantity, l.variance_quantity)
                    for l in task.lines),
                [(10, 0)] * len(task.lines))
            self.assertEqual(task.state, 'counted')


del DBTestCase
