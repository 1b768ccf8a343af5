"""Documents to scan on the handheld page, on top of setup_stock (tools.py):
a QC warehouse, a draft supplier shipment of 3 lines and a waiting
production order consuming 2 materials (call inside a transaction)."""
import datetime as dt
from decimal import Decimal

from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.transaction import Transaction

# The GTIN-14 of P002's EAN-13 4006381333931 (tools.setup_stock)
GTIN = '04006381333931'


def gs1_label(lot, expiry, quantity):
    "A supplier's GS1-128 label as its human-readable text (AIs 01 17 10 30)"
    return '(01)%s(17)%s(10)%s(30)%s' % (GTIN, expiry.strftime('%y%m%d'),
        lot, quantity)


def setup_documents(data):
    """QC hold on receipt in the warehouse; a receipt of P002 ×5, P004 ×4
    and P001 ×3; a production issuing P004 ×4 and P002 ×2 from storage.
    Adds their ids to data."""
    pool = Pool()
    Location = pool.get('stock.location')
    Company = pool.get('company.company')
    Shipment = pool.get('stock.shipment.in')
    Production = pool.get('production')
    Template = pool.get('product.template')
    Party = pool.get('party.party')
    Product = pool.get('product.product')
    ShipmentInternal = pool.get('stock.shipment.internal')
    company = Company(data['company'])
    with set_company(company), \
            Transaction().set_context(_skip_warnings=True):
        warehouse = Location(data['warehouse'])
        qc, rejected = Location.create([
                {'name': 'QC Hold', 'code': 'QC', 'type': 'storage',
                    'parent': warehouse.id},
                {'name': 'Rejected', 'code': 'REJ', 'type': 'storage',
                    'parent': warehouse.id}])
        production_location, = Location.search(
            [('type', '=', 'production')], limit=1)
        Location.write([warehouse], {'qc_required': True,
                'qc_location': qc.id, 'rejected_location': rejected.id,
                'production_location': production_location.id})
        supplier_location, = Location.search([('code', '=', 'SUP')])
        party, = Party.create([{'name': 'Steel Supplier'}])
        p1, p2, p3, p4 = Product.browse(data['products'])
        unit = p1.default_uom
        shipment, = Shipment.create([{'supplier': party.id,
                    'warehouse': warehouse.id, 'company': company.id,
                    'warehouse_input': warehouse.input_location.id,
                    'warehouse_storage': warehouse.storage_location.id,
                    'reference': 'ASN-1'}])
        Shipment.write([shipment], {'incoming_moves': [('create', [{
                            'product': p.id, 'unit': unit.id, 'quantity': q,
                            'from_location': supplier_location.id,
                            'to_location': shipment.warehouse_input.id,
                            'company': company.id, 'unit_price': Decimal(1),
                            'currency': company.currency.id}
                        for p, q in [(p2, 5), (p4, 4), (p1, 3)]])]})
        template, = Template.create([{'name': 'Paint', 'type': 'goods',
                    'default_uom': unit.id, 'producible': True,
                    'code': 'PAINT', 'products': [('create', [{}])]}])
        production, = Production.create([{'company': company.id,
                    'warehouse': warehouse.id,
                    'location': production_location.id,
                    'product': template.products[0].id, 'unit': unit.id,
                    'quantity': 1, 'planned_date': dt.date.today(),
                    'planned_start_date': dt.date.today(),
                    'inputs': [('create', [{'product': p.id,
                                    'unit': unit.id, 'quantity': q,
                                    'from_location':
                                        warehouse.storage_location.id,
                                    'to_location': production_location.id,
                                    'company': company.id}
                                for p, q in [(p4, 4), (p2, 2)]])]}])
        Production.wait([production])
        delivery = _delivery(data, warehouse, unit, p3)
        internal, = ShipmentInternal.create([{'company': company.id,
                    'from_location': data['locations'][0],
                    'to_location': data['locations'][2],
                    'moves': [('create', [{'product': p1.id,
                                    'unit': unit.id, 'quantity': 2,
                                    'from_location': data['locations'][0],
                                    'to_location': data['locations'][2],
                                    'company': company.id}])]}])
    data.update(qc=qc.id, shipment=shipment.id,
        production=production.id, delivery=delivery.id,
        internal=internal.id)
    return data


def _delivery(data, warehouse, unit, product):
    """A waiting customer shipment of product ×2 whose pick is lot LOT-7
    (tools.setup_stock); LOT-8 is another lot of the same product"""
    pool = Pool()
    Lot = pool.get('stock.lot')
    Move = pool.get('stock.move')
    Company = pool.get('company.company')
    Lot.create([{'number': 'LOT-8', 'product': product.id}])
    shipment = waiting_delivery(Company(data['company']), warehouse, unit,
        product, 2, 'Customer')
    Move.write(list(shipment.inventory_moves), {'lot': data['lot']})
    return shipment


def waiting_delivery(company, warehouse, unit, product, quantity, name):
    "A waiting customer shipment of product × quantity to a new customer"
    pool = Pool()
    Shipment = pool.get('stock.shipment.out')
    Location = pool.get('stock.location')
    Party = pool.get('party.party')
    customer_location, = Location.search([('code', '=', 'CUS')])
    customer, = Party.create([{'name': name,
                'addresses': [('create', [{}])]}])
    shipment, = Shipment.create([{'customer': customer.id,
                'delivery_address': customer.addresses[0].id,
                'warehouse': warehouse.id, 'company': company.id,
                'warehouse_storage': warehouse.storage_location.id,
                'warehouse_output': warehouse.output_location.id,
                'outgoing_moves': [('create', [{'product': product.id,
                                'unit': unit.id, 'quantity': quantity,
                                'from_location': warehouse.output_location.id,
                                'to_location': customer_location.id,
                                'company': company.id,
                                'unit_price': Decimal(1),
                                'currency': company.currency.id}])]}])
    Shipment.wait([shipment])
    return Shipment(shipment.id)
