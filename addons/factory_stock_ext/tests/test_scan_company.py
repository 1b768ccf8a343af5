"""Scan sessions and lines carry their document's company (stored so that
the company rule checked on every scan is a plain column test): set from
the document whatever a client sends, and followed when the document of an
open session changes"""
import copy

from trytond.modules.company.tests import create_company
from trytond.pool import Pool
from trytond.transaction import Transaction

from .tools_qc_scan import FactoryTestCase
from .tools_qc_scan import factory, shipment_in, tx, user_in


class ScanCompanyTestCase(FactoryTestCase):
    module = 'factory_stock_ext'

    @tx
    def test_company_is_the_documents(self):
        pool = Pool()
        Session = pool.get('stock.scan.session')
        f = factory(self._stack, qc=False)
        other = copy.copy(f)
        other.company = create_company(name="Other Co")
        ours, theirs = shipment_in(f, [(f.steel, 5, None)]), shipment_in(
            other, [(f.steel, 5, None)])
        clerk = user_in(['factory_stock_ext.group_factory_clerk'], 'clerk',
            f.company)
        with Transaction().set_user(clerk.id):
            line = Session.scan(ours, 'M-STEEL', 1, location=f.input)
        self.assertEqual(line.result, 'accepted')
        self.assertEqual(line.session.company, f.company)
        self.assertEqual(line.company, f.company)

        # A company sent with the values is not taken
        session, = Session.create([{'document': str(ours),
                    'kind': 'receipt', 'company': other.company.id}])
        self.assertEqual(session.company, f.company)
        Session.write([session], {'company': other.company.id})
        self.assertEqual(Session(session.id).company, f.company)
        # …the document's is
        Session.write([session], {'document': str(theirs)})
        self.assertEqual(Session(session.id).company, other.company)
