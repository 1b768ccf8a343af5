from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class StockLedgerTestCase(CompanyTestMixin, ModuleTestCase):
    "Test stock_ledger module"
    module = 'stock_ledger'


del ModuleTestCase
