"""No SQL write on a core table anywhere in the addons: core records are
written through the ORM so that core's checks run (issue 20).

Runs the product owner's checker (../shared/tools/core_writes.py, beside
every checkout and clone CI makes); its one accepted finding is the
fillfactor helper of stock_safety_alert, which this test checks is only
applied to the addon's own tables."""
import pathlib
import re
import subprocess
import sys
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOOL = ROOT.parent / 'shared' / 'tools' / 'core_writes.py'
HELPER = 'leave_room_for_updates'


class CoreWritesTestCase(unittest.TestCase):

    def test_no_sql_write_on_core_tables(self):
        self.assertTrue(TOOL.exists(), f"{TOOL} is missing")
        result = subprocess.run([sys.executable, str(TOOL)], cwd=ROOT,
            stdout=subprocess.PIPE, text=True)
        found = [l for l in result.stdout.splitlines()
            if not re.match(r'addons/stock_safety_alert/bulk\.py:\d+: '
                r'ALTER TABLE', l)]
        self.assertEqual(found, [])

    def test_fillfactor_only_on_own_tables(self):
        "The helper is only called as helper(cls) in classes we own"
        for path in (ROOT / 'addons').glob('*/*.py'):
            text = path.read_text()
            for call in re.finditer(r'\b%s\((\w+)' % HELPER, text):
                if text[call.start() - 4:call.start()] == 'def ':
                    continue
                with self.subTest(path=str(path)):
                    self.assertEqual(call.group(1), 'cls')
                    head = text.rfind('\nclass ', 0, call.start())
                    line = text[head:text.index('\n', head + 1)]
                    self.assertNotIn('PoolMeta', line)
