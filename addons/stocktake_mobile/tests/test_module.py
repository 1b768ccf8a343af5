from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class StocktakeMobileTestCase(CompanyTestMixin, ModuleTestCase):
    "Test stocktake_mobile module"
    module = 'stocktake_mobile'


del ModuleTestCase
