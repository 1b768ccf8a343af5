"Orchestrates one demo factory build inside an open Tryton transaction."
import datetime as dt
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

from . import catalog, features, masterdata
from .actors import Actors, on_day
from .counting import Counting
from .live import Live
from .loader import Sink
from .simulation import Simulation

DEFAULT_ERP_URL = 'http://127.0.0.1:8765/k3cloud/'


@dataclass
class Options:
    products: int = 300
    seed: int = 42
    days: int = 365
    end_date: dt.date = field(default_factory=dt.date.today)
    accounting: bool = True
    # the last days are made by the real flows (live.py)
    live_days: int = 10
    erp_url: str = DEFAULT_ERP_URL
    # False: the bulk history alone (the scale benchmark), no flow
    flows: bool = True

    @property
    def start_date(self):
        return self.end_date - dt.timedelta(days=self.days)


def _ref(module, xml_id):
    return Pool().get('ir.model.data').get_id(module, xml_id)


@dataclass
class Factory:
    "What the master data phase made, as plain values"
    company: int
    currency: int
    accounts: object
    users: dict
    sites: list
    suppliers: list
    customers: list
    addresses: dict
    items: list
    unused: set
    program: int
    revised: int
    zones: int
    written: dict
    rng_state: tuple


def setup(options):
    """Master data and the features a site switches on first (zones,
    safety-stock settings, the count program), as root in one call"""
    pool = Pool()
    Party = pool.get('party.party')
    # inside the call: a restarted call draws the same numbers again
    rng = random.Random(options.seed)
    company = masterdata.create_company(options)
    with Transaction().set_context(company=company.id,
            companies=[company.id]):
        account_category, accounts = (masterdata.create_accounting(
                company, options.end_date) if options.accounting
            else (None, None))
        users = masterdata.create_users(company)
        sites = masterdata.create_warehouses(options, rng)
        suppliers, customers = masterdata.create_parties(rng)
        items, writer = catalog.create_products(options, rng, company,
            account_category, suppliers, sites)
        unused = catalog.create_boms(items, rng, writer)
        addresses = {p.id: p.addresses[0].id
            for p in Party.browse(suppliers + customers)}
        zones = features.create_zones(sites, users)
        # the material whose cost is revised on the last day
        revised = next(it for it in items if it.kind == 'raw')
        features.average_cost(revised.id)
        features.configure_safety(items)
        program = features.count_program(sites[0], company,
            options.start_date)
    return Factory(company.id, company.currency.id, accounts, users, sites,
        suppliers, customers, addresses, items, unused, program.id,
        revised.id, len(zones), dict(writer.counts), rng.getstate())


def switch_on(company_id, site, items, url, unmapped):
    "The live days start: QC hold at the main plant, posting to the ERP"
    Company = Pool().get('company.company')
    features.hold_receipts_for_qc(site)
    features.erp_endpoint(Company(company_id), site, items, url, unmapped)


def finish_setup():
    "The demo is configured: skip the first-login configuration wizard"
    ConfigItem = Pool().get('ir.module.config_wizard.item')
    ConfigItem.write(ConfigItem.search([]), {'state': 'done'})


def generate(options):
    """Build the factory; returns counts of what was written.

    Deterministic: the same options give the same records in the same order
    (seeded RNGs, no dependence on set or dict hashing of strings, and the
    clock set to the simulated day for every flow that reads it). Every
    use of the ORM is a call of its own (actors.py), committed, restarted
    alone when Tryton asks for locks; this transaction only writes the
    history in bulk between them.
    """
    started = time.monotonic()
    with on_day(options.start_date, 7):
        factory = Actors().call('cron', setup, options)
    rng = random.Random()
    rng.setstate(factory.rng_state)
    items, sites = factory.items, factory.sites

    class Company:
        id = factory.company
    actors = Actors(Company, factory.users)
    sink = Sink(factory.company, factory.currency, {
            'supplier': _ref('stock', 'location_supplier'),
            'customer': _ref('stock', 'location_customer'),
            'lost_found': _ref('stock', 'location_lost_found'),
            'transit': _ref('stock', 'location_transit'),
            }, factory.addresses, factory.accounts)
    counting = Counting(options, actors, factory.program, items,
        sites[0].warehouse)
    simulation = Simulation(options, rng, items, sites,
        (factory.suppliers, factory.customers), sink)
    simulation.run(checkpoint=counting.checkpoint if options.flows
        else None)
    if not options.flows:
        actors.call('cron', finish_setup)
        return _counts(started, sink, factory, actors)

    with on_day(simulation.date(simulation.live_from), 7):
        received = sorted({items[i].id for order in simulation.live_orders
                for i, _ in order[3]})
        every = features.UNMAPPED_EVERY
        actors.call('cron', switch_on, factory.company, sites[0], items,
            options.erp_url, set(received[every - 1::every]))
    live = Live(options, actors, simulation, sites[0])
    live.run()
    counting.today(options.end_date)
    with on_day(options.end_date, 22):
        actors.call('cron', features.nightly)
        actors.call('admin', features.purchase_requests,
            [s.warehouse for s in sites])
    if options.accounting:
        with on_day(options.end_date, 23):
            # the books agree with the stock, a cost revision included...
            actors.call('admin', features.reconcile, options.end_date
                - dt.timedelta(days=1))
            actors.call('admin', features.change_cost, factory.revised,
                options.end_date - dt.timedelta(days=7), 'cost_price * 1.25')
            # ...until a manual write-down, which the drill-down shows
            actors.call('admin', features.write_down, options.end_date,
                Decimal('1250.00'))
            actors.call('admin', features.reconcile, options.end_date)
    with on_day(options.end_date, 23):
        closed = actors.call('admin', features.close_stock_periods,
            options.start_date, options.end_date)
    actors.call('cron', finish_setup)
    return _counts(started, sink, factory, actors,
        live_purchases=live.purchases, count_tasks=counting.tasks,
        stock_periods=len(closed))


def _counts(started, sink, factory, actors, **extra):
    counts = dict(sink.counts)
    counts.update(factory.written)
    counts.update(products=len(factory.items),
        unused_materials=len(factory.unused), users=len(factory.users),
        zones=factory.zones, calls=actors.calls,
        seconds=round(time.monotonic() - started, 1), **extra)
    return counts
