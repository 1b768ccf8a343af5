"""The demo generator is deterministic, its history feeds the statistics, and
every feature has something to act on when it is done."""
import unittest
from concurrent.futures import ThreadPoolExecutor

from demo_factory import database
from support import (backend_uri, build_demo, inspect_many, shared_demo,
    unique_name)

SMALL = (20, 45)


class DemoFactoryTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        # Determinism is checked on small builds (20 products, 45 days: a
        # month end included), the same generator at ~7 s a build instead
        # of ~55 s for 40 products and 120 days; the shared demo is the one
        # the feature checks below read. The builds are processes that
        # wait on their database much of the time: they run side by side.
        names = [unique_name(p) for p in ['demo_b', 'demo_b2', 'demo_c']]
        with ThreadPoolExecutor(len(names) + 1) as executor:
            shared = executor.submit(shared_demo, 40, 120)
            small = [executor.submit(build_demo, name, *SMALL, seed=seed)
                for name, seed in zip(names, [7, 7, 8])]
            cls.names = [shared.result()[0]] + names
            cls.counts = [shared.result()[1]] + [f.result() for f in small]
            found = [executor.submit(inspect_many, name, *what)
                for name, what in zip(cls.names, [
                        ('summary', 'models', 'alive'),
                        ('summary', 'models'), ('summary', 'models'),
                        ('summary',)])]
            found = [f.result() for f in found]
        cls.summaries = [f['summary'] for f in found]
        cls.models = [f['models'] for f in found[:3]]
        cls.alive = found[0]['alive']

    @classmethod
    def tearDownClass(cls):
        for name in cls.names[1:]:  # the shared one is dropped at exit
            database.drop(name, backend_uri())

    def test_same_seed_same_quantities(self):
        "Same seed and dates give the same quantities on hand"
        _, first, second, _ = self.summaries
        self.assertTrue(any(first['on_hand'].values()))
        self.assertEqual(first['on_hand'], second['on_hand'])
        self.assertEqual(self.counts[1]['stock_move'],
            self.counts[2]['stock_move'])

    def test_same_seed_same_records(self):
        "Same seed and dates give as many records of every model"
        shared, first, second = self.models
        self.assertGreater(shared['stocktake.task'], 0)
        self.assertGreater(shared['erp.sync.outbox'], 0)
        self.assertGreater(first['stock.move'], 0)
        self.assertEqual({m: n for m, n in first.items()
                if n != second.get(m)}, {})

    def test_other_seed_other_quantities(self):
        "The seed matters (the equality above is not vacuous)"
        self.assertNotEqual(self.summaries[1]['on_hand'],
            self.summaries[3]['on_hand'])

    def test_most_materials_consumed(self):
        "History issues most raw materials and components to production"
        summary = self.summaries[0]
        consumed = set(summary['consumed']) & set(summary['materials'])
        self.assertGreaterEqual(len(consumed) / len(summary['materials']),
            0.8)

    def test_history_has_every_document_kind(self):
        counts = self.counts[0]
        for kind in ['purchase_purchase', 'stock_shipment_in', 'production',
                'stock_shipment_out', 'stock_shipment_internal',
                'stock_lot', 'zones', 'count_tasks', 'account_move',
                'live_purchases']:
            self.assertGreater(counts.get(kind, 0), 0, kind)

    def test_stock_periods(self):
        """The month-end routine closed the stock periods core allows (none
        after a move of a lot still in its shelf life: stock_lot_sled), and
        the stock figures agree with a plain sum of the done moves"""
        self.assertEqual(self.alive['stock_periods_closed'],
            self.counts[0]['stock_periods'])
        self.assertEqual(self.alive['figures_differences'], [])

    def test_no_negative_stock(self):
        negative = {k: v for k, v in self.summaries[0]['on_hand'].items()
            if v < 0}
        self.assertEqual(negative, {})

    def test_alerts_of_every_kind(self):
        "The alert board has low, overstock, dead, slow and expiring stock"
        alerts = self.alive['alerts_open']
        for kind in ['below_safety', 'overstock', 'dead', 'slow',
                'expiring']:
            self.assertGreater(alerts.get(kind, 0), 0, kind)
        self.assertNotIn('negative', alerts)

    def test_safety_stock_computed(self):
        "Every parameter has a method; order points and requests follow"
        alive = self.alive
        self.assertGreater(alive['parameters'], 0)
        self.assertEqual(alive['parameters_with_method'],
            alive['parameters'])
        self.assertGreater(alive['parameters_with_safety_stock'], 0)
        self.assertGreater(alive['parameters_with_reorder_point'], 0)
        self.assertGreater(alive['order_points'], 0)
        self.assertGreater(alive['purchase_requests'], 0)

    def test_receipts_and_qc_hold(self):
        "Receipts wait, lots wait in QC since different days"
        alive = self.alive
        self.assertGreater(alive['receipts_waiting'], 0)
        self.assertGreater(alive['lots_on_hold'], 0)
        self.assertGreater(alive['hold_dates'], 1)
        self.assertGreater(alive['lots_released'], 0)

    def test_counts_waiting_and_accuracy(self):
        "Tasks wait for count, recount and approval; months of accuracy"
        tasks = self.alive['count_tasks']
        for state in ['open', 'recount', 'counted', 'done']:
            self.assertGreater(tasks.get(state, 0), 0, state)
        self.assertGreaterEqual(len(self.alive['accuracy_months']), 2)

    def test_outbox_states(self):
        "The ERP confirmed some postings, refused some, some wait a retry"
        outbox = self.alive['outbox']
        for state in ['confirmed', 'failed', 'sent']:
            self.assertGreater(outbox.get(state, 0), 0, state)
        self.assertGreater(self.alive['mappings'], 0)

    def test_reconciliation(self):
        "Zero difference on the history; the write-down in the drill-down"
        before, after = self.alive['reconciliations']
        self.assertEqual(before['difference'], '0.00')
        self.assertEqual(after['difference'], '1250.00')
        self.assertEqual(after['kinds'], ['other'])

    def test_opening_example(self):
        "The example opening workbook passes the import check on the demo"
        self.assertEqual(self.alive['opening_example_problems'], [])
