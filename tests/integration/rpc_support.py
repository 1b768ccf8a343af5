"""Shared by the issue 17 RPC tests: the roles, a JSON-RPC call as one of
them, the models our addons add or extend, and one record of each model
that the tests can put in any state."""
import contextlib
import datetime as dt
from unittest.mock import patch

from sql import Table

from trytond.model import ModelSQL, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

ADDONS = ['factory_stock_ext', 'stock_safety_alert', 'stocktake_mobile',
    'erp_sync', 'stock_ledger']
ROLES = ['group_factory_clerk', 'group_factory_supervisor',
    'group_factory_qc', 'group_factory_planner', 'group_factory_counter']
ERP_TEST_KEY = 'mJ1kq0Xc7w3H7l1pB1yq1c3PqCz3uYc5o0b3wJx2m5k='


def users(company, suffix=''):
    "{role: user} of `company` (its only company)"
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    return {role: User.create([{'login': role + suffix, 'name': role,
                    'groups': [('add', [ModelData.get_id(
                                        'factory_stock_ext', role)])],
                    'companies': [('add', [company.id])],
                    'company': company.id}])[0]
        for role in ROLES}


def rpc(user, model, method, *args):
    "Call model.method(*args) as a JSON-RPC client of `user` would"
    pool = Pool()
    Model = pool.get(model)
    rpc = Model.__rpc__[method]
    transaction = Transaction()
    with transaction.set_user(user.id):
        c_args, c_kwargs, context, _ = rpc.convert(
            Model, *args, {'company': user.company.id,
                '_check_access': False})
        with transaction.set_context(context):
            return rpc.result(rpc.decorate(getattr(Model, method))(
                    *c_args, **c_kwargs))


@contextlib.contextmanager
def every_model_access():
    """Each role granted every model and field access: what is refused then
    is refused by the model (its checks) or its record rules"""
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    FieldAccess = pool.get('ir.model.field.access')
    with patch.object(ModelAccess, 'check', return_value=True), \
            patch.object(FieldAccess, 'check', return_value=True):
        yield


@contextlib.contextmanager
def savepoint():
    "Undo whatever happens inside (a refused call may abort it on PG)"
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    cursor.execute('SAVEPOINT rpc17')
    try:
        yield
    finally:
        cursor.execute('ROLLBACK TO SAVEPOINT rpc17')
        transaction.cache.clear()
        # a refused delete leaves its ids there: later deletes skip them
        transaction.delete_records.clear()


def addon_models():
    """{name: Model} of the stored models our addons add or extend that a
    client reaches (read over RPC)"""
    pool = Pool()
    result = {}
    for name, Model in pool.iterobject():
        if (not issubclass(Model, ModelSQL) or Model._is_table_query()
                or 'read' not in Model.__rpc__):
            continue
        if any(c.__module__.split('.')[2:3] in ([a] for a in ADDONS)
                for c in Model.__mro__
                if c.__module__.startswith('trytond.modules.')):
            result[name] = Model
    return result


def set_columns(record, **values):
    """Put values straight in the record's row, as its workflow would have
    left them (no check runs)"""
    if not values:
        return record
    table = Table(record.__table__()._name)
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.update(
            [getattr(table, k) for k in values], list(values.values()),
            where=table.id == record.id))
    Transaction().cache.clear()
    return record.__class__(record.id)


class Records:
    """One record of each model, made by root in `company`, each in the
    state a new record starts in.  make(model) gives it; models without a
    maker here are the ones the tests report as not covered."""

    def __init__(self, company):
        pool = Pool()
        Location = pool.get('stock.location')
        ModelData = pool.get('ir.model.data')
        self.company = company
        self.pool = pool
        self.unit = ModelData.get_id('product', 'uom_unit')
        self.loc = {l.code: l for l in Location.search([
                    ('code', 'in', ['WH', 'STO', 'IN', 'OUT', 'SUP', 'CUS'])])}
        self.production_location, = Location.search(
            [('type', '=', 'production')], limit=1)
        self._cache = {}

    def create(self, model, **values):
        Model = self.pool.get(model)
        defaults = Model.default_get(
            [n for n, f in Model._fields.items()
                if not isinstance(f, (fields.Function, fields.One2Many,
                        fields.Many2Many))], with_rec_name=False)
        record, = Model.create([{**defaults, **values}])
        return record

    def make(self, model):
        maker = getattr(self, 'make_' + model.replace('.', '_'), None)
        if maker is None:
            return None
        with Transaction().set_user(0), Transaction().set_context(
                company=self.company.id, companies=[self.company.id]):
            return maker()

    def once(self, model):
        if model not in self._cache:
            self._cache[model] = self.make(model)
        return self._cache[model]

    def make_product_product(self):
        template = self.create('product.template', name='P', type='goods',
            default_uom=self.unit, products=[('create', [{}])])
        return template.products[0]

    def make_party_party(self):
        return self.create('party.party', name='Party',
            addresses=[('create', [{}])])

    def make_stock_move(self):
        return self.create('stock.move', product=self.once(
                'product.product').id, from_location=self.loc['IN'].id,
            to_location=self.loc['STO'].id, quantity=1, unit=self.unit,
            company=self.company.id)

    def make_stock_inventory(self):
        return self.create('stock.inventory', location=self.loc['STO'].id,
            company=self.company.id)

    def make_production(self):
        return self.create('production', company=self.company.id,
            warehouse=self.loc['WH'].id,
            location=self.production_location.id)

    def make_stock_shipment_in(self):
        return self.create('stock.shipment.in', company=self.company.id,
            supplier=self.once('party.party').id,
            warehouse=self.loc['WH'].id,
            warehouse_input=self.loc['IN'].id,
            warehouse_storage=self.loc['STO'].id)

    def make_stock_shipment_out(self):
        party = self.once('party.party')
        return self.create('stock.shipment.out', company=self.company.id,
            customer=party.id, delivery_address=party.addresses[0].id,
            warehouse=self.loc['WH'].id,
            warehouse_output=self.loc['OUT'].id,
            warehouse_storage=self.loc['STO'].id)

    def make_stock_shipment_internal(self):
        return self.create('stock.shipment.internal',
            company=self.company.id, from_location=self.loc['STO'].id,
            to_location=self.loc['IN'].id)

    def make_quality_control(self):
        return self.create('quality.control', name='Check',
            company=self.company.id, points=[('create', [{
                            'name': 'hardness', 'string': 'Hardness',
                            'type_': 'float'}])])

    def make_quality_inspection(self):
        return self.create('quality.inspection', company=self.company.id,
            control=self.once('quality.control').id)

    def make_stock_lot(self):
        return self.create('stock.lot', number='L1',
            product=self.once('product.product').id)

    def make_stocktake_task(self):
        return self.create('stocktake.task', company=self.company.id,
            warehouse=self.loc['WH'].id)

    def make_stocktake_program(self):
        return self.create('stocktake.program', company=self.company.id,
            name='Program', warehouse=self.loc['WH'].id,
            start_date=dt.date(2020, 1, 1))

    def make_stock_scan_session(self):
        shipment = self.once('stock.shipment.in')
        return self.create('stock.scan.session',
            document=str(shipment), kind=self.first('stock.scan.session',
                'kind'))

    def make_stock_scan_line(self):
        # as the scan check's own writes (ScanLine.create is the check)
        with Transaction().set_context(_scan_checked=True):
            return self.create('stock.scan.line',
                session=self.once('stock.scan.session').id, code='X',
                result=self.first('stock.scan.line', 'result'))

    def make_erp_sync_endpoint(self):
        from trytond import config
        if not config.has_section('erp_sync'):
            config.add_section('erp_sync')
        if not config.get('erp_sync', 'secret_key', default=None):
            # any Fernet key: the password is encrypted at rest
            config.set('erp_sync', 'secret_key', ERP_TEST_KEY)
        return self.create('erp.sync.endpoint', name='ERP',
            company=self.company.id, base_url='http://127.0.0.1:9/',
            username='u', password='p')

    def make_erp_sync_outbox(self):
        move = self.once('stock.move')
        return self.create('erp.sync.outbox',
            endpoint=self.once('erp.sync.endpoint').id,
            company=self.company.id, move=move.id, key=f'K{move.id}',
            kind=self.first('erp.sync.outbox', 'kind'),
            date=dt.date(2020, 1, 1), payload='{}')

    def make_stock_alert(self):
        return self.create('stock.alert', company=self.company.id,
            type=self.first('stock.alert', 'type'),
            key=f'rpc17-{self.company.id}')

    def make_stock_alert_history(self):
        return self.create('stock.alert.history', company=self.company.id,
            date=dt.date(2020, 1, 1),
            type=self.first('stock.alert', 'type'))

    def make_stock_safety_parameter(self):
        return self.create('stock.safety.parameter',
            company=self.company.id,
            product=self.once('product.product').id,
            warehouse=self.loc['WH'].id)

    def make_stock_ledger_reconcile(self):
        return self.create('stock.ledger.reconcile', company=self.company.id,
            date=dt.date(2020, 1, 1))

    def make_stock_ledger_stock_date(self):
        return self.create('stock.ledger.stock_date',
            company=self.company.id, date=dt.date(2020, 1, 1))

    def make_stock_opening_import(self):
        return self.create('stock.opening.import', company=self.company.id,
            kind=self.first('stock.opening.import', 'kind'),
            digest=f'rpc17-{self.company.id}')

    def make_res_user_application(self):
        return self.create('res.user.application', key='k' * 32,
            application='factory_scan', user=1)

    def make_stocktake_signin_token(self):
        # through issue(): the token is stored hashed, as the wizard does
        Token = self.pool.get('stocktake.signin_token')
        User = self.pool.get('res.user')
        record, _ = Token.issue(User(1), company=self.company.id)
        return record

    def endpoint_child(self, model, **values):
        return self.create(model,
            endpoint=self.once('erp.sync.endpoint').id, **values)

    def make_erp_sync_mapping(self):
        return self.endpoint_child('erp.sync.mapping', remote_code='R1',
            type='location', location=self.loc['WH'].id)

    def make_erp_sync_material(self):
        return self.endpoint_child('erp.sync.material')

    def make_erp_sync_stock_comparison(self):
        return self.endpoint_child('erp.sync.stock.comparison')

    def make_erp_sync_stock_snapshot(self):
        return self.endpoint_child('erp.sync.stock.snapshot',
            stock_type=self.first('erp.sync.stock.snapshot', 'stock_type'))

    def make_stock_inventory_line(self):
        return self.create('stock.inventory.line',
            inventory=self.once('stock.inventory').id,
            product=self.once('product.product').id, expected_quantity=0)

    def reconcile_child(self, model, **values):
        return self.create(model,
            reconcile=self.once('stock.ledger.reconcile').id, **values)

    def make_stock_ledger_reconcile_account(self):
        return self.reconcile_child('stock.ledger.reconcile.account')

    def make_stock_ledger_reconcile_value(self):
        return self.reconcile_child('stock.ledger.reconcile.value')

    def make_stock_ledger_reconcile_difference(self):
        return self.reconcile_child('stock.ledger.reconcile.difference',
            kind=self.first('stock.ledger.reconcile.difference', 'kind'))

    def make_stocktake_task_line(self):
        return self.create('stocktake.task.line',
            task=self.once('stocktake.task').id,
            location=self.loc['STO'].id,
            product=self.once('product.product').id)

    def make_stocktake_count(self):
        line = self.once('stocktake.task.line')
        return self.create('stocktake.count', task=line.task.id,
            line=line.id, quantity=1, counted_at=dt.datetime(2020, 1, 1))

    def make_stocktake_program_class(self):
        program = self.once('stocktake.program')
        # a program starts with a class of each ABC class
        return program.classes[0] if program.classes else self.create(
            'stocktake.program.class', program=program.id, abc_class='A',
            frequency=30)

    def first(self, model, name):
        Model = self.pool.get(model)
        selection = Model.fields_get([name])[name]['selection']
        return [k for k, _ in selection if k][0]
