# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"The alert board's charts read in words and stay readable."
from decimal import Decimal
from unittest.mock import patch

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)
from trytond.transaction import Transaction

from .tools import Fixture


class DashboardTestCase(DBTestCase):
    "Alert board"
    module = 'stock_safety_alert'

    def alert(self, fx, product, value, state='open', type_='overstock'):
        Alert = Pool().get('stock.alert')
        alert, = Alert.create([{'type': type_, 'state': state,
                    'key': f'{type_}:{product.id}:{fx.wh.id}:{state}',
                    'company': fx.company.id, 'product': product.id,
                    'warehouse': fx.wh.id, 'value': Decimal(value)}])
        return alert

    @with_transaction()
    def test_alerts_named_in_words(self):
        "An alert is named by its type's label and product, not its key"
        fx = Fixture.build()
        alert = self.alert(fx, fx.product("Bolt"), 10)
        self.assertEqual(alert.type_name, "Overstock")
        self.assertEqual(alert.rec_name,
            f"Overstock - {alert.product.rec_name} - {fx.wh.rec_name}")

    @with_transaction()
    def test_alerts_counted_per_type_and_zone(self):
        """The board's charts by type and zone read one row per type and
        zone (in words), resolved alerts left out"""
        pool = Pool()
        Count = pool.get('stock.safety.alert_count')
        fx = Fixture.build()
        products = [fx.product(n) for n in ["A", "B", "C"]]
        self.alert(fx, products[0], 1)
        self.alert(fx, products[1], 1)
        self.alert(fx, products[2], 1, state='resolved')
        self.alert(fx, products[0], 1, type_='dead')
        with Transaction().set_context(company=fx.company.id):
            rows = Count.search([])
            self.assertEqual(sorted((r.type_name, r.zone, r.counter)
                    for r in rows), [("Dead Stock", None, 1),
                    ("Overstock", None, 2)])
        with Transaction().set_context(company=-1):
            self.assertEqual(Count.search([]), [])

    @with_transaction()
    def test_overstock_top_products_and_the_rest_summed(self):
        pool = Pool()
        Value = pool.get('stock.safety.overstock_value')
        fx = Fixture.build()
        products = [fx.product(n) for n in ["A", "B", "C", "D"]]
        for product, value in zip(products, [3, 5, 2, 4]):
            self.alert(fx, product, value)
        self.alert(fx, products[2], 100, state='resolved')
        self.alert(fx, products[0], 7, type_='dead')
        with patch.object(Value, 'TOP', 2):
            rows = Value.search([])
            self.assertEqual([(r.name, r.alerts, r.value) for r in rows], [
                    (products[1].rec_name, 1, Decimal(5)),
                    (products[3].rec_name, 1, Decimal(4)),
                    ("Other products", 2, Decimal(5))])

    @with_transaction()
    def test_board_shows_what_the_user_may_open(self):
        "A clerk's alert board leaves out the stock values it may not read"
        pool = Pool()
        User = pool.get('res.user')
        View = pool.get('ir.ui.view')
        Data = pool.get('ir.model.data')
        board = View(Data.get_id('stock_safety_alert', 'alert_board_view'))
        clerk, supervisor = User.create([{'login': login, 'name': login,
                    'groups': [('add', [Data.get_id(
                                    'factory_stock_ext', group)])],
                    } for login, group in [
                    ('li', 'group_factory_clerk'),
                    ('zhang', 'group_factory_supervisor')]])
        for user, shown in [(clerk, False), (supervisor, True)]:
            with Transaction().set_user(user.id), \
                    Transaction().set_context(_check_access=True):
                arch, = View.read([board.id], ['arch'])
                self.assertEqual(
                    'stock_safety_alert.act_abc_value' in arch['arch'],
                    shown, user.login)
                self.assertIn('stock_safety_alert.act_alert_graph_type',
                    arch['arch'])
