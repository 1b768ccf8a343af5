# This file is part of the factory addons.
"ERP endpoints: where and how to post, per company"
import datetime as dt
import importlib
import inspect

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import ConnectorUnavailable, EndpointError

KINDS = [
    ('receipt', "Receipt"),
    ('issue', "Material Issue"),
    ('transfer', "Transfer"),
    ('delivery', "Delivery"),
    ('count_gain', "Count Gain"),
    ('count_loss', "Count Loss"),
    ]

# system -> (module, class) in the plain-Python connectors package
CLIENTS = {
    'kingdee': ('connectors.kingdee', 'KingdeeClient'),
    'yonyou': ('connectors.yonyou', 'YonyouU8Client'),
    'sap': ('connectors.sap', 'SapClient'),
    }


class Endpoint(DeactivableMixin, ModelSQL, ModelView):
    __string__ = "ERP Endpoint"
    __name__ = 'erp.sync.endpoint'

    name = fields.Char("Name", required=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='CASCADE')
    system = fields.Selection([
            ('kingdee', "Kingdee K3Cloud"),
            ('yonyou', "Yonyou U8"),
            ('sap', "SAP S/4HANA"),
            ], "System", required=True)
    base_url = fields.Char(
        "Base URL", required=True,
        help="For example http://erp.example.com/k3cloud/")
    database = fields.Char(
        "Account / Data Centre",
        help="Kingdee acctID, U8 account or SAP client.")
    organization = fields.Char(
        "Organization", help="Kingdee stock org number or SAP plant.")
    supplier_code = fields.Char(
        "Default Supplier Code",
        help="Supplier sent with receipts that have no supplier shipment.")
    customer_code = fields.Char(
        "Default Customer Code",
        help="Customer sent with deliveries that have no customer shipment.")
    username = fields.Char("User Name")
    # strip=False: a secret may legitimately start or end with spaces.
    # Read access is limited to supervisors by ir.model.field.access.
    password = fields.Char("Password", strip=False)
    app_id = fields.Char("Application ID")
    app_secret = fields.Char("Application Secret", strip=False)
    key_prefix = fields.Char(
        "Key Prefix", required=True, strip=False,
        help="Idempotency keys are this prefix and the move ID. Stored "
        "rather than derived from the database name so that a renamed "
        "database never posts a move again under a new key. "
        "SAP stores the key in 25 characters: keep it short there.")
    warehouses = fields.Many2Many(
        'erp.sync.endpoint-stock.location', 'endpoint', 'location',
        "Warehouses",
        domain=[('type', '=', 'warehouse')],
        help="Only moves of these warehouses are posted; leave empty for all.")
    kinds = fields.MultiSelection(
        KINDS, "Movement Kinds",
        help="Only done moves of these kinds are written to the outbox.")
    max_attempts = fields.Integer(
        "Maximum Attempts", required=True,
        domain=[('max_attempts', '>', 0)],
        help="After that many failed runs a record goes to the dead letters.")
    retry_delay = fields.Integer(
        "Retry Delay", required=True,
        domain=[('retry_delay', '>=', 0)],
        help="Seconds before the first retry; doubled after each failure.")
    timeout = fields.Float(
        "Timeout", required=True, domain=[('timeout', '>', 0)],
        help="Seconds to wait for an answer of the ERP.")
    call_attempts = fields.Integer(
        "Call Attempts", required=True,
        domain=[('call_attempts', '>', 0)],
        help="Attempts per call inside one run (transport errors only).")
    call_backoff = fields.Float(
        "Call Backoff", required=True,
        domain=[('call_backoff', '>=', 0)],
        help="Base seconds of the exponential backoff between call attempts.")
    status = fields.Text("Last Check", readonly=True)
    checked_at = fields.DateTime("Checked at", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('company')
        cls._buttons.update({
                'check_connection': {'icon': 'tryton-launch'},
                'pull': {'icon': 'tryton-import',
                    'invisible': ~Eval('active', False)},
                'compare': {'icon': 'tryton-refresh'},
                'process_outbox': {'icon': 'tryton-forward',
                    'invisible': ~Eval('active', False)},
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_key_prefix():
        name = Transaction().database.name
        name = ''.join(c for c in name if c.isalnum() or c == '_')[:16]
        return 'TRYTON-%s-MOVE-' % (name.upper() or 'DB')

    @staticmethod
    def default_system():
        return 'kingdee'

    @staticmethod
    def default_kinds():
        return [k for k, _ in KINDS]

    @staticmethod
    def default_max_attempts():
        return 8

    @staticmethod
    def default_retry_delay():
        return 60

    @staticmethod
    def default_timeout():
        return 60.0

    @staticmethod
    def default_call_attempts():
        return 5

    @staticmethod
    def default_call_backoff():
        return 0.5

    @classmethod
    def validate_fields(cls, endpoints, field_names):
        super().validate_fields(endpoints, field_names)
        if field_names & {'username', 'password', 'app_id', 'app_secret'}:
            for endpoint in endpoints:
                if not endpoint.username or not (
                        endpoint.password
                        or (endpoint.app_id and endpoint.app_secret)):
                    raise EndpointError(gettext(
                            'erp_sync.msg_endpoint_credentials',
                            endpoint=endpoint.rec_name))

    @classmethod
    def delete(cls, endpoints):
        Outbox = Pool().get('erp.sync.outbox')
        for endpoint in endpoints:
            if Outbox.search([('endpoint', '=', endpoint.id)], limit=1):
                raise EndpointError(gettext(
                        'erp_sync.msg_endpoint_delete_outbox',
                        endpoint=endpoint.rec_name))
        super().delete(endpoints)

    @classmethod
    def copy(cls, endpoints, default=None):
        default = default.copy() if default else {}
        default.setdefault('status')
        default.setdefault('checked_at')
        return super().copy(endpoints, default=default)

    def get_client(self):
        "Return a connector client configured from this endpoint"
        module_name, class_name = CLIENTS[self.system]
        try:
            module = importlib.import_module(module_name)
            Client = getattr(module, class_name)
            from connectors.base import RetryPolicy
        except (ImportError, AttributeError) as exc:
            raise ConnectorUnavailable(gettext(
                    'erp_sync.msg_connector_unavailable',
                    system=self.system, endpoint=self.rec_name,
                    error=str(exc))) from exc
        options = {
            'acct_id': self.database, 'database': self.database,
            'username': self.username, 'password': self.password or None,
            'app_id': self.app_id or None,
            'app_secret': self.app_secret or None,
            'org_number': self.organization, 'plant': self.organization,
            # U8: the calling app account, the enterprise account, the key
            'from_account': self.username, 'to_account': self.database,
            'app_key': self.app_id, 'sap_client': self.database,
            'supplier': self.supplier_code, 'customer': self.customer_code,
            'vendor_code': self.supplier_code,
            'customer_code': self.customer_code,
            'timeout': self.timeout,
            'retry': RetryPolicy(
                attempts=self.call_attempts,
                base_delay=self.call_backoff,
                max_delay=max(self.call_backoff * 60, 0.0)),
            }
        # Clients differ in their keyword names (acct_id vs database...):
        # pass only what the constructor accepts.
        parameters = inspect.signature(Client).parameters
        kwargs = {k: v for k, v in options.items()
            if k in parameters and v is not None}
        if 'password' in kwargs and self.app_id and self.app_secret:
            # Application credentials win: password login is refused by
            # recent public-cloud Kingdee tenants.
            del kwargs['password']
        return Client(self.base_url, **kwargs)

    @classmethod
    @ModelView.button
    def check_connection(cls, endpoints):
        for endpoint in endpoints:
            try:
                with endpoint.get_client() as client:
                    info = client.test_connection()
                endpoint.status = gettext(
                    'erp_sync.msg_endpoint_connection_ok',
                    endpoint=endpoint.rec_name, info=info)
            except Exception as exc:
                endpoint.status = gettext(
                    'erp_sync.msg_endpoint_connection_failed',
                    endpoint=endpoint.rec_name, error=str(exc))
            endpoint.checked_at = dt.datetime.now()
        cls.save(endpoints)

    @classmethod
    @ModelView.button
    def pull(cls, endpoints):
        pool = Pool()
        Material = pool.get('erp.sync.material')
        Snapshot = pool.get('erp.sync.stock.snapshot')
        Material.pull(endpoints)
        Snapshot.pull(endpoints)

    @classmethod
    @ModelView.button
    def compare(cls, endpoints):
        Comparison = Pool().get('erp.sync.stock.comparison')
        Comparison.compare(endpoints)

    @classmethod
    @ModelView.button
    def process_outbox(cls, endpoints):
        Outbox = Pool().get('erp.sync.outbox')
        Outbox.process(endpoints=endpoints)

    @classmethod
    def pull_cron(cls):
        endpoints = cls.search([('active', '=', True)])
        if endpoints:
            cls.pull(endpoints)
            cls.compare(endpoints)

    @classmethod
    def for_moves(cls, company_ids):
        "Active endpoints of the companies (cheap when none: opt-in)"
        if not company_ids:
            return []
        return cls.search([
                ('company', 'in', list(company_ids)),
                ('active', '=', True),
                ])

    def syncs_warehouse(self, warehouse):
        return not self.warehouses or warehouse in self.warehouses


class EndpointWarehouse(ModelSQL):
    __string__ = "ERP Endpoint - Warehouse"
    __name__ = 'erp.sync.endpoint-stock.location'

    endpoint = fields.Many2One(
        'erp.sync.endpoint', "Endpoint", required=True, ondelete='CASCADE')
    location = fields.Many2One(
        'stock.location', "Warehouse", required=True, ondelete='CASCADE',
        domain=[('type', '=', 'warehouse')])

