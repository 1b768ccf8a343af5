"The demo generator is deterministic and its history feeds the statistics."
import unittest

from demo_factory import database
from support import backend_uri, build_demo, inspect_demo, unique_name


class DemoFactoryTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.names = [unique_name('demo_a'), unique_name('demo_b'),
            unique_name('demo_c')]
        cls.counts = [build_demo(cls.names[0], 40, 120),
            build_demo(cls.names[1], 40, 120),
            build_demo(cls.names[2], 40, 120, seed=8)]
        cls.summaries = [inspect_demo(n) for n in cls.names]

    @classmethod
    def tearDownClass(cls):
        for name in cls.names:
            database.drop(name, backend_uri())

    def test_same_seed_same_quantities(self):
        "Same seed and dates give the same quantities on hand"
        first, second, _ = self.summaries
        self.assertTrue(any(first['on_hand'].values()))
        self.assertEqual(first['on_hand'], second['on_hand'])
        self.assertEqual(self.counts[0]['stock_move'],
            self.counts[1]['stock_move'])

    def test_other_seed_other_quantities(self):
        "The seed matters (the equality above is not vacuous)"
        self.assertNotEqual(self.summaries[0]['on_hand'],
            self.summaries[2]['on_hand'])

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
                'stock_lot', 'zones', 'abc_classes', 'alerts', 'count_tasks']:
            self.assertGreater(counts.get(kind, 0), 0, kind)

    def test_no_negative_stock(self):
        negative = {k: v for k, v in self.summaries[0]['on_hand'].items()
            if v < 0}
        self.assertEqual(negative, {})
