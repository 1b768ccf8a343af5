"""Lots on QC hold for the handheld's QC flow, on top of setup_documents
(tools_documents.py): a supplier shipment received into the QC location with
three lots, and alice in the QC group (call inside a transaction)."""
from decimal import Decimal

from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.transaction import Transaction

# lot number: (index of the product in data['products'], quantity)
HELD = {'Q-PASS': (0, 3), 'Q-FAIL': (3, 4), 'Q-PART': (1, 5)}


def setup_qc_lots(data):
    """Receive HELD into the QC location (the lots go on hold, their
    put-away moves wait in draft); adds qc_shipment, qc_lots {number: id},
    storage and rejected to data"""
    pool = Pool()
    Location = pool.get('stock.location')
    Company = pool.get('company.company')
    Shipment = pool.get('stock.shipment.in')
    Party = pool.get('party.party')
    Product = pool.get('product.product')
    Lot = pool.get('stock.lot')
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    company = Company(data['company'])
    with set_company(company), \
            Transaction().set_context(_skip_warnings=True):
        User.write([User(data['users']['alice'])], {'groups': [('add', [
                            ModelData.get_id('factory_stock_ext',
                                'group_factory_qc')])]})
        warehouse = Location(data['warehouse'])
        supplier_location, = Location.search([('code', '=', 'SUP')])
        party, = Party.create([{'name': 'Resin Supplier'}])
        products = Product.browse(data['products'])
        lots = {number: Lot.create([{'number': number,
                        'product': products[index].id}])[0]
            for number, (index, _) in HELD.items()}
        unit = products[0].default_uom
        shipment, = Shipment.create([{'supplier': party.id,
                    'warehouse': warehouse.id, 'company': company.id,
                    'warehouse_storage': warehouse.storage_location.id,
                    'reference': 'ASN-QC',
                    'incoming_moves': [('create', [{
                                    'product': products[index].id,
                                    'unit': unit.id, 'quantity': quantity,
                                    'lot': lots[number].id,
                                    'from_location': supplier_location.id,
                                    'to_location': warehouse.qc_location.id,
                                    'company': company.id,
                                    'unit_price': Decimal(1),
                                    'currency': company.currency.id}
                                for number, (index, quantity)
                                in HELD.items()])]}])
        Shipment.receive([shipment])
    data.update(qc_shipment=shipment.id,
        qc_lots={n: l.id for n, l in lots.items()},
        storage=warehouse.storage_location.id,
        rejected=warehouse.rejected_location.id)
    return data
