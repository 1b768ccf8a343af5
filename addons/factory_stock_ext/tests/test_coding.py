import threading

from trytond import backend
from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import CONTEXT, DB_NAME, USER, with_transaction

from .db_test_case import DBTestCase
from trytond.transaction import Transaction


def create_products(category_id, names):
    pool = Pool()
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    unit, = Uom.search([('name', '=', 'Unit')])
    templates = Template.create([{
                'name': n, 'type': 'goods', 'default_uom': unit.id,
                'categories': [('add', [category_id])] if category_id else [],
                'products': [('create', [{}])],
                } for n in names])
    return [t.products[0] for t in templates]


class CodingTestCase(DBTestCase):
    "Test material coding"
    module = 'factory_stock_ext'

    @with_transaction()
    def test_code_per_category(self):
        "Products get the code of their category scheme on creation"
        Category = Pool().get('product.category')
        raw, packing, misc = Category.create([
                {'name': 'Raw', 'material_code_prefix': 'A01'},
                {'name': 'Packing', 'material_code_prefix': 'B02'},
                {'name': 'Misc'}])
        steel, = Category.create([{'name': 'Steel', 'parent': raw.id}])
        a1, a2 = create_products(raw.id, ['Resin', 'Glue'])
        b1, = create_products(packing.id, ['Box'])
        a3, = create_products(steel.id, ['Bar'])
        m1, = create_products(misc.id, ['Rag'])
        n1, = create_products(None, ['Free'])
        self.assertEqual([p.code for p in (a1, a2, b1, a3, m1, n1)],
            ['A01-0001', 'A01-0002', 'B02-0001', 'A01-0003', None, None])

        # A new prefix applies to the next products of the category
        Category.write([packing], {'material_code_prefix': 'B03'})
        b2, = create_products(packing.id, ['Crate'])
        self.assertEqual(b2.code, 'B03-0002')
        self.assertEqual(b1.code, 'B02-0001')

    @with_transaction()
    def test_prefix_checks(self):
        "Prefixes are unique and made of safe characters"
        Category = Pool().get('product.category')
        Category.create([{'name': 'Raw', 'material_code_prefix': 'A01'}])
        with self.assertRaises(UserError) as cm:
            Category.create([{'name': 'Odd', 'material_code_prefix': 'A 1'}])
        self.assertIn('Odd', str(cm.exception))
        # Last: on PostgreSQL a constraint violation aborts the transaction
        with self.assertRaises(UserError):
            Category.create([{'name': 'Raw 2', 'material_code_prefix': 'A01'}])

    @with_transaction()
    def test_search_by_code_name_barcode(self):
        "Products are found by code, name or barcode"
        pool = Pool()
        Category = pool.get('product.category')
        Product = pool.get('product.product')
        Identifier = pool.get('product.identifier')
        raw, = Category.create([{'name': 'Raw', 'material_code_prefix': 'C7'}])
        resin, glue = create_products(raw.id, ['Epoxy Resin', 'Glue'])
        Identifier.create([{'product': glue.id, 'type': 'ean',
                    'code': '5901234123457'}])
        search = Product.search
        self.assertEqual(search([('rec_name', '=', 'C7-0001')]), [resin])
        self.assertEqual(search([('rec_name', 'ilike', '%epoxy%')]), [resin])
        self.assertEqual(
            search([('rec_name', '=', '5901234123457')]), [glue])
        self.assertEqual(search([('rec_name', 'ilike', 'C7-%')]),
            [resin, glue])

    @with_transaction()
    def test_label_report(self):
        "The label report prints the code (barcodes: test_label)"
        pool = Pool()
        Category = pool.get('product.category')
        Label = pool.get('product.product.material_label', type='report')
        raw, = Category.create([{'name': 'Raw', 'material_code_prefix': 'L1'}])
        product, = create_products(raw.id, ['Resin'])
        ext, content, _, _ = Label.execute([product.id], {})
        self.assertEqual(ext, 'html')
        self.assertIn('L1-0001', content)
        self.assertEqual(content.count('<svg'), 2)
        self.assertNotIn('&lt;svg', content)

    def test_concurrent_creation(self):
        "Codes stay unique when two transactions create at the same time"
        with Transaction().start(DB_NAME, USER, context=CONTEXT) as tx:
            Category = Pool().get('product.category')
            category, = Category.create([
                    {'name': 'Concurrent', 'material_code_prefix': 'CC'}])
            category_id = category.id
            tx.commit()
        # SQLite in-memory databases are per thread: there the two
        # transactions run one after the other.
        concurrent = backend.name == 'postgresql'
        barrier = threading.Barrier(2) if concurrent else None
        results, errors = [], []

        def worker(tag):
            try:
                with Transaction().start(
                        DB_NAME, USER, context=CONTEXT) as tx:
                    products = create_products(
                        category_id, [f'{tag}{i}' for i in range(5)])
                    codes = [p.code for p in products]
                    if barrier:
                        # Both transactions hold their numbers uncommitted
                        barrier.wait(timeout=60)
                    tx.commit()
                results.append(codes)
            except Exception as exception:
                errors.append(exception)
                if barrier:
                    barrier.abort()

        if concurrent:
            threads = [threading.Thread(target=worker, args=(t,))
                for t in 'XY']
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        else:
            worker('X')
            worker('Y')
        self.assertEqual(errors, [])
        codes = [c for r in results for c in r]
        self.assertEqual(len(codes), 10)
        self.assertEqual(sorted(codes), [f'CC-{i:04d}' for i in range(1, 11)])


del DBTestCase
