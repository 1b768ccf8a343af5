# This file is part of factory_stock_ext.  Look-up for the handheld and the
# desktop: a bin -> what is in it; a material or a lot -> where it is, with
# QC state and expiry.  Quantities are stock.figures' (the one rule of
# which locations count), on hand today, in the material's default unit.
from trytond.i18n import gettext
from trytond.model import Model
from trytond.pool import Pool
from trytond.rpc import RPC
from trytond.transaction import Transaction

from . import gs1, scan_sql
from .exceptions_label import LabelError

EPSILON = 1e-9


class Lookup(Model):
    "What the floor holds: bin content and whereabouts of goods"
    __name__ = 'stock.lookup'
    __string__ = "Stock Look-up"

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'scan': RPC(),
                'location_content': RPC(),
                'whereabouts': RPC(),
                })

    @classmethod
    def _check_access(cls):
        Pool().get('ir.model.access').check('stock.move', 'read')

    @classmethod
    def scan(cls, code):
        """Return what a scanned code is and the stock it leads to:
        {'kind': 'location', 'location', 'content': [...]} for a bin, or
        {'kind': 'lot'|'product', 'product', 'lot', 'stock': [...]} for a
        lot number, a barcode, a material code or a GS1 label"""
        pool = Pool()
        Location = pool.get('stock.location')
        cls._check_access()
        code = (code or '').strip()
        locations = Location.search([('code', '=', code)], limit=1)
        if code and locations:
            location, = locations
            return {'kind': 'location', 'location': location.id,
                'content': cls.location_content([location.id])[location.id]}
        rows = scan_sql.resolve_code(code) if code else []
        product = lot = None
        if rows:
            lot, product = rows[0][:2]
        else:
            label = gs1.decode(code)
            products = gs1.product_rows(label)
            if products:
                product = products[0][0]
                if label.lot:
                    row = scan_sql.lot_row(product, number=label.lot)
                    lot = row[0] if row else None
        if not product:
            raise LabelError('lookup_unknown', gettext(
                    'factory_stock_ext.msg_lookup_unknown', code=code))
        return {'kind': 'lot' if lot else 'product', 'product': product,
            'lot': lot, 'stock': cls.whereabouts(
                products=[product], lots=[lot] if lot else None)}

    @classmethod
    def _lines(cls, stock, with_location=True):
        "Rows of on hand figures keyed (location, product, lot)"
        pool = Pool()
        Lot = pool.get('stock.lot')
        Product = pool.get('product.product')
        stock = {k: q for k, q in stock.items() if abs(q) > EPSILON}
        lots = {l.id: l for l in Lot.browse(
                list({k[2] for k in stock if k[2]}))}
        products = {p.id: p for p in Product.browse(
                list({k[1] for k in stock}))}
        lines = []
        for (location, product, lot_id), quantity in sorted(
                stock.items(), key=lambda i: (i[0][0], i[0][1], i[0][2] or 0)):
            lot = lots.get(lot_id)
            line = {
                'product': product,
                'lot': lot_id,
                'quantity': quantity,
                'unit': products[product].default_uom.id,
                'qc_state': lot.qc_state if lot else None,
                'expiration_date': lot.expiration_date if lot else None,
                }
            if with_location:
                line['location'] = location
            lines.append(line)
        return lines

    @classmethod
    def location_content(cls, locations):
        """Return {location id: [{product, lot, quantity, unit, qc_state,
        expiration_date}]}: the goods in each location and below it"""
        Figures = Pool().get('stock.figures')
        cls._check_access()
        location_ids = [int(l) for l in locations]
        # the counted locations below each one, then one figures query
        below = {l: set(Figures.locations(scope=l)) for l in location_ids}
        on_hand = Figures.on_hand(Figures.current_company(),
            locations={c for cs in below.values() for c in cs},
            grouping=('product', 'lot'), per_location=True)
        stock = {}
        for location_id, counted in below.items():
            for (location, product, lot), quantity in on_hand.items():
                if location in counted:
                    key = (location_id, product, lot)
                    stock[key] = stock.get(key, 0) + quantity
        result = {l: [] for l in location_ids}
        for line in cls._lines(stock):
            result[line.pop('location')].append(line)
        return result

    @classmethod
    def whereabouts(cls, products=None, lots=None, warehouse=None):
        """Return [{location, product, lot, quantity, unit, qc_state,
        expiration_date}]: where the products (or just the lots) are, per
        storage location (QC hold and rejected locations included), in the
        warehouse or in all of them"""
        pool = Pool()
        Figures = pool.get('stock.figures')
        Lot = pool.get('stock.lot')
        cls._check_access()
        lot_ids = [int(l) for l in lots or []]
        product_ids = [int(p) for p in products or []]
        if lot_ids:
            product_ids = list({l.product.id for l in Lot.browse(lot_ids)})
        if not product_ids:
            return []
        # the lots asked in the query: a product may have thousands
        stock = Figures.on_hand(Figures.current_company(),
            scope=int(warehouse) if warehouse else None,
            products=product_ids, grouping=('product', 'lot'),
            per_location=True, lots=lot_ids or None)
        return cls._lines(stock)
