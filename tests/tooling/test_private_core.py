"""Our tests stand on trytond's public test API: core's private
`_DBTestCase` (its name may change in any release) is replaced by
factory_stock_ext/tests/db_test_case.py, built on the public names."""
import pathlib
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]


class PrivateCoreTestCase(unittest.TestCase):

    def test_no_private_test_base(self):
        offenders = [str(p.relative_to(ROOT))
            for folder in ['addons', 'tests', 'bench', 'demo_factory']
            for p in sorted((ROOT / folder).rglob('*.py'))
            if p != pathlib.Path(__file__).resolve()
            and '_DBTestCase' in p.read_text()]
        self.assertEqual(offenders, [])
