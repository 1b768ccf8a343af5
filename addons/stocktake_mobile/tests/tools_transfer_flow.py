"""A second warehouse and a transfer to it through the transit location,
for the handheld's two-ended transfer flow, on top of setup_documents
(tools_documents.py) (call inside a transaction)."""
from trytond.modules.company.tests import set_company
from trytond.pool import Pool


def setup_transfer(data):
    """Warehouse WH2 (storage W2S) and a draft internal shipment of P001 ×2
    from bin B1 to W2S: core sends it through the transit location (two
    warehouses); adds warehouse2_storage and transfer to data"""
    pool = Pool()
    Location = pool.get('stock.location')
    Company = pool.get('company.company')
    Product = pool.get('product.product')
    Shipment = pool.get('stock.shipment.internal')
    company = Company(data['company'])
    with set_company(company):
        storage, input_, output = Location.create([
                {'name': 'WH2 Storage', 'code': 'W2S', 'type': 'storage'},
                {'name': 'WH2 Input', 'code': 'W2I', 'type': 'storage'},
                {'name': 'WH2 Output', 'code': 'W2O', 'type': 'storage'}])
        warehouse, = Location.create([{'name': 'Warehouse 2',
                    'code': 'WH2', 'type': 'warehouse',
                    'storage_location': storage.id,
                    'input_location': input_.id,
                    'output_location': output.id,
                    # the factory's production location (required)
                    'production_location': Location(
                        data['warehouse']).production_location.id}])
        Location.write([storage, input_, output], {'parent': warehouse.id})
        product = Product(data['products'][0])
        b1 = data['locations'][0]
        shipment, = Shipment.create([{'company': company.id,
                    'from_location': b1, 'to_location': storage.id,
                    'moves': [('create', [{'product': product.id,
                                    'unit': product.default_uom.id,
                                    'quantity': 2, 'from_location': b1,
                                    'to_location': storage.id,
                                    'company': company.id}])]}])
    data.update(warehouse2_storage=storage.id, transfer=shipment.id)
    return data
