"""A delivery to pick by FEFO for the handheld's pick flow, on top of
setup_documents (tools_documents.py) (call inside a transaction)."""
import datetime as dt
from decimal import Decimal

from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.transaction import Transaction

from .tools_documents import waiting_delivery


def setup_pick(data):
    """Material GLUE in two lots: GL-LATE ×5 in bin B1 expiring in 300
    days, received first, and GL-SOON ×5 in bin B2 expiring in 30 days; a
    waiting delivery of GLUE ×3 whose pick names no lot.  Adds
    pick_delivery to data"""
    pool = Pool()
    Location = pool.get('stock.location')
    Company = pool.get('company.company')
    Template = pool.get('product.template')
    Lot = pool.get('stock.lot')
    Move = pool.get('stock.move')
    company = Company(data['company'])
    today = dt.date.today()
    with set_company(company), \
            Transaction().set_context(_skip_warnings=True):
        warehouse = Location(data['warehouse'])
        b1, b2 = data['locations'][:2]
        unit = pool.get('product.product')(data['products'][0]).default_uom
        template, = Template.create([{'name': 'Glue', 'code': 'GLUE',
                    'type': 'goods', 'default_uom': unit.id,
                    'products': [('create', [{}])]}])
        glue = template.products[0]
        late, soon = Lot.create([
                {'number': 'GL-LATE', 'product': glue.id,
                    'expiration_date': today + dt.timedelta(days=300)},
                {'number': 'GL-SOON', 'product': glue.id,
                    'expiration_date': today + dt.timedelta(days=30)}])
        supplier, = Location.search([('code', '=', 'SUP')])
        moves = Move.create([{'product': glue.id, 'unit': unit.id,
                    'quantity': 5, 'lot': lot.id,
                    'from_location': supplier.id, 'to_location': bin_,
                    'company': company.id, 'unit_price': Decimal(1),
                    'currency': company.currency.id,
                    'effective_date': today - dt.timedelta(days=days)}
                for lot, bin_, days in [(late, b1, 20), (soon, b2, 5)]])
        Move.do(moves)
        shipment = waiting_delivery(company, warehouse, unit, glue, 3,
            'Glue Customer')
    data.update(pick_delivery=shipment.id)
    return data
