from trytond.pool import Pool

from .tools_qc_scan import FactoryTestCase
from ..exceptions_scan import ScanError
from .tools_qc_scan import factory, production, quantity, stock, tx


class ProductionReturnTestCase(FactoryTestCase):
    "Unused material returned by scan after the production is done"
    module = 'factory_stock_ext'

    @tx
    def test_return_after_done(self):
        pool = Pool()
        Production = pool.get('production')
        Move = pool.get('stock.move')
        f = factory(self._stack, qc=False)
        stock(f, f.steel, 50, f.bin1, f.lot_steel)
        prod = production(f, [(f.steel, 10, f.lot_steel)])
        Production.assign_try([prod])
        Production.run([prod])
        Production.do([Production(prod.id)])
        self.assertEqual(Production(prod.id).state, 'done')
        self.assertEqual(quantity(f.steel, f.bin1, f.lot_steel), 40)

        line = Production.return_material(Production(prod.id), 'L-STEEL-1',
            3, client_key='back-1')
        self.assertEqual((line.quantity, line.result, line.lot),
            (-3, 'accepted', f.lot_steel))
        again = Production.return_material(Production(prod.id), 'L-STEEL-1',
            3, client_key='back-1')
        self.assertEqual(again, line)
        self.assertEqual(quantity(f.steel, f.bin1, f.lot_steel), 43)
        back, = Move.search([('origin', '=', str(line.move))])
        self.assertEqual((back.state, back.from_location, back.to_location),
            ('done', line.move.to_location, f.bin1))

        with self.assertRaises(ScanError) as cm:
            Production.return_material(Production(prod.id), 'L-STEEL-1', 8)
        self.assertEqual(cm.exception.code, 'return_beyond_issued')
        with self.assertRaises(ScanError) as cm:
            Production.return_material(Production(prod.id), 'M-BOLT', 1)
        self.assertEqual(cm.exception.code, 'return_refused')
        Production.return_material(Production(prod.id), 'L-STEEL-1', 7,
            location=f.bin1)
        self.assertEqual(quantity(f.steel, f.bin1, f.lot_steel), 50)


del FactoryTestCase
