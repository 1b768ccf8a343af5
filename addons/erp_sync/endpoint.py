# This file is part of the factory addons.
"ERP endpoints: where and how to post, per company"
import datetime as dt
import importlib
import inspect
import json

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .check import CheckMixin
from .credentials import CredentialsMixin
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
# Where each system stores our idempotency key, and its length (SAP: API Hub spec,
# connectors/tests/vendor_samples/sap/field_lengths.json); None = no known limit.
KEY_LIMITS = {'sap': 25}
# Longest move id we plan for: 10 digits (a 32-bit id)
MOVE_ID_DIGITS = 10


class Endpoint(CheckMixin, CredentialsMixin, DeactivableMixin, ModelSQL,
        ModelView):
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
    # password and app_secret (write-only, encrypted at rest): credentials.py
    app_id = fields.Char("Application ID")
    key_prefix = fields.Char(
        "Key Prefix", required=True, strip=False,
        help="Idempotency keys are this prefix and the move ID. Stored "
        "rather than derived from the database name so that a renamed "
        "database never posts a move again under a new key. "
        "SAP stores the key in 25 characters: keep it short there.")
    options = fields.Text(
        "Connector Options",
        help="JSON object of extra settings passed to the connector, for "
        "what a site must confirm with its ERP team, e.g. "
        "{\"movement_types\": {\"delivery\": null}} for SAP or "
        "{\"vouchers\": {\"delivery\": \"otherout\"}} for U8.")
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
    attention = fields.Boolean(
        "Needs Attention", readonly=True,
        help="The ERP refused the credentials or rights while posting: "
        "posting to it stopped until a supervisor fixes the setup and "
        "tests the connection again.")

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

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('attention', False), 'danger', '')),
            ]

    @staticmethod
    def default_key_prefix():
        # Short: SAP keeps the key in MaterialDocumentHeaderText (25
        # characters), and a key is this prefix and a move id of up to 10
        # digits.
        name = Transaction().database.name
        name = ''.join(c for c in name if c.isalnum())[:6]
        return 'T%s-' % (name.upper() or 'DB')

    @staticmethod
    def default_attention():
        return False

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
        if field_names & {'username', 'password', 'app_id', 'app_secret',
                'password_encrypted', 'app_secret_encrypted'}:
            for endpoint in endpoints:
                if not endpoint.username or not (
                        endpoint.password_encrypted
                        or (endpoint.app_id
                            and endpoint.app_secret_encrypted)):
                    raise EndpointError(gettext(
                            'erp_sync.msg_endpoint_credentials',
                            endpoint=endpoint.rec_name))
        if field_names & {'key_prefix', 'system'}:
            for endpoint in endpoints:
                limit = KEY_LIMITS.get(endpoint.system)
                length = len(endpoint.key_prefix or '') + MOVE_ID_DIGITS
                if limit and length > limit:
                    raise EndpointError(gettext(
                            'erp_sync.msg_endpoint_key_length',
                            endpoint=endpoint.rec_name,
                            prefix=endpoint.key_prefix, length=length,
                            limit=limit))
        if field_names & {'options'}:
            for endpoint in endpoints:
                endpoint.client_options()

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
        default.setdefault('attention', False)
        return super().copy(endpoints, default=default)

    def client_options(self):
        "The JSON options as a dict; a clear error when they are not one"
        if not self.options:
            return {}
        try:
            options = json.loads(self.options)
        except ValueError as exc:
            options, error = None, str(exc)
        else:
            error = ''
        if not isinstance(options, dict):
            raise EndpointError(gettext(
                    'erp_sync.msg_endpoint_options',
                    endpoint=self.rec_name, error=error))
        return options

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
        password, app_secret = self.plain_credentials()
        options = {
            'acct_id': self.database, 'database': self.database,
            'username': self.username, 'password': password,
            'app_id': self.app_id or None,
            'app_secret': app_secret,
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
        kwargs.update({k: v for k, v in self.client_options().items()
                if k in parameters})
        if 'password' in kwargs and self.app_id and app_secret:
            # Application credentials win: password login is refused by
            # recent public-cloud Kingdee tenants.
            del kwargs['password']
        return Client(self.base_url, **kwargs)

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

