# Fixtures shared by test_qc, test_scan, test_scan_api and
# test_scan_concurrency (call them inside a transaction).
#
# factory() is the start of most of these tests (~0.5 s on SQLite, 1-3 s on a
# busy PostgreSQL). A class whose every test calls it derives from
# FactoryTestCase: the records are made once with the class's database (and
# cached with it), and factory() finds them there.
import contextlib
import datetime as dt
import functools
from types import SimpleNamespace

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .db_test_case import DBTestCase


def tx(func):
    """with_transaction whose contexts (company) are closed before the
    transaction ends, also when Tryton restarts it to take a row lock"""
    @with_transaction(context={'_skip_warnings': True})
    @functools.wraps(func)
    def wrapper(self):
        with contextlib.ExitStack() as stack:
            self._stack = stack
            return func(self)
    return wrapper


def user_in(xml_ids, login, company):
    "Create a user in the given factory groups (plus stock group)"
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    groups = [ModelData.get_id(*x.split('.')) for x in xml_ids]
    user, = User.create([{'name': login, 'login': login,
                'companies': [('add', [company.id])], 'company': company.id,
                'groups': [('add', groups)]}])
    return user



def scan_keys(users):
    "{name: key} of a validated factory_scan key made for each user"
    Application = Pool().get('res.user.application')
    applications = Application.create([{'user': user.id,
                'application': 'factory_scan', 'state': 'validated'}
            for user in users.values()])
    return {name: a.key for name, a in zip(users, applications)}


def factory(stack, qc=True, scan=False, tolerance=None):
    "Company, a warehouse with QC/rejected locations and bins, 3 products"
    Location = Pool().get('stock.location')
    if _built:
        f = _find()
        stack.enter_context(set_company(f.company))
    else:
        f = _make(stack)
    Location.write([f.warehouse], {'qc_required': qc,
            'scan_required': scan, 'issue_tolerance': tolerance})
    return f


def _make(stack):
    "The records of factory(), made in their company"
    pool = Pool()
    Location = pool.get('stock.location')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Party = pool.get('party.party')
    Lot = pool.get('stock.lot')
    Identifier = pool.get('product.identifier')
    company = create_company()
    stack.enter_context(set_company(company))
    warehouse, = Location.search([('type', '=', 'warehouse')])
    storage = warehouse.storage_location
    qc_location, rejected = Location.create([
            {'name': 'QC Hold', 'code': 'QC', 'type': 'storage',
                'parent': warehouse.id},
            {'name': 'Rejected', 'code': 'REJ', 'type': 'storage',
                'parent': warehouse.id}])
    bin1, bin2 = Location.create([
            {'name': 'Bin 1', 'code': 'B1', 'type': 'storage',
                'parent': storage.id},
            {'name': 'Bin 2', 'code': 'B2', 'type': 'storage',
                'parent': storage.id}])
    Location.write([warehouse], {'qc_location': qc_location.id,
            'rejected_location': rejected.id})
    unit, = Uom.search([('name', '=', 'Unit')])
    templates = Template.create([{'name': n, 'type': 'goods',
                'default_uom': unit.id, 'producible': c == 'M-PAINT',
                'code': c, 'products': [('create', [{}])]}
            for n, c in PRODUCTS])
    steel, bolt, paint = [t.products[0] for t in templates]
    Identifier.create([{'product': steel.id, 'code': '6901234567892'}])
    supplier, customer = Party.create([{'name': n} for n in PARTIES])
    lots = Lot.create([{'number': 'L-STEEL-1', 'product': steel.id},
            {'number': 'L-BOLT-1', 'product': bolt.id}])
    return SimpleNamespace(company=company, warehouse=warehouse,
        storage=storage, qc=qc_location, rejected=rejected, bin1=bin1,
        bin2=bin2, input=warehouse.input_location, unit=unit, steel=steel,
        bolt=bolt, paint=paint, supplier=supplier, customer=customer,
        lot_steel=lots[0], lot_bolt=lots[1],
        supplier_location=Location.search([('code', '=', 'SUP')])[0],
        customer_location=Location.search([('code', '=', 'CUS')])[0])


PRODUCTS = [('Steel', 'M-STEEL'), ('Bolt', 'M-BOLT'), ('Paint', 'M-PAINT')]
PARTIES = ['Supplier', 'Customer']


def _find():
    "The records _make_once made, read back in a test's transaction"
    pool = Pool()
    Company = pool.get('company.company')
    Location = pool.get('stock.location')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Party = pool.get('party.party')
    Lot = pool.get('stock.lot')

    def one(Model, domain):
        record, = Model.search(domain)
        return record
    company, = Company.search([])
    warehouse = one(Location, [('type', '=', 'warehouse')])
    steel, bolt, paint = [one(Template, [('code', '=', c)]).products[0]
        for _, c in PRODUCTS]
    supplier, customer = [one(Party, [('name', '=', n)]) for n in PARTIES]
    return SimpleNamespace(company=company, warehouse=warehouse,
        storage=warehouse.storage_location, qc=warehouse.qc_location,
        rejected=warehouse.rejected_location,
        bin1=one(Location, [('code', '=', 'B1')]),
        bin2=one(Location, [('code', '=', 'B2')]),
        input=warehouse.input_location,
        unit=one(Uom, [('name', '=', 'Unit')]), steel=steel,
        bolt=bolt, paint=paint, supplier=supplier, customer=customer,
        lot_steel=one(Lot, [('number', '=', 'L-STEEL-1')]),
        lot_bolt=one(Lot, [('number', '=', 'L-BOLT-1')]),
        supplier_location=Location.search([('code', '=', 'SUP')])[0],
        customer_location=Location.search([('code', '=', 'CUS')])[0])


def _make_once():
    "_make's records in a database, its user as a test finds it"
    User = Pool().get('res.user')
    user = User(Transaction().user)
    with contextlib.ExitStack() as stack:
        company = _make(stack).company
    User.write([user], {'company': None,
            'companies': [('remove', [company.id])]})


# Not empty while the database of a FactoryTestCase holds _make's records
_built = []


class FactoryTestCase(DBTestCase):
    """Tests that all start from factory(): its records are made once with
    the class's database; each test sets the warehouse's options and rolls
    its changes back as before"""
    fixture = staticmethod(_make_once)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _built.append(cls)
        cls.addClassCleanup(_built.clear)


def shipment_in(f, lines):
    "Draft supplier shipment; lines are (product, quantity, lot)"
    pool = Pool()
    Shipment = pool.get('stock.shipment.in')
    shipment, = Shipment.create([{'supplier': f.supplier.id,
                'warehouse': f.warehouse.id, 'company': f.company.id,
                'warehouse_input': f.input.id,
                'warehouse_storage': f.storage.id}])
    Shipment.write([shipment], {'incoming_moves': [('create', [{
                        'product': p.id, 'unit': f.unit.id, 'quantity': q,
                        'lot': lot.id if lot else None,
                        'from_location': f.supplier_location.id,
                        'to_location': shipment.warehouse_input.id,
                        'company': f.company.id, 'unit_price': 1,
                        'currency': f.company.currency.id}
                    for p, q, lot in lines])]})
    return Shipment(shipment.id)


def stock(f, product, quantity, location, lot=None):
    "Put stock directly into a location (done move from the supplier)"
    Move = Pool().get('stock.move')
    move, = Move.create([{'product': product.id, 'unit': f.unit.id,
                'quantity': quantity, 'from_location': f.supplier_location.id,
                'to_location': location.id, 'company': f.company.id,
                'lot': lot.id if lot else None, 'unit_price': 1,
                'currency': f.company.currency.id,
                'effective_date': dt.date.today()}])
    Move.do([move])


def production(f, inputs):
    "A waiting production consuming inputs [(product, quantity, lot)]"
    pool = Pool()
    Production = pool.get('production')
    Location = pool.get('stock.location')
    prod_location, = Location.search([('type', '=', 'production')])
    Location.write([f.warehouse], {'production_location': prod_location.id})
    production, = Production.create([{'company': f.company.id,
                'warehouse': f.warehouse.id, 'location': prod_location.id,
                'product': f.paint.id, 'unit': f.unit.id, 'quantity': 1,
                'inputs': [('create', [{'product': p.id, 'unit': f.unit.id,
                                'quantity': q, 'lot': lot.id if lot else None,
                                'from_location': f.storage.id,
                                'to_location': prod_location.id,
                                'company': f.company.id}
                            for p, q, lot in inputs])]}])
    Production.wait([production])
    return production


def quantity(product, location, lot=None):
    """Quantity of the product (and lot) in the location and its children;
    a warehouse counts its storage zone only, as sales and production do"""
    pool = Pool()
    Product = pool.get('product.product')
    Lot = pool.get('stock.lot')
    with Transaction().set_context(locations=[location.id],
            stock_date_end=dt.date.max, stock_skip_warehouse=True):
        if lot:
            return Lot(lot.id).quantity
        return Product(product.id).quantity
