"""The product catalogue: categories (ORM), products and BOMs (bulk SQL).

Categories go through the ORM so that factory_stock_ext gives each one its
material-code sequence. Products and BOMs are written in bulk because the
ORM validates ~0.1 s per product, i.e. half an hour for the 20k-product
benchmark; the material codes written are exactly what the category
sequences would give, and each sequence is moved past them afterwards.
"""
import datetime as dt
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

from . import names
from .loader import BulkWriter
from .masterdata import Item, _ref

COLUMNS = {
    'product_template': ['id', 'name', 'type', 'default_uom',
        'purchase_uom', 'sale_uom', 'purchasable', 'salable', 'producible',
        'consumable', 'active', 'account_category', 'shelf_life_state',
        'shelf_life_time', 'expiration_state'],
    'product_product': ['id', 'template', 'code', 'suffix_code', 'active'],
    'product_template-product_category': ['id', 'template', 'category'],
    'product_cost_price': ['id', 'company', 'product', 'cost_price'],
    'product_list_price': ['id', 'company', 'template', 'list_price'],
    'purchase_product_supplier': ['id', 'template', 'party', 'lead_time',
        'company', 'currency', 'sequence', 'active'],
    'production_bom': ['id', 'name', 'active', 'phantom'],
    'production_bom_input': ['id', 'bom', 'product', 'quantity', 'unit'],
    'production_bom_output': ['id', 'bom', 'product', 'quantity', 'unit'],
    'product_product-production_bom': ['id', 'product', 'bom', 'sequence'],
    }


def kind_counts(total):
    finished = max(2, total * 15 // 100)
    component = max(2, total * 30 // 100)
    return {'finished': finished, 'component': component,
        'raw': max(2, total - finished - component)}


def create_categories():
    Category = Pool().get('product.category')
    categories = {}
    for code, name, kind, unit, lots, life in names.CATEGORIES:
        category, = Category.create([{'name': f'{code} {name}',
                    'material_code_prefix': code}])
        categories[code] = (category, kind, unit, lots, life)
    return categories


def create_products(options, rng, company, account_category, suppliers,
        sites):
    units = {'u': _ref('product', 'uom_unit'),
        'kg': _ref('product', 'uom_kilogram')}
    categories = create_categories()
    plan = []
    for kind, count in kind_counts(options.products).items():
        codes = [c for c, v in categories.items() if v[1] == kind]
        plan.extend((codes[i % len(codes)], kind) for i in range(count))
    writer = BulkWriter(COLUMNS)
    writer.stamp = dt.datetime.combine(options.start_date, dt.time(6))
    used = {}
    items = []
    for code, kind in plan:
        category, _, unit, lots, life = categories[code]
        if life:
            # varied shelf lives so that some lots expire soon: opening lots
            # after a year, short-lived ones received in the last weeks
            life = rng.choice([60, 120, 180, 365, 380, 400])
        used[code] = used.get(code, 0) + 1
        number = f'{code}-{used[code]:04d}'
        word = rng.choice(names.RAW_WORDS[code])
        if unit == 'kg':
            # whole cents per quarter kilogram: a move of any quarter
            # quantity is worth whole cents, so the stock value (quantity x
            # cost) and the sum of the moves' rounded values agree
            cost = Decimal(rng.randint(13, 1250) * 4) / 100
        else:
            cost = Decimal(rng.randint(50, 5000)) / (
                1 if kind == 'finished' else 10)
        price = (cost * Decimal('1.6')).quantize(Decimal('0.01'))
        supplier = rng.choice(suppliers) if kind != 'finished' else None
        lead_time = rng.randint(5, 30) if supplier else 0
        template = writer._add('product_template', [f'{word} {number[-4:]}',
                'goods', units[unit], units[unit], units[unit],
                kind != 'finished', kind == 'finished', kind == 'finished',
                False, True, account_category.id if account_category else None,
                'required' if life else 'none', life or None, 'none'])
        product = writer._add('product_product', [template, number, number,
                True])
        writer._add('product_template-product_category', [template,
                category.id])
        writer._add('product_cost_price', [company.id, product, cost])
        writer._add('product_list_price', [company.id, template, price])
        if supplier:
            writer._add('purchase_product_supplier', [template, supplier,
                    dt.timedelta(days=lead_time), company.id,
                    company.currency.id, 10, True])
        items.append(Item(product, number, kind, units[unit], cost, price,
                lots, life, supplier, lead_time))
    writer.flush()
    _advance_sequences(categories, used)
    _assign_bins(items, sites, rng)
    return items, writer


def _advance_sequences(categories, used):
    "New products created in the client continue after the demo's codes"
    Sequence = Pool().get('ir.sequence')
    for code, count in used.items():
        sequence = categories[code][0].material_code_sequence
        Sequence.write([sequence], {'number_next': count + 1})


def _assign_bins(items, sites, rng):
    for index, item in enumerate(items):
        for site in sites:
            bins = site.bins[item.kind]
            item.bins[site.warehouse] = bins[index % len(bins)]
        if item.kind == 'finished':
            # one finished good in five is made at the assembly plant
            item.warehouse = sites[1 if rng.random() < 0.2 else 0].warehouse


def create_boms(items, rng, writer):
    "Each finished good uses 4-8 materials; 5% of materials are never used"
    unit = _ref('product', 'uom_unit')
    materials = [i for i, it in enumerate(items) if it.kind != 'finished']
    # the seed's "raw material lying unused for two years"
    unused = set(rng.sample(materials, max(1, len(materials) // 20)))
    usable = [i for i in materials if i not in unused]
    # deal materials round-robin so that nearly every one is consumed
    order = usable[:]
    rng.shuffle(order)
    position = 0
    for item in (it for it in items if it.kind == 'finished'):
        size = min(len(order), rng.randint(4, 8))
        chosen = {order[(position + k) % len(order)] for k in range(size)}
        position += size
        for index in sorted(chosen):
            if items[index].unit == unit:
                qty = rng.choice([1, 1, 2, 2, 4])
            else:
                qty = rng.choice([0.25, 0.5, 1.5, 2.0])
            item.bom.append((index, qty))
        bom = writer._add('production_bom', [f'BOM {item.code}', True,
                False])
        for index, qty in item.bom:
            writer._add('production_bom_input', [bom, items[index].id,
                    qty, items[index].unit])
        writer._add('production_bom_output', [bom, item.id, 1, item.unit])
        writer._add('product_product-production_bom', [item.id, bom, 10])
    writer.flush()
    return unused
