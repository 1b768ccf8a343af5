"""A running production order for the handheld's finished goods flow, on
top of setup_documents (tools_documents.py), and alice in the production
group (call inside a transaction)."""
import datetime as dt
from decimal import Decimal

from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.transaction import Transaction


def setup_running_production(data):
    """Varnish ×10 from P001 ×1 (bin B1), run: its output waits; adds
    running (the production id) and varnish (the product id) to data"""
    pool = Pool()
    Location = pool.get('stock.location')
    Company = pool.get('company.company')
    Production = pool.get('production')
    Template = pool.get('product.template')
    Product = pool.get('product.product')
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    company = Company(data['company'])
    with set_company(company), \
            Transaction().set_context(_skip_warnings=True):
        User.write([User(data['users']['alice'])], {'groups': [('add', [
                            ModelData.get_id('production',
                                'group_production')])]})
        warehouse = Location(data['warehouse'])
        production_location = warehouse.production_location
        p1 = Product(data['products'][0])
        unit = p1.default_uom
        template, = Template.create([{'name': 'Varnish', 'type': 'goods',
                    'default_uom': unit.id, 'producible': True,
                    'code': 'VARNISH', 'products': [('create', [{
                                    'cost_price': Decimal(5)}])]}])
        varnish = template.products[0]
        production, = Production.create([{'company': company.id,
                    'warehouse': warehouse.id,
                    'location': production_location.id,
                    'product': varnish.id, 'unit': unit.id, 'quantity': 10,
                    'planned_date': dt.date.today(),
                    'planned_start_date': dt.date.today(),
                    'inputs': [('create', [{'product': p1.id,
                                    'unit': unit.id, 'quantity': 1,
                                    'from_location': data['locations'][0],
                                    'to_location': production_location.id,
                                    'company': company.id}])],
                    'outputs': [('create', [{'product': varnish.id,
                                    'unit': unit.id, 'quantity': 10,
                                    'from_location': production_location.id,
                                    'to_location':
                                        warehouse.storage_location.id,
                                    'company': company.id,
                                    'unit_price': Decimal(5),
                                    'currency': company.currency.id}])]}])
        Production.wait([production])
        Production.assign_force([production])
        Production.run([production])
        assert Production(production.id).state == 'running'
    data.update(running=production.id, varnish=varnish.id)
    return data
