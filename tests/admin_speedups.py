"""trytond-admin with tests/core_speedups.py installed.

Why: the test runs build the demo template (all our modules activated, on
each backend) before the integration suites; on PostgreSQL core's reading
of foreign keys from information_schema was most of it. tools/run_tests.py
sets FACTORY_ADMIN_SPEEDUPS for that build; demo_factory/database.py then
runs this instead of trytond-admin, with the same arguments.
"""
import sys

from trytond import config

if '-c' in sys.argv:
    # the settings file first, as trytond-admin reads it
    config.update_etc(sys.argv[sys.argv.index('-c') + 1])
import core_speedups  # noqa: E402 (beside this file)

core_speedups.install()
from trytond.cli.admin import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())
