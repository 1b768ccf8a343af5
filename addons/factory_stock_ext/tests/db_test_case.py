# This file is part of factory_stock_ext.  The base of the addons' test
# classes that need a database, on trytond's public test API only
# (TestCase, activate_module, drop_db): core's own base is private.
import datetime as dt
import hashlib
import inspect

from trytond.tests import test_tryton
from trytond.transaction import Transaction, TransactionError


class DBTestCase(test_tryton.TestCase):
    "Tests on a database where `module` (and `extras`) are activated"
    module = None
    extras = None
    language = 'en'
    # A function that makes records every test of the class starts from:
    # run once on the new database, committed, and cached with the modules
    # (each test still rolls its own changes back)
    fixture = None
    # True when the fixture's records are dated from today (history N days
    # ago): its cache then serves the day it was made only
    fixture_dated = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Looked up on the module at each call: the suites' database cache
        # (tests/db_cache.py) replaces them
        test_tryton.drop_db()
        modules = [cls.module] + list(cls.extras or [])
        if cls.fixture is None:
            test_tryton.activate_module(modules, lang=cls.language)
            return
        name = '-'.join(modules) + '--' + fixture_name(cls.fixture)
        if cls.fixture_dated:
            name += '@' + dt.date.today().isoformat()
        if test_tryton.restore_db_cache(name):
            return
        test_tryton.activate_module(modules, lang=cls.language)
        extras = {}
        while True:
            try:
                with Transaction().start(test_tryton.DB_NAME, 1,
                        context={'_skip_warnings': True},
                        **extras) as transaction:
                    cls.fixture()
                    transaction.commit()
                break
            except TransactionError as error:
                # e.g. a singleton's table lock: Tryton asks to start
                # again with the lock taken up front
                error.fix(extras)
        test_tryton.backup_db_cache(name)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        test_tryton.drop_db()


def fixture_name(function):
    "The function's name and a digest of its file: its cache follows edits"
    source = inspect.getsource(inspect.getmodule(function))
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    return f'{function.__module__}.{function.__qualname__}-{digest}'
