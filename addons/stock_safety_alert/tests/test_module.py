from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class StockSafetyAlertTestCase(CompanyTestMixin, ModuleTestCase):
    "Test stock_safety_alert module"
    module = 'stock_safety_alert'


del ModuleTestCase
