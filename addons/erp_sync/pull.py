# This file is part of the factory addons.
"""Pull side: the ERP's material master and on-hand stock, as snapshots.

A pull replaces the endpoint's previous snapshot inside one transaction:
if the ERP fails half-way the old snapshot stays (nothing partial written).
Rows are inserted with plain SQL in chunks: a stock pull can hold 100k rows.
"""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import EndpointError

CHUNK = 1000
STOCK_TYPES = [
    ('free', "Free"),
    ('qc', "Quality Inspection"),
    ('blocked', "Blocked"),
    ]


class _SnapshotMixin:
    __slots__ = ()
    endpoint = fields.Many2One(
        'erp.sync.endpoint', "Endpoint", required=True, readonly=True,
        ondelete='CASCADE')
    pulled_at = fields.DateTime("Pulled at", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('endpoint')

    @classmethod
    def pull(cls, endpoints):
        for endpoint in endpoints:
            try:
                with endpoint.get_client() as client:
                    rows = cls._remote_rows(client)
                    cls._replace(endpoint, rows)
            except EndpointError:
                raise
            except Exception as exc:
                # Raising rolls the whole transaction back: old snapshot kept
                raise EndpointError(gettext(
                        'erp_sync.msg_endpoint_pull_failed',
                        endpoint=endpoint.rec_name,
                        error=endpoint.redact(getattr(exc, 'message', None)
                            or str(exc)))) from None

    @classmethod
    def _replace(cls, endpoint, rows):
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.delete(where=table.endpoint == endpoint.id))
        now = dt.datetime.now()
        columns = [table.create_uid, table.create_date, table.endpoint,
            table.pulled_at] + [
            getattr(table, c) for c in cls._columns()]
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                cls._insert(cursor, table, columns, endpoint, now, chunk)
                chunk = []
        if chunk:
            cls._insert(cursor, table, columns, endpoint, now, chunk)

    @classmethod
    def _insert(cls, cursor, table, columns, endpoint, now, rows):
        user = Transaction().user
        values = [[user, now, endpoint.id, now] + list(r)
            for r in cls._resolve(endpoint, rows)]
        cursor.execute(*table.insert(columns, values))

    @classmethod
    def _columns(cls):
        raise NotImplementedError

    @classmethod
    def _remote_rows(cls, client):
        raise NotImplementedError

    @classmethod
    def _resolve(cls, endpoint, rows):
        raise NotImplementedError


class Material(_SnapshotMixin, ModelSQL, ModelView):
    __string__ = "ERP Material"
    __name__ = 'erp.sync.material'

    code = fields.Char("Code", readonly=True)
    name = fields.Char("Name", readonly=True)
    uom = fields.Char("Unit", readonly=True)
    group = fields.Char("Group", readonly=True)
    remote_active = fields.Boolean("Active in ERP", readonly=True)
    product = fields.Many2One(
        'product.product', "Product", readonly=True, ondelete='SET NULL',
        help="Our product for this material (mapping, then product code).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(
                t, (t.endpoint, Index.Equality()), (t.code, Index.Equality())))
        cls._order = [('endpoint', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    def get_rec_name(self, name):
        return '[%s] %s' % (self.code, self.name or '')

    @classmethod
    def _columns(cls):
        return ['code', 'name', 'uom', 'group', 'remote_active', 'product']

    @classmethod
    def _remote_rows(cls, client):
        return client.iter_materials()

    @classmethod
    def _resolve(cls, endpoint, rows):
        Mapping = Pool().get('erp.sync.mapping')
        products = Mapping.products_by_code(endpoint, {m.code for m in rows})
        for m in rows:
            yield [m.code, m.name, m.uom, m.group, bool(m.active),
                products.get(m.code)]


class StockSnapshot(_SnapshotMixin, ModelSQL, ModelView):
    __string__ = "ERP Stock"
    __name__ = 'erp.sync.stock.snapshot'

    product_code = fields.Char("Material Number", readonly=True)
    warehouse_code = fields.Char("Warehouse Code", readonly=True)
    lot = fields.Char("Lot", readonly=True)
    stock_type = fields.Selection(STOCK_TYPES, "Stock Type", readonly=True,
        help="How the ERP holds the quantity: free to use, in quality "
        "inspection or blocked (SAP stock types).")
    quantity = fields.Float("Quantity", readonly=True)
    product = fields.Many2One(
        'product.product', "Product", readonly=True, ondelete='SET NULL')
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", readonly=True, ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(
                t, (t.endpoint, Index.Equality()),
                (t.product_code, Index.Equality())))
        cls._order = [
            ('endpoint', 'ASC'), ('product_code', 'ASC'),
            ('warehouse_code', 'ASC'), ('id', 'ASC')]

    def get_rec_name(self, name):
        return '%s @ %s' % (self.product_code, self.warehouse_code)

    @classmethod
    def _columns(cls):
        return ['product_code', 'warehouse_code', 'lot', 'stock_type',
            'quantity', 'product', 'warehouse']

    @classmethod
    def _remote_rows(cls, client):
        return client.iter_stock()

    @classmethod
    def _resolve(cls, endpoint, rows):
        Mapping = Pool().get('erp.sync.mapping')
        products = Mapping.products_by_code(
            endpoint, {r.product_code for r in rows})
        warehouses = Mapping.warehouses_by_code(
            endpoint, {r.warehouse_code for r in rows})
        for r in rows:
            yield [r.product_code, r.warehouse_code, r.lot or '',
                getattr(r, 'stock_type', 'free') or 'free',
                float(r.quantity), products.get(r.product_code),
                warehouses.get(r.warehouse_code)]
