# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"Alert detection, upsert, auto-resolution, assignees and notifications."
import datetime as dt
from io import BytesIO

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.modules.factory_stock_ext.tests.db_test_case import (
    DBTestCase)

from .tools import Fixture


def make_site():
    """The site every test starts from, made once with the class's
    database (each test rolls its own changes back)"""
    pool = Pool()
    User = pool.get('res.user')
    Zone = pool.get('stock.location.zone')
    Config = pool.get('stock.safety.configuration')
    Lot = pool.get('stock.lot')
    fx = Fixture.build()
    config = Config(1)
    config.slow_days, config.dead_days = 90, 700
    config.overstock_days, config.expiry_days = 100, 30
    config.qc_hold_days = 3
    config.save()
    fx.keeper = User(login='keeper', name="Keeper")
    fx.keeper.save()
    zone = Zone(name="Raw", code="RAW", warehouse=fx.wh,
        responsible=fx.keeper)
    zone.save()
    fx.storage.zone = zone
    fx.storage.save()
    fx.zone = zone
    # low: safety 1 x 5 - 0.1 x 5 -> 5 (rounded), only 1 left
    fx.low = fx.product("Low", method='seed')
    fx.purchase(fx.low, 2, ordered_ago=8, received_ago=3)
    fx.issue(fx.low, 1, 2)
    # reorder: fixed min 10 max 30, 8 on hand, nothing ordered
    fx.reorder = fx.product("Reorder", method='fixed',
        safety_min_quantity=10, safety_max_quantity=30)
    fx.receive(fx.reorder, 8, 5)
    # over: 1000 on hand, usage 1/day -> 1000 days of cover
    fx.over = fx.product("Over")
    fx.receive(fx.over, 1010, 9)
    fx.issue(fx.over, 10, 1)
    # dead: received 800 days ago, never used
    fx.dead = fx.product("Dead")
    fx.receive(fx.dead, 7, 800)
    # slow: last used 100 days ago
    fx.slow = fx.product("Slow")
    fx.receive(fx.slow, 9, 150)
    fx.issue(fx.slow, 1, 100)
    # expiring lot and a lot held in QC for 5 days
    fx.lotted = fx.product("Lotted")
    fx.exp_lot = Lot(number='EXP1', product=fx.lotted,
        expiration_date=fx.day(-10))
    fx.exp_lot.save()
    fx.qc_lot = Lot(number='QC1', product=fx.lotted)
    fx.qc_lot.save()
    Lot.write([fx.qc_lot], {'qc_state': 'hold',
            'qc_hold_date': fx.day(5)})
    fx.receive(fx.lotted, 3, 5, lot=fx.exp_lot)
    fx.receive(fx.lotted, 4, 5, lot=fx.qc_lot)
    fx.issue(fx.lotted, 1, 1, lot=fx.exp_lot)
    # negative: issued without a receipt
    fx.negative = fx.product("Negative")
    fx.issue(fx.negative, 2, 1)


class SafetyAlertTestCase(DBTestCase):
    "Stock alerts"
    module = 'stock_safety_alert'
    fixture = staticmethod(make_site)
    # its history is dated from today
    fixture_dated = True

    def setup_site(self):
        "make_site's records as a test finds them"
        pool = Pool()
        fx = Fixture.find()
        fx.keeper, = pool.get('res.user').search([('login', '=', 'keeper')])
        fx.zone, = pool.get('stock.location.zone').search(
            [('code', '=', 'RAW')])
        for attr in ['low', 'reorder', 'over', 'dead', 'slow', 'lotted',
                'negative']:
            setattr(fx, attr, fx.find_product(attr.title()))
        Lot = pool.get('stock.lot')
        fx.exp_lot, = Lot.search([('number', '=', 'EXP1')])
        fx.qc_lot, = Lot.search([('number', '=', 'QC1')])
        return fx

    def alerts(self):
        Alert = Pool().get('stock.alert')
        return {(a.type, a.product.name, a.lot.number if a.lot else None): a
            for a in Alert.search([])}

    @with_transaction()
    def test_each_alert_type(self):
        Alert = Pool().get('stock.alert')
        fx = self.setup_site()
        Pool().get('stock.safety.nightly').run()
        alerts = self.alerts()
        expected = {
            ('below_safety', 'Low', None),
            ('below_reorder', 'Reorder', None),
            ('overstock', 'Over', None),
            ('dead', 'Dead', None),
            ('slow', 'Slow', None),
            ('expiring', 'Lotted', 'EXP1'),
            ('qc_held', 'Lotted', 'QC1'),
            ('negative', 'Negative', None),
            }
        self.assertEqual(set(alerts), expected)
        for alert in alerts.values():
            self.assertEqual(alert.state, 'open')
            self.assertEqual(alert.assignee, fx.keeper)
            self.assertEqual(alert.zone, fx.zone)
            self.assertTrue(alert.description)
            self.assertTrue(alert.proposal)
            self.assertNotIn('msg_', alert.description)
        low = alerts['below_safety', 'Low', None]
        self.assertEqual((low.quantity, low.threshold), (1, 5))
        self.assertIn('lead time 5 days', low.description)
        reorder = alerts['below_reorder', 'Reorder', None]
        self.assertIn('no open purchase', reorder.description)
        over = alerts['overstock', 'Over', None]
        # 1000 on hand - 100 days x 1/day = 900 excess x cost 2
        self.assertEqual(over.value, 1800)
        self.assertIn('1,800.00', over.description)
        self.assertEqual(alerts['dead', 'Dead', None].age_days, 800)
        self.assertEqual(alerts['slow', 'Slow', None].age_days, 100)
        self.assertEqual(alerts['expiring', 'Lotted', 'EXP1'].age_days, 10)
        self.assertEqual(alerts['qc_held', 'Lotted', 'QC1'].age_days, 5)
        self.assertEqual(alerts['negative', 'Negative', None].quantity, -2)

    @with_transaction()
    def test_second_run_no_duplicates_and_auto_resolve(self):
        pool = Pool()
        Alert = pool.get('stock.alert')
        Notification = pool.get('res.notification')
        Parameter = pool.get('stock.safety.parameter')
        Config = pool.get('stock.safety.configuration')
        fx = self.setup_site()
        Pool().get('stock.safety.nightly').run()
        first = Alert.search([])
        notes = Notification.search([('user', '=', fx.keeper.id)])
        self.assertEqual(len(notes), 1)
        self.assertEqual(notes[0].model, 'stock.alert')

        # a day ago (PostgreSQL keeps timestamps to the second)
        long_ago = dt.datetime.now() - dt.timedelta(days=1)
        unchanged = long_ago + dt.timedelta(seconds=1)
        Alert.write(first, {'changed_at': long_ago})
        Parameter.write(Parameter.search([]), {'changed_at': long_ago})
        Pool().get('stock.safety.nightly').run()
        self.assertEqual(sorted(Alert.search([])), sorted(first))
        # nothing moved: no alert nor parameter is written again, and the
        # configuration says when the run checked them
        self.assertTrue(all(a.changed_at < unchanged
                for a in Alert.browse(first)))
        self.assertTrue(all(p.changed_at < unchanged
                for p in Parameter.search([])))
        self.assertGreater(Config(1).last_run, long_ago)
        # nothing new: no second notification
        self.assertEqual(
            len(Notification.search([('user', '=', fx.keeper.id)])), 1)

        # a receipt lifts Low (1 on hand) to 7, above its reorder point 5
        # and below its maximum 8: auto-resolved, nothing new; an issue of
        # Over changes the numbers of its overstock alert
        low, = Alert.search([('type', '=', 'below_safety')])
        over, = Alert.search([('type', '=', 'overstock')])
        over_method, = {p.method for p in Parameter.search(
                [('product', '=', fx.over.id)])}
        fx.receive(fx.low, 6, 0)
        fx.issue(fx.over, 5, 0)
        Pool().get('stock.safety.nightly').run()
        low, over = Alert(low.id), Alert(over.id)
        self.assertEqual(low.state, 'resolved')
        self.assertIsNone(low.resolved_by)
        self.assertEqual(over.quantity, 995)
        self.assertGreater(over.changed_at, unchanged)
        self.assertTrue(all(a.changed_at < unchanged
                for a in Alert.search([('state', '!=', 'resolved'),
                        ('id', '!=', over.id)])))
        over_param, = Parameter.search([('product', '=', fx.over.id)])
        self.assertGreater(over_param.changed_at, unchanged)
        # the numbers that moved are written, the method kept
        self.assertEqual(over_param.quantity, 995)
        self.assertEqual(over_param.total_demand, 15)
        self.assertEqual(over_param.method, over_method)
        self.assertEqual(len(Alert.search([('state', '!=', 'resolved')])),
            len(first) - 1)

    @with_transaction()
    def test_acknowledge_resolve_reopen(self):
        pool = Pool()
        Alert = pool.get('stock.alert')
        History = pool.get('stock.alert.history')
        self.setup_site()
        Pool().get('stock.safety.nightly').run()
        dead, = Alert.search([('type', '=', 'dead')])
        Alert.acknowledge([dead])
        self.assertEqual(dead.state, 'acknowledged')
        Alert.resolve([dead])
        self.assertEqual(dead.state, 'resolved')
        self.assertTrue(dead.resolved_by)
        # still dead at the next run: the same alert comes back
        Pool().get('stock.safety.nightly').run()
        dead = Alert(dead.id)
        self.assertEqual((dead.state, dead.occurrences), ('open', 2))
        self.assertEqual(len(Alert.search([('type', '=', 'dead')])), 1)
        history = {h.type: h.count for h in History.search([])}
        self.assertEqual(history['dead'], 1)

    @with_transaction()
    def test_open_purchase_silences_below_reorder(self):
        pool = Pool()
        Alert = pool.get('stock.alert')
        Request = pool.get('purchase.request')
        fx = self.setup_site()
        Pool().get('stock.safety.nightly').run()
        self.assertTrue(Alert.search([('type', '=', 'below_reorder')]))
        Request.generate_requests(warehouses=[fx.wh])
        request, = Request.search([('product', '=', fx.reorder.id)])
        # fixed max 30 - 8 on hand
        self.assertEqual(request.quantity, 22)
        Pool().get('stock.safety.nightly').run()
        alert, = Alert.search([('type', '=', 'below_reorder')])
        self.assertEqual(alert.state, 'resolved')

    @with_transaction()
    def test_registry_and_export(self):
        pool = Pool()
        Alert = pool.get('stock.alert')
        Export = pool.get('stock.alert.export', type='wizard')
        from openpyxl import load_workbook
        self.setup_site()
        self.assertEqual(len(Alert._alert_types), 8)
        types = dict(Alert.fields_get(['type'])['type']['selection'])
        self.assertEqual(set(types), set(Alert._alert_types))
        Pool().get('stock.safety.nightly').run()
        data = Export.workbook()
        book = load_workbook(BytesIO(data))
        alerts, params = book.worksheets
        self.assertEqual(alerts.max_row, 1 + 8)
        self.assertEqual(alerts.cell(1, 1).value, 'Type')
        self.assertGreater(params.max_row, 1)


del DBTestCase
