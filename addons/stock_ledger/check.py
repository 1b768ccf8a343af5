# Validation of an opening sheet: every problem of every row is collected, by
# row and column, before anything is written. Lookups are batched per kind so
# that 100,000 rows cost a few queries, not one per row.
import datetime as dt
import math
import re
from collections import namedtuple
from decimal import Decimal, InvalidOperation

from trytond.i18n import gettext
from trytond.modules.product import price_digits
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .columns import BY_KEY, label

Problem = namedtuple('Problem', ['row', 'column', 'message'])
# One valid row; product/location/lot are ids or, for records to create,
# ('new', key) tuples resolved when posting.
Line = namedtuple('Line', ['row', 'product', 'warehouse', 'location', 'lot',
        'quantity', 'cost'])

MAX_TEXT = 128
MAX_NUMBER = Decimal('1e12')
COST_DECIMALS = price_digits[1]
DATE_FORMATS = ['%Y-%m-%d', '%Y/%m/%d', '%Y.%m.%d', '%Y%m%d']
# What each kind of import needs in every row
REQUIRED = {
    'opening': ['product_code', 'unit', 'warehouse', 'quantity'],
    'products': ['product_code', 'product_name', 'unit'],
    'locations': ['warehouse', 'location'],
    }
THOUSANDS = re.compile(r'^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$')
CONTROL = re.compile(r'[\x00-\x1f\x7f]')


def _norm(text):
    return ' '.join(str(text).split()).casefold()


class Checker:
    "Turns raw rows into Lines plus the records to create, or Problems"

    def __init__(self, company, kind='opening', create_products=False,
            create_lots=True, create_locations=False):
        self.company = company
        self.kind = kind
        self.create_products = create_products or kind == 'products'
        self.create_lots = create_lots
        self.create_locations = create_locations or kind == 'locations'
        self.problems = []
        self.new_categories = {}    # normalised name -> name
        self.new_products = {}      # code -> {name, unit, category}
        self.new_locations = {}     # (warehouse, code) -> name
        self.new_lots = {}          # (product, number) -> expiry

    def problem(self, row, key, message_id, **variables):
        column = label(BY_KEY[key]) if key else ''
        self.problems.append(Problem(row, column, gettext(
                    'stock_ledger.' + message_id, row=row, column=column,
                    **variables)))

    # --- pass 1: cell types -------------------------------------------
    def parse(self, number, raw):
        "Return a dict of typed values, or None when a cell is invalid"
        values, ok = {}, True
        for key in ['product_code', 'product_name', 'category', 'unit',
                'warehouse', 'location', 'lot']:
            value = self._text(number, key, raw.get(key))
            ok &= value is not False
            values[key] = value or None
        for key in ['quantity', 'unit_cost']:
            value = self._number(number, key, raw.get(key))
            ok &= value is not False
            values[key] = value
        values['expiry'] = self._date(number, raw.get('expiry'))
        ok &= values['expiry'] is not False
        for key in REQUIRED[self.kind]:
            if values[key] is None and raw.get(key) is None:
                self.problem(number, key, 'msg_opening_required')
                ok = False
        quantity = values['quantity']
        if isinstance(quantity, Decimal) and quantity <= 0:
            self.problem(number, 'quantity', 'msg_opening_quantity_positive',
                value=quantity)
            ok = False
        cost = values['unit_cost']
        if isinstance(cost, Decimal):
            if cost < 0:
                self.problem(number, 'unit_cost', 'msg_opening_cost_negative',
                    value=cost)
                ok = False
            elif cost.as_tuple().exponent < -COST_DECIMALS:
                self.problem(number, 'unit_cost', 'msg_opening_cost_digits',
                    value=cost, digits=COST_DECIMALS)
                ok = False
        if values['expiry'] and not values['lot']:
            self.problem(number, 'expiry', 'msg_opening_expiry_without_lot')
            ok = False
        return values if ok else None

    def _text(self, number, key, value):
        if value is None:
            return None
        if isinstance(value, bool) or isinstance(value, (dt.date,
                    dt.time, dt.timedelta)):
            self.problem(number, key, 'msg_opening_not_text',
                value=str(value))
            return False
        if isinstance(value, float):
            if not math.isfinite(value) or value != int(value):
                self.problem(number, key, 'msg_opening_not_text',
                    value=str(value))
                return False
            value = int(value)
        text = str(value).strip()
        if CONTROL.search(text):
            self.problem(number, key, 'msg_opening_control_characters')
            return False
        if len(text) > MAX_TEXT:
            self.problem(number, key, 'msg_opening_too_long',
                length=MAX_TEXT)
            return False
        return text

    def _number(self, number, key, value):
        if value is None:
            return None
        parsed = None
        if isinstance(value, bool):
            parsed = None
        elif isinstance(value, int):
            parsed = Decimal(value)
        elif isinstance(value, float):
            if math.isfinite(value):
                parsed = Decimal(repr(value))
        elif isinstance(value, Decimal):
            parsed = value
        elif isinstance(value, str):
            text = value.strip()
            if THOUSANDS.match(text):
                text = text.replace(',', '')
            try:
                parsed = Decimal(text)
            except (InvalidOperation, ValueError):
                parsed = None
        if parsed is None or not parsed.is_finite():
            self.problem(number, key, 'msg_opening_not_number',
                value=str(value)[:40])
            return False
        if abs(parsed) >= MAX_NUMBER:
            self.problem(number, key, 'msg_opening_too_large',
                value=str(value)[:40])
            return False
        return parsed.normalize() if parsed else Decimal(0)

    def _date(self, number, value):
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip() if isinstance(value, (str, int)) else ''
        if not isinstance(value, bool):
            for format_ in DATE_FORMATS:
                try:
                    date = dt.datetime.strptime(text, format_).date()
                except ValueError:
                    continue
                if 1900 <= date.year <= 2200:
                    return date
        self.problem(number, 'expiry', 'msg_opening_bad_date',
            value=str(value)[:40])
        return False

    # --- pass 2: against the database ---------------------------------
    def check(self, rows):
        "Return the list of Lines; self.problems holds what is wrong"
        lines = self._check(rows)
        self.problems.sort(key=lambda p: p.row)
        return lines

    def _check(self, rows):
        parsed = []
        for number, raw in rows:
            values = self.parse(number, raw)
            if values is not None:
                parsed.append((number, values))
        if not parsed:
            if not self.problems:
                self.problem(0, None, 'msg_opening_no_rows')
            return []
        self._load(parsed)
        if self.kind != 'opening':
            for number, values in parsed:
                self._resolve_master(number, values)
            return []
        lines, seen, lot_owner, lot_expiry = [], {}, {}, {}
        for number, values in parsed:
            line = self._resolve(number, values, lot_owner, lot_expiry)
            if line is None:
                continue
            key = (line.product, line.location, line.lot)
            if key in seen:
                self.problem(number, 'product_code',
                    'msg_opening_duplicate_row', other=seen[key])
                continue
            seen[key] = number
            lines.append(line)
        return lines

    def _load(self, parsed):
        pool = Pool()
        Product = pool.get('product.product')
        Uom = pool.get('product.uom')
        Category = pool.get('product.category')
        Location = pool.get('stock.location')
        Lot = pool.get('stock.lot')

        def collect(key):
            return sorted({v[key] for _, v in parsed if v[key]})

        with Transaction().set_context(active_test=False):
            self.products = {}
            for sub in grouped_slice(collect('product_code'), 1000):
                for product in Product.search([('code', 'in', list(sub))]):
                    self.products[product.code] = product
        self.units = {}
        for lang in ['en', Transaction().language]:
            with Transaction().set_context(language=lang):
                for unit in Uom.search([]):
                    for text in (unit.symbol, unit.name):
                        self.units.setdefault(_norm(text), unit)
        self.categories = {}
        for category in Category.search([]):
            for text in (category.name, category.rec_name):
                self.categories.setdefault(_norm(text), category)
        self.warehouses = {}
        for warehouse in Location.search([('type', '=', 'warehouse')]):
            for text in (warehouse.code, warehouse.name):
                if text:
                    self.warehouses.setdefault(_norm(text), warehouse)
        names = collect('location')
        self.locations = {}
        for sub in grouped_slice(names, 500):
            for location in Location.search(['OR',
                        ('code', 'in', list(sub)),
                        ('name', 'in', list(sub))]):
                for text in {location.code, location.name}:
                    if text:
                        self.locations.setdefault(_norm(text), []).append(
                            location)
        self.lots = {}
        for sub in grouped_slice(collect('lot'), 1000):
            for lot in Lot.search([('number', 'in', list(sub))]):
                self.lots.setdefault(lot.number, []).append(lot)

    def _resolve(self, number, v, lot_owner, lot_expiry):
        ok = True
        unit = self.units.get(_norm(v['unit']))
        if unit is None:
            self.problem(number, 'unit', 'msg_opening_unknown_unit',
                value=v['unit'])
            ok = False
        product = self._product(number, v, unit)
        ok &= product is not None
        warehouse = self.warehouses.get(_norm(v['warehouse']))
        if warehouse is None:
            self.problem(number, 'warehouse', 'msg_opening_unknown_warehouse',
                value=v['warehouse'])
            return None
        location = self._location(number, v['location'], warehouse)
        ok &= location is not None
        lot = None
        if product is not None and ok:
            lot = self._lot(number, v, product, lot_owner, lot_expiry)
            ok &= lot is not False
        if not ok:
            return None
        quantity = v['quantity']
        if float(unit.round(float(quantity))) != float(quantity):
            self.problem(number, 'quantity', 'msg_opening_quantity_digits',
                value=quantity, unit=unit.rec_name)
            return None
        cost = v['unit_cost']
        if cost is None:
            if isinstance(product, tuple):
                self.problem(number, 'unit_cost', 'msg_opening_cost_required')
                return None
            cost = self.products[v['product_code']].cost_price
        product_id = product if isinstance(product, tuple) else product.id
        return Line(number, product_id, warehouse.id, location, lot,
            quantity, cost)

    def _resolve_master(self, number, v):
        "Products or bins alone: existing ones are left as they are"
        if self.kind == 'products':
            unit = self.units.get(_norm(v['unit']))
            if unit is None:
                self.problem(number, 'unit', 'msg_opening_unknown_unit',
                    value=v['unit'])
            elif v['product_code'] not in self.products:
                self._product(number, v, unit)
            return
        warehouse = self.warehouses.get(_norm(v['warehouse']))
        if warehouse is None:
            self.problem(number, 'warehouse', 'msg_opening_unknown_warehouse',
                value=v['warehouse'])
        else:
            self._location(number, v['location'], warehouse)

    def _product(self, number, v, unit):
        code = v['product_code']
        product = self.products.get(code)
        if product is not None:
            if not product.active:
                self.problem(number, 'product_code',
                    'msg_opening_product_inactive', code=code)
                return None
            if product.type != 'goods':
                self.problem(number, 'product_code',
                    'msg_opening_product_not_goods', code=code)
                return None
            if unit is not None and unit != product.default_uom:
                self.problem(number, 'unit', 'msg_opening_unit_mismatch',
                    code=code, value=v['unit'],
                    unit=product.default_uom.rec_name)
                return None
            return product
        if not self.create_products:
            self.problem(number, 'product_code',
                'msg_opening_unknown_product', code=code)
            return None
        if not v['product_name']:
            self.problem(number, 'product_name',
                'msg_opening_new_product_name', code=code)
            return None
        category = None
        if v['category']:
            category = self.categories.get(_norm(v['category']))
            if category is None:
                self.new_categories[_norm(v['category'])] = v['category']
                category = ('new', _norm(v['category']))
        definition = {'name': v['product_name'], 'unit': unit,
            'category': category}
        if unit is None:
            return None
        known = self.new_products.setdefault(code, definition)
        if known != definition:
            self.problem(number, 'product_code',
                'msg_opening_product_inconsistent', code=code)
            return None
        return ('new', code)

    def _location(self, number, name, warehouse):
        if not name:
            return warehouse.storage_location.id
        candidates = self.locations.get(_norm(name), [])
        storage = warehouse.storage_location
        inside = [l for l in candidates
            if storage.left <= l.left and l.right <= storage.right]
        if inside:
            inside.sort(key=lambda l: l.code != name)
            location = inside[0]
            if location.type != 'storage':
                self.problem(number, 'location',
                    'msg_opening_location_not_storage', value=name)
                return None
            return location.id
        if candidates:
            self.problem(number, 'location',
                'msg_opening_location_not_in_warehouse', value=name,
                warehouse=warehouse.rec_name)
            return None
        if not self.create_locations:
            self.problem(number, 'location', 'msg_opening_unknown_location',
                value=name)
            return None
        self.new_locations[(warehouse.id, name)] = name
        return ('new', warehouse.id, name)

    def _lot(self, number, v, product, lot_owner, lot_expiry):
        "Return a lot id, a ('new', ...) key, None (no lot) or False"
        code, lot_number, expiry = v['product_code'], v['lot'], v['expiry']
        if not lot_number:
            required = (self.products[code].lot_required
                if code in self.products else None) or []
            if {'storage', 'lost_found'} & set(required):
                self.problem(number, 'lot', 'msg_opening_lot_required',
                    code=code)
                return False
            return None
        owner = lot_owner.setdefault(lot_number, (code, number))
        if owner[0] != code:
            self.problem(number, 'lot', 'msg_opening_lot_duplicate',
                lot=lot_number, other=owner[1])
            return False
        existing = self.lots.get(lot_number, [])
        others = [l for l in existing if l.product.code != code]
        if others:
            self.problem(number, 'lot', 'msg_opening_lot_other_product',
                lot=lot_number, code=others[0].product.rec_name)
            return False
        mine = [l for l in existing if l.product.code == code]
        if expiry is not None:
            first = lot_expiry.setdefault(lot_number, expiry)
            if first != expiry or (mine and mine[0].expiration_date
                    and mine[0].expiration_date != expiry):
                self.problem(number, 'expiry', 'msg_opening_lot_expiry',
                    lot=lot_number)
                return False
        if mine:
            return mine[0].id
        if not self.create_lots:
            self.problem(number, 'lot', 'msg_opening_unknown_lot',
                lot=lot_number)
            return False
        product_key = product.id if not isinstance(product, tuple) else product
        self.new_lots.setdefault((product_key, lot_number), expiry)
        return ('new', product_key, lot_number)
