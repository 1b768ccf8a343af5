from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class ErpSyncTestCase(CompanyTestMixin, ModuleTestCase):
    "Test erp_sync module"
    module = 'erp_sync'


del ModuleTestCase
