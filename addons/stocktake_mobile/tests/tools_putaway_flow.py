"""A received supplier shipment waiting for put-away, for the handheld's
put-away flow, on top of setup_documents (tools_documents.py): the
warehouse puts away to the proposed bin only (call inside a transaction)."""
from decimal import Decimal

from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.transaction import Transaction


def setup_putaway(data):
    """Lot PA-1 of P001 ×3 received into QC and passed: its put-away move
    waits; adds putaway_shipment and proposed (the code of the bin
    proposed: P001's last bin, no fixed bin) to data"""
    pool = Pool()
    Location = pool.get('stock.location')
    Company = pool.get('company.company')
    Shipment = pool.get('stock.shipment.in')
    Party = pool.get('party.party')
    Product = pool.get('product.product')
    Lot = pool.get('stock.lot')
    company = Company(data['company'])
    with set_company(company), \
            Transaction().set_context(_skip_warnings=True):
        warehouse = Location(data['warehouse'])
        Location.write([warehouse], {'putaway_strict': True})
        product = Product(data['products'][0])
        supplier_location, = Location.search([('code', '=', 'SUP')])
        party, = Party.create([{'name': 'Bolt Supplier'}])
        lot, = Lot.create([{'number': 'PA-1', 'product': product.id}])
        shipment, = Shipment.create([{'supplier': party.id,
                    'warehouse': warehouse.id, 'company': company.id,
                    'warehouse_storage': warehouse.storage_location.id,
                    'reference': 'ASN-PA',
                    'incoming_moves': [('create', [{
                                    'product': product.id,
                                    'unit': product.default_uom.id,
                                    'quantity': 3, 'lot': lot.id,
                                    'from_location': supplier_location.id,
                                    'to_location': warehouse.qc_location.id,
                                    'company': company.id,
                                    'unit_price': Decimal(1),
                                    'currency': company.currency.id}])]}])
        Shipment.receive([shipment])
        Lot(lot.id).qc_decide()
        proposed = Location(Location.propose_putaway(warehouse.id,
                product.id, 3)['location'])
    data.update(putaway_shipment=shipment.id, proposed=proposed.code)
    return data
