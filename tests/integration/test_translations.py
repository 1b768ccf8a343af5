"""Every translatable string of our addons has a zh_CN translation.

Tryton records each source string (fields, selections, views, menus,
messages...) as an 'en' ir.translation row when a module is activated; after
loading our locale/zh_CN.po files, each of those must have a Chinese value.
"""
import pathlib

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)

ADDONS = ['factory_stock_ext', 'stock_safety_alert', 'stocktake_mobile',
    'erp_sync', 'stock_ledger']
ROOT = pathlib.Path(__file__).resolve().parents[2]


class TranslationTestCase(DBTestCase):
    maxDiff = None
    module = ADDONS[0]
    extras = ADDONS[1:]

    @with_transaction()
    def test_every_string_translated(self):
        pool = Pool()
        Translation = pool.get('ir.translation')
        Lang = pool.get('ir.lang')
        zh, = Lang.search([('code', '=', 'zh_CN')])
        Lang.write([zh], {'translatable': True})
        for addon in ADDONS:
            with self.subTest(addon=addon):
                Translation.translation_import('zh_CN', addon,
                    [str(ROOT / 'addons' / addon / 'locale' / 'zh_CN.po')])
                source = {(t.type, t.name, t.res_id, t.src)
                    for t in Translation.search([('lang', '=', 'en'),
                            ('module', '=', addon)])}
                self.assertTrue(source, f"no source strings for {addon}")
                done = {(t.type, t.name, t.res_id, t.src)
                    for t in Translation.search([('lang', '=', 'zh_CN'),
                            ('module', '=', addon), ('value', '!=', ''),
                            ('value', '!=', None)])}
                missing = sorted(f'{t}:{n} {s!r}' for t, n, r, s
                    in source - done if s)
                self.assertEqual(missing, [],
                    f"{len(missing)} strings of {addon} lack zh_CN")
