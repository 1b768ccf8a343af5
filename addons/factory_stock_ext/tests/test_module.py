from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class FactoryStockExtTestCase(CompanyTestMixin, ModuleTestCase):
    "Test factory_stock_ext module"
    module = 'factory_stock_ext'


del ModuleTestCase
