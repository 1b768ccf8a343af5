from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from .db_test_case import DBTestCase


class ZoneTestCase(DBTestCase):
    "Test zones and responsible resolution"
    module = 'factory_stock_ext'

    def _layout(self):
        "Warehouse storage with two aisles of bins and a zone per aisle"
        pool = Pool()
        Location = pool.get('stock.location')
        Zone = pool.get('stock.location.zone')
        User = pool.get('res.user')
        warehouse, = Location.search([('type', '=', 'warehouse')])
        storage = warehouse.storage_location
        alice, bob, carol = User.create([
                {'name': n, 'login': n} for n in ['alice', 'bob', 'carol']])
        aisle1, aisle2 = Location.create([
                {'name': 'Aisle 1', 'type': 'view', 'parent': storage.id},
                {'name': 'Aisle 2', 'type': 'view', 'parent': storage.id},
                ])
        bins = Location.create([
                {'name': f'A{a}-{b}', 'type': 'storage', 'parent': aisle.id}
                for a, aisle in [(1, aisle1), (2, aisle2)]
                for b in range(3)])
        deep, = Location.create([{
                    'name': 'A1-0-top', 'type': 'storage',
                    'parent': bins[0].id}])
        zone1, zone2, cold = Zone.create([
                {'name': 'Aisle 1', 'code': 'Z1', 'warehouse': warehouse.id,
                    'responsible': alice.id,
                    'deputies': [('add', [carol.id])]},
                {'name': 'Aisle 2', 'code': 'Z2', 'warehouse': warehouse.id,
                    'responsible': bob.id},
                {'name': 'Cold', 'code': 'ZC', 'warehouse': warehouse.id,
                    'responsible': carol.id},
                ])
        Location.write([aisle1], {'zone': zone1.id}, [aisle2],
            {'zone': zone2.id}, [bins[5]], {'zone': cold.id})
        return locals()

    @with_transaction()
    def test_zones_cover_bins_without_overlap(self):
        "Every bin resolves to exactly its nearest zone"
        pool = Pool()
        Zone = pool.get('stock.location.zone')
        d = self._layout()
        bins, deep = d['bins'], d['deep']
        zones = Zone.zones_for_locations(
            [b.id for b in bins] + [deep.id, d['storage'].id])
        self.assertEqual(zones, {
                bins[0].id: d['zone1'].id,
                bins[1].id: d['zone1'].id,
                bins[2].id: d['zone1'].id,
                bins[3].id: d['zone2'].id,
                bins[4].id: d['zone2'].id,
                # The nearer zone wins over the aisle's zone
                bins[5].id: d['cold'].id,
                deep.id: d['zone1'].id,
                d['storage'].id: None,
                })

    @with_transaction()
    def test_responsibles_for_locations(self):
        "The responsible user is resolved for any bin"
        pool = Pool()
        Zone = pool.get('stock.location.zone')
        Location = pool.get('stock.location')
        d = self._layout()
        bins = d['bins']
        self.assertEqual(
            Zone.responsibles_for_locations(
                [bins[0].id, bins[4].id, bins[5].id, d['deep'].id,
                    d['storage'].id]),
            {bins[0].id: d['alice'].id, bins[4].id: d['bob'].id,
                bins[5].id: d['carol'].id, d['deep'].id: d['alice'].id,
                d['storage'].id: None})
        self.assertEqual(d['zone1'].deputies, (d['carol'],))

        # Moving a bin to the other aisle changes its zone at once
        Location.write([bins[0]], {'parent': d['aisle2'].id})
        self.assertEqual(
            Zone.responsibles_for_locations([bins[0].id, d['deep'].id]),
            {bins[0].id: d['bob'].id, d['deep'].id: d['bob'].id})

    @with_transaction()
    def test_inactive_zone_falls_back_to_parent(self):
        "A deactivated zone hands its bins to the enclosing zone"
        pool = Pool()
        Zone = pool.get('stock.location.zone')
        d = self._layout()
        Zone.write([d['cold']], {'active': False})
        self.assertEqual(
            Zone.zones_for_locations([d['bins'][5].id]),
            {d['bins'][5].id: d['zone2'].id})

    @with_transaction()
    def test_zone_outside_warehouse(self):
        "A location outside the zone's warehouse is refused"
        pool = Pool()
        Location = pool.get('stock.location')
        d = self._layout()
        other, = Location.create([{'name': 'Yard', 'type': 'storage'}])
        with self.assertRaises(UserError) as cm:
            Location.write([other], {'zone': d['zone1'].id})
        self.assertIn('Yard', str(cm.exception))

    @with_transaction()
    def test_zone_code_unique_per_warehouse(self):
        "Two zones of a warehouse cannot share a code"
        pool = Pool()
        Zone = pool.get('stock.location.zone')
        d = self._layout()
        with self.assertRaises(UserError):
            Zone.create([{'name': 'Dup', 'code': 'Z1',
                        'warehouse': d['warehouse'].id}])

    @with_transaction()
    def test_search_rec_name(self):
        "Zones are found by code or name"
        pool = Pool()
        Zone = pool.get('stock.location.zone')
        d = self._layout()
        self.assertEqual(Zone.search([('rec_name', '=', 'ZC')]), [d['cold']])
        self.assertEqual(
            Zone.search([('rec_name', 'ilike', '%aisle 2%')]), [d['zone2']])


del DBTestCase
