"""Every field of our views has a widget the web client can draw.

sao 8.0 looks a column's widget up in a fixed table (a date-time column has
none: the list then never opens, "ColumnFactory is not a constructor"). The
tables are read from the installed sao itself, so a sao upgrade is followed.
"""
import pathlib
import re
from xml.etree import ElementTree

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)

ADDONS = ['factory_stock_ext', 'stock_safety_alert', 'stocktake_mobile',
    'erp_sync', 'stock_ledger']
ROOT = pathlib.Path(__file__).resolve().parents[2]
SAO = ROOT / 'web' / 'node_modules' / 'tryton-sao' / 'dist' / 'tryton-sao.js'


def sao_widgets(parser):
    "The widget names of one of sao's view parsers (Tree or Form)"
    source = SAO.read_text(encoding='utf-8')
    table = re.search(r'Sao\.View\.%sXMLViewParser\.WIDGETS = \{(.*?)\};'
        % parser, source, re.S)
    return set(re.findall(r"'([a-z0-9_]+)':", table.group(1)))


class ViewWidgetTestCase(DBTestCase):
    maxDiff = None
    module = ADDONS[0]
    extras = ADDONS[1:]

    @with_transaction()
    def test_every_field_has_a_sao_widget(self):
        pool = Pool()
        View = pool.get('ir.ui.view')
        known = {'tree': sao_widgets('Tree'), 'form': sao_widgets('Form')}
        missing = []
        views = View.search([('module', 'in', ADDONS),
                ('type', 'in', list(known))])
        self.assertTrue(views)
        for view in views:
            if view.inherit:  # checked as part of the view it extends
                continue
            Model = pool.get(view.model)
            result = Model.fields_view_get(view_id=view.id)
            arch = ElementTree.fromstring(result['arch'])
            for node in arch.iter('field'):
                name = node.get('name')
                field = result['fields'].get(name)
                if not field:
                    continue
                widget = node.get('widget') or field['type']
                if widget not in known[view.type]:
                    missing.append(
                        f'{view.module}:{view.name or view.id} {name} '
                        f'({widget})')
        self.assertEqual(missing, [],
            "sao cannot draw these; lists take widget=date + widget=time")
