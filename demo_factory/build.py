"Orchestrates one demo factory build inside an open Tryton transaction."
import datetime as dt
import random
import time
from dataclasses import dataclass, field

from trytond.pool import Pool
from trytond.transaction import Transaction

from . import catalog, features, masterdata
from .loader import Sink
from .simulation import Simulation


@dataclass
class Options:
    products: int = 300
    seed: int = 42
    days: int = 365
    end_date: dt.date = field(default_factory=dt.date.today)
    accounting: bool = True

    @property
    def start_date(self):
        return self.end_date - dt.timedelta(days=self.days)


def _ref(module, xml_id):
    return Pool().get('ir.model.data').get_id(module, xml_id)


def generate(options):
    """Build the factory; returns counts of what was written.

    Deterministic: the same options give the same records in the same order
    (one seeded RNG, no dependence on set or dict hashing of strings).
    """
    started = time.monotonic()
    rng = random.Random(options.seed)
    pool = Pool()
    Party = pool.get('party.party')
    company = masterdata.create_company(options)
    with Transaction().set_context(company=company.id,
            companies=[company.id]):
        account_category = (masterdata.create_accounting(company,
                options.end_date) if options.accounting else None)
        users = masterdata.create_users(company)
        sites = masterdata.create_warehouses(options, rng)
        suppliers, customers = masterdata.create_parties(rng)
        items, writer = catalog.create_products(options, rng, company,
            account_category, suppliers, sites)
        unused = catalog.create_boms(items, rng, writer)
        addresses = {p.id: p.addresses[0].id
            for p in Party.browse(suppliers + customers)}
        sink = Sink(company.id, company.currency.id, {
                'supplier': _ref('stock', 'location_supplier'),
                'customer': _ref('stock', 'location_customer'),
                'lost_found': _ref('stock', 'location_lost_found'),
                'transit': _ref('stock', 'location_transit'),
                }, addresses)
        Simulation(options, rng, items, sites, (suppliers, customers),
            sink).run()
        configured = features.configure(company, users, sites)
    # the demo is configured: skip the first-login configuration wizard
    ConfigItem = pool.get('ir.module.config_wizard.item')
    ConfigItem.write(ConfigItem.search([]), {'state': 'done'})
    counts = dict(sink.counts)
    counts.update(writer.counts)
    counts.update(configured)
    counts.update(products=len(items), unused_materials=len(unused),
        users=len(users), seconds=round(time.monotonic() - started, 1))
    return counts
