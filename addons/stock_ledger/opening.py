# Opening balances from Excel: an import is checked as a whole, then posted
# as core stock.inventory records (one per bin) so that the moves, costs and
# accounting are Tryton's own. The content digest refuses a second import of
# the same rows, so re-importing a file never doubles the stock.
import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.modules.product import price_digits, round_price
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction
from trytond.wizard import (
    Button, StateAction, StateTransition, StateView, Wizard)

from . import columns
from .check import REQUIRED, Checker
from .exceptions import OpeningImportDeleteError, OpeningImportError

KINDS = [
    ('opening', "Opening balances"),
    ('products', "Products"),
    ('locations', "Bin locations"),
    ]
MAX_REPORTED = 500
BATCH = 500


def read(data, checker):
    "Check the sheet; return (lines, digest), problems left on checker"
    digest = hashlib.sha256(checker.kind.encode())
    rows = []
    try:
        for number, row in columns.read_rows(data, REQUIRED[checker.kind]):
            rows.append((number, row))
            digest.update(repr(sorted(
                        (k, str(v)) for k, v in row.items())).encode())
    except columns.SheetError as error:
        raise OpeningImportError(gettext('stock_ledger.' + error.args[0]))
    return checker.check(rows), digest.hexdigest()


def format_problems(problems):
    text = '\n'.join(p.message for p in problems[:MAX_REPORTED])
    if len(problems) > MAX_REPORTED:
        text += '\n' + gettext('stock_ledger.msg_opening_more_problems',
            count=len(problems) - MAX_REPORTED)
    return text


class OpeningImport(ModelSQL, ModelView):
    __name__ = 'stock.opening.import'
    __string__ = "Opening Import"
    _rec_name = 'file_name'
    company = fields.Many2One('company.company', "Company", required=True,
        readonly=True)
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    date = fields.Date("Date", readonly=True,
        help="The date of the opening balances.")
    file_name = fields.Char("File Name", readonly=True)
    digest = fields.Char("Digest", required=True, readonly=True,
        help="SHA-256 of the imported rows; the same rows are refused twice.")
    rows = fields.Integer("Rows", readonly=True)
    quantity = fields.Float("Total Quantity", readonly=True)
    value = fields.Numeric("Total Value", digits=(16, 2), readonly=True)
    created = fields.Char("Created Records", readonly=True)
    inventories = fields.One2Many('stock.inventory', 'opening_import',
        "Inventories", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('digest_unique', Unique(t, t.company, t.digest),
                'stock_ledger.msg_opening_already_imported_short'),
            ]
        cls._order.insert(0, ('create_date', 'DESC'))

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        # A stored import is posted, and its digest is what refuses the
        # same rows a second time: no client deletes it
        if external and mode == 'delete' and records:
            raise OpeningImportDeleteError(gettext(
                    'stock_ledger.msg_opening_import_delete',
                    record=records[0].rec_name))

    @classmethod
    def check_file(cls, data, company, kind='opening', **options):
        "Return (lines, digest, checker); problems are in checker.problems"
        checker = Checker(company, kind=kind, **options)
        lines, digest = read(data, checker)
        return lines, digest, checker

    @classmethod
    def import_file(cls, data, company=None, date=None, file_name=None,
            kind='opening', **options):
        """Check and post data (bytes of an .xlsx); raise OpeningImportError
        listing every problem when the sheet is not valid as a whole."""
        pool = Pool()
        Company = pool.get('company.company')
        Date = pool.get('ir.date')
        if company is None:
            company = Company(Transaction().context['company'])
        lines, digest, checker = cls.check_file(
            data, company, kind=kind, **options)
        if checker.problems:
            raise OpeningImportError(gettext(
                    'stock_ledger.msg_opening_invalid',
                    count=len(checker.problems),
                    problems=format_problems(checker.problems)))
        cls.lock()
        done = cls.search([('company', '=', company.id),
                ('digest', '=', digest)], limit=1)
        if done:
            done, = done
            raise OpeningImportError(gettext(
                    'stock_ledger.msg_opening_already_imported',
                    file=done.file_name or '', date=done.create_date.date(),
                    user=done.create_uid.rec_name))
        with Transaction().set_context(company=company.id):
            today = Date.today()
        date = date or today
        if date > today:
            raise OpeningImportError(gettext(
                    'stock_ledger.msg_opening_future_date', date=date))
        poster = Poster(company, checker, date)
        created = poster.create_records()
        record, = cls.create([{
                    'company': company.id,
                    'kind': kind,
                    'date': date if kind == 'opening' else None,
                    'file_name': file_name,
                    'digest': digest,
                    'rows': len(lines) or sum(created.values()),
                    'quantity': float(sum(l.quantity for l in lines)),
                    'value': company.currency.round(sum(
                            (l.quantity * l.cost for l in lines),
                            Decimal(0))),
                    'created': ', '.join(f'{k}: {v}'
                        for k, v in created.items() if v),
                    }])
        if lines:
            poster.post(record, lines)
        return record


class Poster:
    "Writes what a valid Checker planned"

    def __init__(self, company, checker, date):
        self.company = company
        self.checker = checker
        self.date = date

    def create_records(self):
        pool = Pool()
        Category = pool.get('product.category')
        Template = pool.get('product.template')
        Location = pool.get('stock.location')
        Lot = pool.get('stock.lot')
        c = self.checker
        ids = c.ids = {}
        if c.new_categories:
            keys = sorted(c.new_categories)
            for key, category in zip(keys, Category.create(
                        [{'name': c.new_categories[k]} for k in keys])):
                ids[('new', key)] = category
        if c.new_products:
            codes = sorted(c.new_products)
            values = []
            for code in codes:
                new = c.new_products[code]
                category = new['category']
                if isinstance(category, tuple):
                    category = ids[category]
                values.append({
                        'name': new['name'],
                        'type': 'goods',
                        'default_uom': new['unit'].id,
                        'list_price': Decimal(0),
                        'categories': ([('add', [category.id])]
                            if category else []),
                        'account_category': (category.id
                            if category and category.accounting else None),
                        # suffix_code set: no material code sequence runs
                        'products': [('create', [{'suffix_code': code}])],
                        })
            templates = []
            # Batches: on SQLite the unique-code check of a batch is one
            # OR per product, and its parser overflows beyond a few dozen
            size = 25 if backend.name == 'sqlite' else BATCH
            for sub in grouped_slice(values, size):
                templates.extend(Template.create(list(sub)))
            for code, template in zip(codes, templates):
                product, = template.products
                ids[('new', code)] = product
        if c.new_locations:
            keys = sorted(c.new_locations)
            warehouses = {w.id: w for w in c.warehouses.values()}
            for key, location in zip(keys, Location.create([{
                            'name': c.new_locations[k], 'code': k[1],
                            'type': 'storage',
                            'parent': warehouses[k[0]].storage_location.id,
                            } for k in keys])):
                ids[('new',) + key] = location
        if c.new_lots:
            keys = sorted(c.new_lots, key=str)
            for sub in grouped_slice(keys, BATCH):
                sub = list(sub)
                for key, lot in zip(sub, Lot.create([{
                                'number': k[1],
                                'product': self._id(k[0]),
                                'expiration_date': c.new_lots[k],
                                } for k in sub])):
                    ids[('new',) + key] = lot
        return {
            'categories': len(c.new_categories),
            'products': len(c.new_products),
            'locations': len(c.new_locations),
            'lots': len(c.new_lots),
            }

    def _id(self, value):
        if isinstance(value, tuple):
            return self.checker.ids[value].id
        return value

    def post(self, record, lines):
        pool = Pool()
        Inventory = pool.get('stock.inventory')
        Figures = pool.get('stock.figures')
        lines = [l._replace(product=self._id(l.product),
                location=self._id(l.location), lot=self._id(l.lot))
            for l in lines]
        by_location = defaultdict(list)
        for line in lines:
            by_location[line.location].append(line)
        product_ids = sorted({l.product for l in lines})
        expected = Figures.on_hand(self.company,
            self.date, products=product_ids, grouping=('product', 'lot'),
            per_location=True, locations=sorted(by_location))
        self._update_cost_prices(lines, expected)
        # Inventories of at most BATCH lines, created and confirmed a batch
        # at a time: the ORM checks every id of a browsed list on each
        # instance, so one list of 100,000 moves would be quadratic.
        batches, batch = [], []
        for location in sorted(by_location):
            for sub in grouped_slice(by_location[location], BATCH):
                sub = list(sub)
                if batch and sum(len(b[1]) for b in batch) + len(sub) > BATCH:
                    batches.append(batch)
                    batch = []
                batch.append((location, sub))
        if batch:
            batches.append(batch)
        created = []
        for batch in batches:
            inventories = Inventory.create([{
                        'company': self.company.id,
                        'location': location,
                        'date': self.date,
                        'opening_import': record.id,
                        'lines': [('create', [{
                                        'product': l.product,
                                        'lot': l.lot,
                                        'expected_quantity': expected.get(
                                            (location, l.product, l.lot), 0),
                                        'quantity': float(l.quantity),
                                        'opening_cost': l.cost,
                                        } for l in sub])],
                        } for location, sub in batch])
            created.append([i.id for i in inventories])
        # A backdated opening must not leave a lot negative after its date:
        # every problem of the sheet in one refusal, before anything posts
        Inventory.check_negative_later(
            Inventory.browse([i for ids in created for i in ids]))
        with Transaction().set_context(
                _skip_warnings=True, _negative_later_checked=True):
            for ids in created:
                Inventory.confirm(Inventory.browse(ids))

    def _update_cost_prices(self, lines, expected):
        "Weighted average of the stock already there and the opening rows"
        pool = Pool()
        Product = pool.get('product.product')
        Figures = pool.get('stock.figures')
        CostPrice = Product.multivalue_model('cost_price')
        product_ids = sorted({l.product for l in lines})
        on_hand = Figures.on_hand(self.company, self.date,
            products=product_ids)
        quantity = defaultdict(Decimal)
        for (product,), qty in on_hand.items():
            quantity[product] += Decimal(str(qty))
        added = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for line in lines:
            before = Decimal(str(expected.get(
                        (line.location, line.product, line.lot), 0)))
            delta = line.quantity - before
            added[line.product][0] += delta
            added[line.product][1] += delta * line.cost
        values = []
        with Transaction().set_context(company=self.company.id):
            for product in (p for sub in grouped_slice(product_ids, BATCH)
                    for p in Product.browse(list(sub))):
                old_qty = max(quantity[product.id], Decimal(0))
                add_qty, add_value = added[product.id]
                if old_qty + add_qty <= 0:
                    continue
                cost = round_price((old_qty * (product.cost_price or 0)
                        + add_value) / (old_qty + add_qty))
                values.extend(product.set_multivalue('cost_price', cost,
                        save=False, company=self.company.id))
        CostPrice.save(values)


class OpeningImportStart(ModelView):
    __name__ = 'stock.opening.import.start'
    __string__ = "Import Opening Balances"
    company = fields.Many2One('company.company', "Company", required=True)
    kind = fields.Selection(KINDS, "Kind", required=True)
    date = fields.Date("Date",
        states={'required': Eval('kind') == 'opening',
            'invisible': Eval('kind') != 'opening'})
    file = fields.Binary("File", required=True, filename='file_name')
    file_name = fields.Char("File Name")
    create_products = fields.Boolean("Create Missing Products",
        states={'invisible': Eval('kind') != 'opening'},
        help="Create the products whose code is unknown "
        "(name and unit are then required).")
    create_lots = fields.Boolean("Create Missing Lots",
        states={'invisible': Eval('kind') != 'opening'})
    create_locations = fields.Boolean("Create Missing Bins",
        states={'invisible': Eval('kind') != 'opening'},
        help="Create unknown bins under the warehouse storage location.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_kind(cls):
        return 'opening'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_create_lots(cls):
        return True


class OpeningImportResult(ModelView):
    __name__ = 'stock.opening.import.result'
    __string__ = "Opening Import Result"
    problems = fields.Text("Problems", readonly=True)
    problem_count = fields.Integer("Number of Problems", readonly=True)
    opening_import = fields.Many2One('stock.opening.import', "Import",
        readonly=True)


class OpeningImportWizard(Wizard):
    __name__ = 'stock.opening.import.wizard'
    start = StateView('stock.opening.import.start',
        'stock_ledger.opening_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    result = StateView('stock.opening.import.result',
        'stock_ledger.opening_import_result_view_form', [
            Button("Close", 'end', 'tryton-close'),
            Button("Back", 'start', 'tryton-back', default=True),
            ])
    open_ = StateAction('stock_ledger.act_opening_import')

    def transition_import_(self):
        pool = Pool()
        Import = pool.get('stock.opening.import')
        start = self.start
        options = {}
        if start.kind == 'opening':
            options = {'create_products': bool(start.create_products),
                'create_lots': bool(start.create_lots),
                'create_locations': bool(start.create_locations)}
        lines, digest, checker = Import.check_file(
            start.file, start.company, kind=start.kind, **options)
        if checker.problems:
            self.result.problems = format_problems(checker.problems)
            self.result.problem_count = len(checker.problems)
            return 'result'
        # Who may import is decided by the groups of the wizard's action
        # (stock administrators, warehouse supervisors); the products,
        # bins and lots an import creates need rights beyond those roles
        with Transaction().set_context(_check_access=False):
            self.result.opening_import = Import.import_file(start.file,
                start.company, date=start.date, file_name=start.file_name,
                kind=start.kind, **options)
        return 'open_'

    def default_result(self, fields):
        return {'problems': self.result.problems,
            'problem_count': self.result.problem_count}

    def do_open_(self, action):
        action['res_id'] = [self.result.opening_import.id]
        action['views'].reverse()
        return action, {}


class OpeningTemplate(Wizard):
    __name__ = 'stock.opening.template'
    start = StateView('stock.opening.template.result',
        'stock_ledger.opening_template_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        return {'file': columns.template(),
            'file_name': f'opening-template-{dt.date.today()}.xlsx'}


class OpeningTemplateResult(ModelView):
    __name__ = 'stock.opening.template.result'
    __string__ = "Opening Template"
    file = fields.Binary("Template", filename='file_name', readonly=True)
    file_name = fields.Char("File Name", readonly=True)
