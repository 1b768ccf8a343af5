"""Backdated inventories (issue 17, finding 8): a count dated before later
outgoing moves of a lot is refused when it would leave the lot negative
afterwards, with the lots, locations and dates"""
import datetime as dt

from trytond.exceptions import UserError
from trytond.pool import Pool

from .tools_qc_scan import FactoryTestCase
from .tools_qc_scan import factory, quantity, tx

TODAY = dt.date.today()


class NegativeLaterTestCase(FactoryTestCase):
    "Inventories dated before later moves"
    module = 'factory_stock_ext'

    def move(self, f, quantity, from_, to, days_ago):
        Move = Pool().get('stock.move')
        move, = Move.create([{'product': f.steel.id, 'unit': f.unit.id,
                    'quantity': quantity, 'from_location': from_.id,
                    'to_location': to.id, 'company': f.company.id,
                    'lot': f.lot_steel.id, 'unit_price': 1,
                    'currency': f.company.currency.id,
                    'effective_date': TODAY - dt.timedelta(days=days_ago)}])
        Move.do([move])

    def count(self, f, counted, days_ago):
        "Draft inventory of bin 1 at a past date, expected as core does"
        Inventory = Pool().get('stock.inventory')
        inventory, = Inventory.create([{'company': f.company.id,
                    'location': f.bin1.id,
                    'date': TODAY - dt.timedelta(days=days_ago),
                    'lines': [('create', [{'product': f.steel.id,
                                    'lot': f.lot_steel.id,
                                    'quantity': counted}])]}])
        Inventory.complete_lines([inventory], fill=False)
        return Inventory(inventory.id)

    @tx
    def test_backdated_count_refused_when_lot_goes_negative(self):
        pool = Pool()
        Inventory = pool.get('stock.inventory')
        Move = pool.get('stock.move')
        f = factory(self._stack, qc=False)
        self.move(f, 10, f.supplier_location, f.bin1, 10)
        self.move(f, 8, f.bin1, f.customer_location, 2)
        inventory = self.count(f, 3, 5)
        self.assertEqual(inventory.lines[0].expected_quantity, 10)
        moves = Move.search([], count=True)
        with self.assertRaises(UserError) as cm:
            Inventory.confirm([inventory])
        message = cm.exception.message
        later = (TODAY - dt.timedelta(days=2)).isoformat()
        for text in ['L-STEEL-1', 'Bin 1', later, '-5']:
            self.assertIn(text, message)
        # Refused before posting: no move, the inventory still a draft
        self.assertEqual(Move.search([], count=True), moves)
        self.assertEqual(Inventory(inventory.id).state, 'draft')
        self.assertEqual(quantity(f.steel, f.bin1, f.lot_steel), 2)

    @tx
    def test_backdated_count_kept_positive_posts(self):
        Inventory = Pool().get('stock.inventory')
        f = factory(self._stack, qc=False)
        self.move(f, 10, f.supplier_location, f.bin1, 10)
        self.move(f, 8, f.bin1, f.customer_location, 2)
        Inventory.confirm([self.count(f, 9, 5)])
        self.assertEqual(quantity(f.steel, f.bin1, f.lot_steel), 1)


del FactoryTestCase
