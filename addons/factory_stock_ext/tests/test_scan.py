import datetime as dt

from trytond.pool import Pool
from trytond.transaction import Transaction

from .tools_qc_scan import FactoryTestCase
from ..exceptions_scan import ScanError
from .tools_qc_scan import (
    factory, production, quantity, shipment_in, stock, tx, user_in)



class ScanTestCase(FactoryTestCase):
    "Scan sessions: refusals, keys, completion, overrides"
    module = 'factory_stock_ext'

    def _receipt(self, **kw):
        f = factory(self._stack, **kw)
        shipment = shipment_in(f, [(f.steel, 10, f.lot_steel),
                (f.bolt, 5, None)])
        return f, shipment

    @tx
    def test_refusals_are_logged(self):
        pool = Pool()
        Session = pool.get('stock.scan.session')
        Lot = pool.get('stock.lot')
        f, shipment = self._receipt()
        expired, other = Lot.create([
                {'number': 'L-OLD', 'product': f.bolt.id,
                    'expiration_date': dt.date.today() - dt.timedelta(1)},
                {'number': 'L-OTHER', 'product': f.steel.id}])
        cases = [
            ('NOPE', 1, None, None, 'unknown_code'),
            ('M-PAINT', 1, None, None, 'wrong_product'),
            ('M-STEEL', 1, None, 'L-OTHER', 'wrong_lot'),
            ('L-OLD', 1, None, None, 'lot_expired'),
            ('L-STEEL-1', 11, None, None, 'over_quantity'),
            ('L-STEEL-1', 1, f.bin1, None, 'wrong_location'),
            ]
        for code, qty, location, lot, expected in cases:
            line = Session.scan(shipment, code, qty, location=location,
                lot=lot, client_key='k-' + expected)
            self.assertEqual(line.result, expected, code)
            self.assertTrue(line.message)
            self.assertEqual(line.user.id, Transaction().user)
            self.assertTrue(line.scanned_at)
        self.assertIn('NOPE', Session.scan(shipment, 'NOPE', 1).message)
        session, = Session.search([])
        self.assertEqual(len(session.lines), 7)
        self.assertEqual(session.kind, 'receipt')
        self.assertEqual(Session.search([], count=True), 1)

    @tx
    def test_lot_on_hold_refused(self):
        "A lot on QC hold cannot be issued to production"
        pool = Pool()
        Session = pool.get('stock.scan.session')
        Lot = pool.get('stock.lot')
        f = factory(self._stack)
        stock(f, f.steel, 10, f.bin1, f.lot_steel)
        Lot.qc_put_on_hold([f.lot_steel], 'suspect', company=f.company)
        prod = production(f, [(f.steel, 4, None)])
        line = Session.scan(prod, 'L-STEEL-1', 4)
        self.assertEqual(line.result, 'lot_on_hold')
        self.assertIn('L-STEEL-1', line.message)

    @tx
    def test_lot_resolves_to_own_product(self):
        "Scanning a lot number never attaches it to another product"
        pool = Pool()
        Session = pool.get('stock.scan.session')
        Lot = pool.get('stock.lot')
        f = factory(self._stack)
        shipment = shipment_in(f, [(f.steel, 10, None)])
        line = Session.scan(shipment, 'L-BOLT-1', 1)
        self.assertEqual(line.result, 'wrong_product')
        self.assertEqual(line.product, f.bolt)
        # A new supplier lot is created once and then found again
        for key in ['a', 'b']:
            line = Session.scan(shipment, '6901234567892', 2, lot='SUP-77',
                client_key=key)
            self.assertEqual(line.result, 'accepted')
        self.assertEqual(Lot.search([('number', '=', 'SUP-77')], count=True),
            1)
        self.assertEqual(line.lot.product, f.steel)

    @tx
    def test_duplicate_key_counted_once(self):
        pool = Pool()
        Session = pool.get('stock.scan.session')
        Line = pool.get('stock.scan.line')
        f, shipment = self._receipt()
        first = Session.scan(shipment, 'L-STEEL-1', 6, client_key='same')
        again, duplicate = Session.record_scan(shipment, 'L-STEEL-1', 6,
            client_key='same')
        self.assertTrue(duplicate)
        self.assertEqual(first, again)
        move = first.move
        self.assertEqual(Line.covered([move.id]), {move.id: 6})
        self.assertEqual(Line.search([('client_key', '=', 'same')],
                count=True), 1)

    @tx
    def test_client_key_unique_in_database(self):
        "The key is unique in its scope even when the check is bypassed"
        pool = Pool()
        Session = pool.get('stock.scan.session')
        Line = pool.get('stock.scan.line')
        f, shipment = self._receipt()
        line = Session.scan(shipment, 'L-STEEL-1', 1, client_key='dup')
        with self.assertRaises(Exception):
            with Transaction().set_context(_scan_checked=True):
                Line.create([{'session': line.session.id,
                            'user': line.user.id if line.user else None,
                            'client_key': 'dup', 'result': 'accepted'}])

    @tx
    def test_completion_and_override(self):
        pool = Pool()
        Session = pool.get('stock.scan.session')
        Shipment = pool.get('stock.shipment.in')
        f, shipment = self._receipt(qc=False, scan=True)
        with self.assertRaises(ScanError) as cm:
            Shipment.receive([shipment])
        self.assertEqual(cm.exception.code, 'not_scanned')
        line = Session.scan(shipment, 'L-STEEL-1', 10, location=f.input)
        self.assertEqual(line.result, 'accepted')
        session = line.session
        with self.assertRaises(ScanError) as cm:
            Session.complete([session])
        self.assertEqual(cm.exception.code, 'incomplete')
        self.assertIn('Bolt', cm.exception.message)
        clerk = user_in(['factory_stock_ext.group_factory_clerk'], 'clerk',
            f.company)
        boss = user_in(['factory_stock_ext.group_factory_supervisor'],
            'boss', f.company)
        with Transaction().set_user(clerk.id):
            with self.assertRaises(ScanError) as cm:
                Session.override([session], 'label torn')
            self.assertEqual(cm.exception.code, 'override_access')
        with Transaction().set_user(boss.id):
            with self.assertRaises(ScanError):
                Session.override([session], '  ')
            # Four eyes: the boss who also scanned here may not waive it
            own = Session.scan(shipment, 'L-STEEL-1', 1,
                location=f.input).session
        other = user_in(['factory_stock_ext.group_factory_supervisor'],
            'boss2', f.company)
        with Transaction().set_user(boss.id):
            with self.assertRaises(ScanError) as cm:
                Session.override([own], 'label torn')
            self.assertEqual(cm.exception.code, 'override_own')
        with Transaction().set_user(other.id):
            Session.override([session], 'label torn')
        session = Session(session.id)
        self.assertEqual(session.state, 'overridden')
        log, = [l for l in session.lines if l.result == 'override']
        self.assertEqual((log.approved_by, log.override_reason),
            (other, 'label torn'))
        Shipment.receive([Shipment(shipment.id)])
        self.assertEqual(Shipment(shipment.id).state, 'received')

    @tx
    def test_several_lots_split_move(self):
        "A move scanned with two supplier lots becomes one move per lot"
        pool = Pool()
        Session = pool.get('stock.scan.session')
        Shipment = pool.get('stock.shipment.in')
        Line = pool.get('stock.scan.line')
        f = factory(self._stack, qc=False, scan=True)
        shipment = shipment_in(f, [(f.steel, 10, None)])
        for key, lot, qty in [('a', 'SUP-A', 4), ('b', 'SUP-B', 4),
                ('c', 'SUP-A', 2)]:
            line = Session.scan(shipment, 'M-STEEL', qty, lot=lot,
                client_key=key)
            self.assertEqual(line.result, 'accepted')
        Session.complete([line.session])
        moves = Shipment(shipment.id).incoming_moves
        self.assertEqual(sorted((m.lot.number, m.quantity) for m in moves),
            [('SUP-A', 6), ('SUP-B', 4)])
        self.assertEqual(Line.covered([m.id for m in moves]),
            {m.id: m.quantity for m in moves})
        Shipment.receive([Shipment(shipment.id)])
        self.assertEqual(sorted((m.lot.number, m.quantity)
                for m in Shipment(shipment.id).inventory_moves),
            [('SUP-A', 6), ('SUP-B', 4)])

    @tx
    def test_putaway_to_bin(self):
        "Put-away scans choose the storage bin of the inventory move"
        pool = Pool()
        Session = pool.get('stock.scan.session')
        Shipment = pool.get('stock.shipment.in')
        Lot = pool.get('stock.lot')
        f = factory(self._stack, scan=True)
        shipment = shipment_in(f, [(f.steel, 10, f.lot_steel)])
        Session.complete([Session.scan(shipment, 'L-STEEL-1', 10).session])
        Shipment.receive([shipment])
        line = Session.scan(shipment, 'L-STEEL-1', 10, location=f.bin2)
        self.assertEqual(line.result, 'lot_on_hold')
        Lot(f.lot_steel.id).qc_decide()
        line = Session.scan(shipment, 'L-STEEL-1', 10, location=f.bin2)
        self.assertEqual((line.result, line.session.kind),
            ('accepted', 'putaway'))
        Session.complete([line.session])
        Shipment.do([Shipment(shipment.id)])
        self.assertEqual(quantity(f.steel, f.bin2), 10)

    @tx
    def test_issue_tolerance_approval_and_return(self):
        pool = Pool()
        Session = pool.get('stock.scan.session')
        Line = pool.get('stock.scan.line')
        Production = pool.get('production')
        f = factory(self._stack, scan=True, tolerance=10)
        stock(f, f.steel, 50, f.bin1, f.lot_steel)
        prod = production(f, [(f.steel, 10, None)])
        with self.assertRaises(ScanError):
            Production.run([prod])
        over = Session.scan(prod, 'L-STEEL-1', 12, location=f.bin1)
        self.assertEqual(over.result, 'over_quantity')
        ok = Session.scan(prod, 'L-STEEL-1', 11, location=f.bin1)
        self.assertEqual(ok.result, 'accepted')
        clerk = user_in(['factory_stock_ext.group_factory_clerk'], 'clerk',
            f.company)
        with Transaction().set_user(clerk.id):
            with self.assertRaises(ScanError):
                Line.approve([over], 'rush order')
        # Four eyes: who scanned too much does not approve it
        with self.assertRaises(ScanError) as cm:
            Line.approve([over], 'rush order')
        self.assertEqual(cm.exception.code, 'approve_own')
        boss = user_in(['factory_stock_ext.group_factory_supervisor'],
            'boss', f.company)
        with Transaction().set_user(boss.id):
            Line.approve([over], 'rush order')
        self.assertEqual(Line(over.id).result, 'approved')
        back = Production.return_material(prod, 'L-STEEL-1', 3,
            location=f.bin1)
        self.assertEqual(back.quantity, -3)
        with self.assertRaises(ScanError) as cm:
            Production.return_material(prod, 'L-STEEL-1', 100)
        self.assertEqual(cm.exception.code, 'return_beyond_issued')
        Session.complete([ok.session])
        prod = Production(prod.id)
        move, = prod.inputs
        self.assertEqual((move.quantity, move.lot, move.from_location),
            (20, f.lot_steel, f.bin1))
        Production.assign_try([prod])
        Production.run([prod])
        self.assertEqual(quantity(f.steel, f.bin1), 30)

    @tx
    def test_transfer_with_transit(self):
        "Inter-warehouse transfer: scan out at one end, in at the other"
        pool = Pool()
        Session = pool.get('stock.scan.session')
        Location = pool.get('stock.location')
        Internal = pool.get('stock.shipment.internal')
        f = factory(self._stack, qc=False, scan=True)
        wh2, = Location.copy([f.warehouse], default={'name': 'WH2',
                'code': 'WH2'})
        stock(f, f.bolt, 8, f.bin1, f.lot_bolt)
        shipment, = Internal.create([{'company': f.company.id,
                    'from_location': f.bin1.id,
                    'to_location': wh2.storage_location.id,
                    'moves': [('create', [{'product': f.bolt.id,
                                    'unit': f.unit.id, 'quantity': 8,
                                    'lot': f.lot_bolt.id,
                                    'from_location': f.bin1.id,
                                    'to_location': wh2.storage_location.id,
                                    'company': f.company.id}])]}])
        Internal.wait([shipment])
        Internal.assign_try([shipment])
        self.assertEqual(Internal(shipment.id).state, 'assigned',
            [(m.from_location.rec_name, m.to_location.rec_name, m.state)
                for m in Internal(shipment.id).moves])
        out = Session.scan(shipment, 'L-BOLT-1', 8, location=f.bin1)
        self.assertEqual((out.result, out.session.kind),
            ('accepted', 'transfer_out'))
        Session.complete([out.session])
        Internal.pack([Internal(shipment.id)])
        Internal.ship([Internal(shipment.id)])
        transit = Internal(shipment.id).transit_location
        self.assertEqual(quantity(f.bolt, transit), 8,
            [(m.from_location.rec_name, m.to_location.rec_name, m.state)
                for m in Internal(shipment.id).moves]
            + [Internal(shipment.id).state, transit.rec_name])
        with self.assertRaises(ScanError):
            Internal.do([Internal(shipment.id)])
        wrong = Session.scan(shipment, 'L-BOLT-1', 8, location=f.bin1)
        self.assertEqual(wrong.result, 'wrong_location')
        arrived = Session.scan(shipment, 'L-BOLT-1', 8,
            location=wh2.storage_location)
        self.assertEqual(arrived.session.kind, 'transfer_in')
        Session.complete([arrived.session])
        Internal.do([Internal(shipment.id)])
        self.assertEqual(quantity(f.bolt, wh2.storage_location), 8)

    @tx
    def test_keyboard_wedge(self):
        "The form's scan field previews; saving checks and stores the line"
        pool = Pool()
        Session = pool.get('stock.scan.session')
        f, shipment = self._receipt()
        session, = Session.create([{'document': str(shipment),
                    'kind': 'receipt'}])
        session.scan_code = 'QC'
        session.on_change_scan_code()
        self.assertEqual(session.scan_location, f.qc)
        session.scan_code = 'L-STEEL-1'
        session.scan_quantity = 4
        session.on_change_scan_code()
        preview, = session.lines
        self.assertEqual(preview.result, 'accepted')
        session.scan_code = 'NOPE'
        session.on_change_scan_code()
        session.save()
        session = Session(session.id)
        self.assertEqual(sorted(l.result for l in session.lines),
            ['accepted', 'unknown_code'])
        accepted, = [l for l in session.lines if l.result == 'accepted']
        self.assertEqual((accepted.quantity, accepted.location),
            (4, f.qc))


del FactoryTestCase
