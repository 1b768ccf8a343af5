"""Switch on our addons' features in the demo factory, as a site would.

Runs after the history is loaded: zones get their responsible people, the
main plant holds receipts for QC, ABC classes, safety stock and alerts are
computed from the year, and a cycle-count program plans its first tasks.
Everything goes through the addons' own models and scheduled-task methods.
"""
from trytond.pool import Pool


ZONE_OWNERS = {
    # zone location code: (responsible, deputies)
    'WH1-A': ('li', ['zhao']),
    'WH1-B': ('zhao', ['li']),
    'WH1-C': ('zhang', ['li']),
    'WH2-A': ('zhao', ['zhang']),
    'WH2-B': ('zhao', ['zhang']),
    'WH2-C': ('zhang', ['zhao']),
    }
ZONE_NAMES = {'A': 'Raw materials 原材料区', 'B': 'Components 外购件区',
    'C': 'Finished goods 成品区'}


def create_zones(sites, users):
    pool = Pool()
    Zone = pool.get('stock.location.zone')
    Location = pool.get('stock.location')
    values = []
    for site in sites:
        for location in Location.browse(site.zones.values()):
            responsible, deputies = ZONE_OWNERS[location.code]
            values.append({'code': location.code,
                    'name': ZONE_NAMES[location.code[-1]],
                    'warehouse': site.warehouse,
                    'responsible': users[responsible],
                    'deputies': [('add', [users[d] for d in deputies])],
                    'locations': [('add', [location.id])]})
    return Zone.create(values)


def hold_receipts_for_qc(site):
    "The main plant inspects every supplier receipt before put-away"
    Location = Pool().get('stock.location')
    qc, rejected = Location.create([
            {'name': 'WH1 QC hold 待检区', 'code': 'WH1-QC',
                'type': 'storage', 'parent': site.warehouse},
            {'name': 'WH1 Rejected 不合格品区', 'code': 'WH1-REJ',
                'type': 'storage', 'parent': site.warehouse}])
    Location.write([Location(site.warehouse)], {'qc_required': True,
            'qc_location': qc.id, 'rejected_location': rejected.id})


def count_program(site, company):
    pool = Pool()
    Program = pool.get('stocktake.program')
    Date = pool.get('ir.date')
    program, = Program.create([{'name': 'WH1 cycle counts 一厂循环盘点',
                'company': company.id, 'warehouse': site.warehouse,
                'start_date': Date.today()}])
    return Program.generate_tasks([program])


def configure(company, users, sites):
    "Returns counts of what the features produced, for the build summary"
    pool = Pool()
    ProductABC = pool.get('stock.product.abc')
    Alert = pool.get('stock.alert')
    zones = create_zones(sites, users)
    hold_receipts_for_qc(sites[0])
    ProductABC.compute()
    Alert.run()
    tasks = count_program(sites[0], company)
    return {'zones': len(zones), 'count_tasks': len(tasks or []),
        'abc_classes': ProductABC.search_count([]),
        'alerts': Alert.search_count([])}
