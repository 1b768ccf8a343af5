# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"A small warehouse with hand-countable history, for the DB tests."
import datetime as dt
from decimal import Decimal

from trytond.modules.company.tests import create_company
from trytond.pool import Pool
from trytond.transaction import Transaction


class Fixture:
    "Create with Fixture.build() inside a transaction"

    @classmethod
    def build(cls):
        pool = Pool()
        Location = pool.get('stock.location')
        Config = pool.get('stock.safety.configuration')
        Party = pool.get('party.party')
        self = cls()
        self.company = create_company()
        User = pool.get('res.user')
        User.write([User(Transaction().user)], {
                'companies': [('add', [self.company.id])],
                'company': self.company.id,
                })
        # left open on purpose: the context dies with the test transaction
        Transaction().set_context(User.get_preferences(context_only=True))
        self.today = pool.get('ir.date').today()
        self.wh, = Location.search([('code', '=', 'WH')])
        self.storage = self.wh.storage_location
        self.customer, = Location.search([('code', '=', 'CUS')])
        self.supplier_loc, = Location.search([('code', '=', 'SUP')])
        self.supplier = Party(name="Supplier")
        self.supplier.save()
        self.unit, = pool.get('product.uom').search([('name', '=', 'Unit')])
        config = Config(1)
        config.window_days = 10
        config.save()
        return self

    @classmethod
    def find(cls):
        """The records build() made in a class fixture (committed), read
        back in a test's transaction, with the same user context"""
        pool = Pool()
        Location = pool.get('stock.location')
        User = pool.get('res.user')
        self = cls()
        Transaction().set_context(User.get_preferences(context_only=True))
        self.company = pool.get('company.company')(
            Transaction().context['company'])
        self.today = pool.get('ir.date').today()
        self.wh, = Location.search([('code', '=', 'WH')])
        self.storage = self.wh.storage_location
        self.customer, = Location.search([('code', '=', 'CUS')])
        self.supplier_loc, = Location.search([('code', '=', 'SUP')])
        self.supplier, = pool.get('party.party').search(
            [('name', '=', "Supplier")])
        self.unit, = pool.get('product.uom').search([('name', '=', 'Unit')])
        return self

    def find_product(self, name):
        "The product made by product(name)"
        product, = Pool().get('product.product').search(
            [('template.name', '=', name)])
        return product

    def day(self, offset):
        return self.today - dt.timedelta(days=offset)

    def product(self, name, cost=Decimal('2'), method=None, **values):
        pool = Pool()
        Template = pool.get('product.template')
        Product = pool.get('product.product')
        template = Template(name=name, default_uom=self.unit, type='goods',
            purchasable=True, purchase_uom=self.unit, list_price=Decimal('10'),
            safety_method=method, **values)
        template.save()
        product = Product(template=template, cost_price=cost)
        product.save()
        return product

    def move(self, product, from_, to, qty, days_ago, lot=None,
            origin=None):
        Move = Pool().get('stock.move')
        date = self.day(days_ago)
        move = Move(product=product, unit=self.unit, quantity=qty,
            from_location=from_, to_location=to, planned_date=date,
            effective_date=date, company=self.company, lot=lot,
            unit_price=Decimal('2'), currency=self.company.currency,
            origin=origin)
        move.save()
        # history without shipments: no origin is expected here
        with Transaction().set_context(_skip_warnings=True):
            Move.do([move])
        return move

    def receive(self, product, qty, days_ago, **kw):
        return self.move(product, self.supplier_loc, self.storage, qty,
            days_ago, **kw)

    def issue(self, product, qty, days_ago, **kw):
        return self.move(product, self.storage, self.customer, qty,
            days_ago, **kw)

    def purchase(self, product, qty, ordered_ago, received_ago):
        "A purchase ordered then received: one lead-time sample"
        pool = Pool()
        Purchase = pool.get('purchase.purchase')
        Line = pool.get('purchase.line')
        purchase = Purchase(company=self.company, party=self.supplier,
            currency=self.company.currency, warehouse=self.wh,
            purchase_date=self.day(ordered_ago))
        purchase.save()
        line = Line(purchase=purchase, product=product, quantity=qty,
            unit=self.unit, unit_price=Decimal('2'), type='line')
        line.save()
        return self.receive(product, qty, received_ago, origin=line)
