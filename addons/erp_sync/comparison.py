# This file is part of the factory addons.
"Stock comparison: our on-hand stock against the ERP's last snapshot"
import datetime as dt

from sql.aggregate import Sum

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.factory_stock_ext import excel
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.report import Report
from trytond.transaction import Transaction

# Below this the two sides agree (float quantities of both systems)
EPSILON = 1e-6


class Comparison(ModelSQL, ModelView):
    __string__ = "Stock Comparison with ERP"
    __name__ = 'erp.sync.stock.comparison'

    endpoint = fields.Many2One(
        'erp.sync.endpoint', "Endpoint", required=True, readonly=True,
        ondelete='CASCADE')
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", readonly=True, ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Product", readonly=True, ondelete='CASCADE')
    product_code = fields.Char("Material Number", readonly=True)
    warehouse_code = fields.Char("Warehouse Code", readonly=True)
    ours = fields.Float("Ours", readonly=True)
    theirs = fields.Float("ERP", readonly=True,
        help="The ERP's own stock: free, in quality inspection and blocked. "
        "Special stocks (consignment…) are not counted.")
    theirs_free = fields.Float("ERP Free", readonly=True)
    theirs_qc = fields.Float("ERP Quality Inspection", readonly=True)
    theirs_blocked = fields.Float("ERP Blocked", readonly=True)
    difference = fields.Float(
        "Difference", readonly=True, help="Ours minus the ERP's.")
    compared_at = fields.DateTime("Compared at", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('endpoint')
        cls._order = [
            ('endpoint', 'ASC'), ('warehouse_code', 'ASC'),
            ('product_code', 'ASC'), ('id', 'ASC')]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('difference', 0) != 0, 'danger', '')),
            ]

    def get_rec_name(self, name):
        return '%s @ %s' % (self.product_code, self.warehouse_code)

    @classmethod
    def compare(cls, endpoints):
        "Replace the comparison rows of the endpoints"
        rows = cls.search([('endpoint', 'in', [e.id for e in endpoints])])
        cls.delete(rows)
        to_create = []
        for endpoint in endpoints:
            to_create.extend(cls._rows(endpoint))
        return cls.create(to_create)

    @classmethod
    def _rows(cls, endpoint):
        pool = Pool()
        Location = pool.get('stock.location')
        Mapping = pool.get('erp.sync.mapping')
        Product = pool.get('product.product')
        Figures = pool.get('stock.figures')
        warehouses = list(endpoint.warehouses) or Location.search(
            [('type', '=', 'warehouse')])
        warehouse_ids = {w.id for w in warehouses}
        # On hand by the one rule of what counts (stock.figures)
        ours = {(w, product): quantity for w in warehouse_ids
            for (product,), quantity in Figures.on_hand(
                endpoint.company, scope=w).items()}
        theirs, unknown = cls._theirs(endpoint, warehouse_ids)
        keys = {k for k, q in ours.items() if abs(q) > EPSILON} | set(theirs)
        products = Product.browse({p for _, p in keys})
        product_codes = Mapping.product_codes(endpoint, products)
        location_codes = Mapping.location_codes(endpoint, warehouses)
        now = dt.datetime.now()
        for warehouse_id, product_id in sorted(keys):
            our_qty = ours.get((warehouse_id, product_id), 0.0)
            split = theirs.get((warehouse_id, product_id), {})
            yield dict(cls._theirs_values(split), **{
                'endpoint': endpoint.id,
                'warehouse': warehouse_id,
                'product': product_id,
                'product_code': product_codes[product_id],
                'warehouse_code': location_codes[warehouse_id],
                'ours': our_qty,
                'difference': round(our_qty - sum(split.values()), 6),
                'compared_at': now,
                })
        # Materials the ERP holds but we cannot match: a difference too
        for (warehouse_id, code), split in sorted(unknown.items()):
            yield dict(cls._theirs_values(split), **{
                'endpoint': endpoint.id,
                'warehouse': warehouse_id,
                'product_code': code,
                'warehouse_code': location_codes[warehouse_id],
                'ours': 0.0,
                'difference': round(-sum(split.values()), 6),
                'compared_at': now,
                })

    @staticmethod
    def _theirs_values(split):
        values = {'theirs_' + t: split.get(t, 0.0)
            for t in ('free', 'qc', 'blocked')}
        values['theirs'] = sum(values.values())
        return values

    @classmethod
    def _theirs(cls, endpoint, warehouse_ids):
        """ERP quantities summed over lots, per (warehouse, product) and
        stock type: {key: {'free': q, 'qc': q, 'blocked': q}}"""
        Snapshot = Pool().get('erp.sync.stock.snapshot')
        snapshot = Snapshot.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*snapshot.select(
                snapshot.warehouse, snapshot.product, snapshot.product_code,
                snapshot.stock_type, Sum(snapshot.quantity),
                where=(snapshot.endpoint == endpoint.id)
                & snapshot.warehouse.in_(list(warehouse_ids) or [-1]),
                group_by=[snapshot.warehouse, snapshot.product,
                    snapshot.product_code, snapshot.stock_type]))
        theirs, unknown = {}, {}
        for warehouse_id, product_id, code, type_, quantity in cursor:
            if product_id is None:
                split = unknown.setdefault((warehouse_id, code), {})
            else:
                split = theirs.setdefault((warehouse_id, product_id), {})
            type_ = type_ or 'free'
            split[type_] = split.get(type_, 0.0) + (quantity or 0.0)
        return theirs, unknown


class ComparisonExcel(Report):
    "Stock comparison as an Excel workbook (openpyxl)"
    __name__ = 'erp.sync.stock.comparison.xlsx'

    @classmethod
    def _execute(cls, records, header, data, action):
        return 'xlsx', cls.workbook(records)

    @classmethod
    def workbook(cls, records):
        "Through the Excel layer: codes and names are written formula-safe"
        styles = excel.styles()
        pool = Pool()
        Comparison = pool.get('erp.sync.stock.comparison')

        book = excel.workbook()
        sheet = book.active
        sheet.title = 'Stock'
        names = ['endpoint', 'warehouse_code', 'product_code', 'product',
            'ours', 'theirs', 'difference']
        # fields_get: the headers in the user's language
        labels = Comparison.fields_get(names)
        excel.append(sheet, [labels[n]['string'] for n in names])
        for cell in sheet[1]:
            cell.font = styles.Font(bold=True)
        highlight = styles.PatternFill('solid', start_color='FFC7CE')
        for record in records:
            excel.append(sheet, [
                    record.endpoint.rec_name, record.warehouse_code,
                    record.product_code,
                    record.product.rec_name if record.product else '',
                    record.ours, record.theirs, record.difference])
            if abs(record.difference or 0) > EPSILON:
                for cell in sheet[sheet.max_row]:
                    cell.fill = highlight
        sheet.freeze_panes = 'A2'
        sheet.auto_filter.ref = sheet.dimensions
        for column, width in zip('ABCDEFG', [20, 14, 18, 30, 12, 12, 12]):
            sheet.column_dimensions[column].width = width
        return excel.save(book)
