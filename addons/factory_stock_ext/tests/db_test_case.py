# This file is part of factory_stock_ext.  The base of the addons' test
# classes that need a database, on trytond's public test API only
# (TestCase, activate_module, drop_db): core's own base is private.
from trytond.tests import test_tryton


class DBTestCase(test_tryton.TestCase):
    "Tests on a database where `module` (and `extras`) are activated"
    module = None
    extras = None
    language = 'en'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Looked up on the module at each call: the suites' database cache
        # (tests/db_cache.py) replaces them
        test_tryton.drop_db()
        test_tryton.activate_module(
            [cls.module] + list(cls.extras or []), lang=cls.language)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        test_tryton.drop_db()
