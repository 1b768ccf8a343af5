"Every addon ships a well-formed zh_CN catalogue with no empty translation."
import pathlib
import unittest

import polib

ROOT = pathlib.Path(__file__).resolve().parents[2]


class LocaleTestCase(unittest.TestCase):

    def test_catalogues(self):
        addons = sorted(p.parent for p in (ROOT / 'addons').glob(
                '*/tryton.cfg'))
        self.assertTrue(addons)
        for addon in addons:
            with self.subTest(addon=addon.name):
                catalogue = polib.pofile(str(addon / 'locale' / 'zh_CN.po'))
                keys = [(e.msgctxt, e.msgid) for e in catalogue]
                self.assertEqual(len(keys), len(set(keys)),
                    "duplicate entries")
                empty = [e.msgctxt for e in catalogue
                    if not e.msgstr and not e.obsolete]
                self.assertEqual(empty, [])
