"""Every import and export of the addons goes through the one Excel layer
(factory_stock_ext/excel.py): no other module reads or writes with openpyxl
itself, so none can skip its limits or its formula-safe cells."""
import pathlib
import re
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
LAYER = ROOT / 'addons' / 'factory_stock_ext' / 'excel.py'
OPENPYXL = re.compile(r'^\s*(from|import)\s+openpyxl\b', re.M)
# sheet.append(...) writes a row without the layer's safe cells
RAW_APPEND = re.compile(r'\b\w*sheet\w*\.append\(')


class ExcelLayerTestCase(unittest.TestCase):

    def test_only_the_layer_uses_openpyxl(self):
        offenders = []
        for path in sorted((ROOT / 'addons').rglob('*.py')):
            if path == LAYER or 'tests' in path.parts:
                continue
            text = path.read_text()
            if OPENPYXL.search(text) or RAW_APPEND.search(text):
                offenders.append(str(path.relative_to(ROOT)))
        self.assertEqual(offenders, [])
