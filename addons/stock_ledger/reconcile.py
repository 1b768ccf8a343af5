"""Reconciliation of the stock value with the stock accounts at a date."""
import datetime as dt
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.company import CompanyReport
from trytond.modules.factory_stock_ext import workflow_guard
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateView, Wizard

from .exceptions import ReconciliationError
from .reconcile_compute import reconcile
from .report_common import strings, workbook as common_workbook

KINDS = [
    ('missing', "Move without account move"),
    ('amount', "Booked amount differs"),
    ('cost', "Cost price changed without account move"),
    ('unaccounted', "Move without account stock method"),
    ('other', "Other entry on stock account"),
    ]


def _amount(string):
    return fields.Numeric(string, digits=(16, Eval('currency_digits', 2)),
        readonly=True)


class Reconcile(ModelSQL, ModelView):
    __name__ = 'stock.ledger.reconcile'
    company = fields.Many2One('company.company', "Company", required=True,
        states={'readonly': Eval('id', -1) >= 0})
    period = fields.Many2One('account.period', "Period",
        domain=[('company', '=', Eval('company', -1))],
        help="Take the end date of this period.")
    date = fields.Date("Date", required=True)
    currency_digits = fields.Function(fields.Integer("Currency Digits"),
        'on_change_with_currency_digits')
    stock_value = _amount("Stock Value")
    account_balance = _amount("Account Balance")
    difference = _amount("Difference")
    computed_by = fields.Many2One('company.employee', "Computed By",
        readonly=True)
    computed_at = fields.DateTime("Computed At", readonly=True)
    accounts = fields.One2Many('stock.ledger.reconcile.account',
        'reconcile', "Accounts", readonly=True)
    values = fields.One2Many('stock.ledger.reconcile.value', 'reconcile',
        "Stock Values", readonly=True)
    differences = fields.One2Many('stock.ledger.reconcile.difference',
        'reconcile', "Differences", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'compute': {'icon': 'tryton-refresh'},
                'export': {'icon': 'tryton-save'},
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        # The figures and who computed them come from the compute button
        workflow_guard.check(cls, mode, records, values, external,
            fields={'computed_by', 'computed_at', 'accounts', 'values',
                'differences'})

    @fields.depends('company')
    def on_change_with_currency_digits(self, name=None):
        return self.company.currency.digits if self.company else 2

    @fields.depends('period')
    def on_change_period(self):
        if self.period:
            self.date = self.period.end_date

    def get_rec_name(self, name):
        return '%s @ %s' % (self.company.rec_name, self.date)

    @classmethod
    def copy(cls, records, default=None):
        default = default.copy() if default is not None else {}
        for name in ['accounts', 'values', 'differences', 'computed_at',
                'computed_by', 'stock_value', 'account_balance',
                'difference']:
            default.setdefault(name, None)
        return super().copy(records, default=default)

    @classmethod
    @ModelView.button
    def compute(cls, records):
        pool = Pool()
        Account = pool.get('stock.ledger.reconcile.account')
        Value = pool.get('stock.ledger.reconcile.value')
        Difference = pool.get('stock.ledger.reconcile.difference')
        Date = pool.get('ir.date')
        Account.delete([a for r in records for a in r.accounts])
        Value.delete([v for r in records for v in r.values])
        Difference.delete([d for r in records for d in r.differences])
        to_create = {Account: [], Value: [], Difference: []}
        now = dt.datetime.now()
        for record in records:
            with Transaction().set_context(company=record.company.id):
                if record.date > Date.today():
                    raise ReconciliationError(gettext(
                            'stock_ledger.msg_reconcile_future_date',
                            date=record.date))
            result = reconcile(record.company, record.date)
            total = [Decimal(0), Decimal(0)]
            for account, value, balance, draft in result['accounts']:
                to_create[Account].append({'reconcile': record.id,
                        'account': account, 'stock_value': value,
                        'balance': balance, 'draft_balance': draft,
                        'difference': value - balance})
                total[0] += value
                total[1] += balance
            for warehouse, category, account, quantity, value in (
                    result['values']):
                to_create[Value].append({'reconcile': record.id,
                        'warehouse': warehouse, 'category': category,
                        'account': account, 'quantity': quantity,
                        'stock_value': value})
            for line in result['differences']:
                to_create[Difference].append({'reconcile': record.id,
                        'kind': line['kind'],
                        'product': line.get('product'),
                        'move': line.get('move'),
                        'account_move': line.get('account_move'),
                        'date': line['date'],
                        'account': line['account'],
                        'expected': line['expected'],
                        'booked': line['booked'],
                        'difference': line['expected'] - line['booked'],
                        'description': line['description']})
            record.stock_value, record.account_balance = total
            record.difference = total[0] - total[1]
            record.computed_at = now
            record.computed_by = Transaction().context.get('employee')
        for Model, values in to_create.items():
            Model.create(values)
        cls.save(records)

    @classmethod
    @ModelView.button_action('stock_ledger.wizard_reconcile_export')
    def export(cls, records):
        pass


class _Line(ModelSQL, ModelView):
    reconcile = fields.Many2One('stock.ledger.reconcile', "Reconciliation",
        required=True, ondelete='CASCADE')
    account = fields.Many2One('account.account', "Account", readonly=True)
    currency_digits = fields.Function(fields.Integer("Currency Digits"),
        'on_change_with_currency_digits')

    @fields.depends('reconcile', '_parent_reconcile.company')
    def on_change_with_currency_digits(self, name=None):
        if self.reconcile and self.reconcile.company:
            return self.reconcile.company.currency.digits
        return 2


class ReconcileAccount(_Line):
    __name__ = 'stock.ledger.reconcile.account'
    stock_value = _amount("Stock Value")
    balance = _amount("Account Balance")
    draft_balance = _amount("Of Which Draft")
    difference = _amount("Difference")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('account', 'ASC NULLS FIRST'), ('id', 'ASC')]
        cls.balance.help = "Posted and draft account moves up to the date."


class ReconcileValue(_Line):
    __name__ = 'stock.ledger.reconcile.value'
    warehouse = fields.Many2One('stock.location', "Warehouse", readonly=True)
    category = fields.Many2One('product.category', "Account Category",
        readonly=True)
    quantity = fields.Float("Quantity", readonly=True,
        help="Sum of the quantities in the products' default units.")
    stock_value = _amount("Stock Value")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('warehouse', 'ASC NULLS FIRST'),
            ('category', 'ASC NULLS FIRST'), ('id', 'ASC')]


class ReconcileDifference(_Line):
    __name__ = 'stock.ledger.reconcile.difference'
    kind = fields.Selection(KINDS, "Kind", readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True)
    move = fields.Many2One('stock.move', "Stock Move", readonly=True)
    account_move = fields.Many2One('account.move', "Account Move",
        readonly=True)
    date = fields.Date("Date", readonly=True)
    expected = _amount("Expected")
    booked = _amount("Booked")
    difference = _amount("Difference")
    description = fields.Char("Description", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('kind', 'ASC'), ('date', 'ASC'), ('id', 'ASC')]


class ReconcileExportResult(ModelView):
    __name__ = 'stock.ledger.reconcile.export.result'
    file = fields.Binary("File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)


class ReconcileExport(Wizard):
    "Export a computed reconciliation to an Excel workbook"
    __name__ = 'stock.ledger.reconcile.export'
    start_state = 'result'
    result = StateView('stock.ledger.reconcile.export.result',
        'stock_ledger.reconcile_export_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_result(self, fields):
        return {'file': workbook(self.record),
            'filename': 'stock-reconcile-%s.xlsx' % self.record.date}


def _name(record):
    return record.rec_name if record else ''


def workbook(record):
    "xlsx bytes: one sheet per list of the reconciliation"
    Difference = Pool().get('stock.ledger.reconcile.difference')
    kinds = dict(Difference.fields_get(['kind'])['kind']['selection'])
    titles = strings(record.__name__, ['accounts', 'values', 'differences'])
    accounts = ['account', 'stock_value', 'balance', 'draft_balance',
        'difference']
    values = ['warehouse', 'category', 'account', 'quantity', 'stock_value']
    differences = ['kind', 'product', 'move', 'account_move', 'date',
        'account', 'expected', 'booked', 'difference', 'description']
    return common_workbook([
            (titles[0], strings('stock.ledger.reconcile.account', accounts),
                [[getattr(l, n) for n in accounts] for l in record.accounts]
                + [['', record.stock_value, record.account_balance, None,
                        record.difference]]),
            (titles[1], strings('stock.ledger.reconcile.value', values),
                [[getattr(l, n) for n in values] for l in record.values]),
            (titles[2], strings('stock.ledger.reconcile.difference',
                    differences),
                [[kinds.get(l.kind, l.kind)] + [getattr(l, n)
                        for n in differences[1:]]
                    for l in record.differences]),
            ])


class ReconcileReport(CompanyReport):
    __name__ = 'stock.ledger.reconcile.report'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Difference = pool.get('stock.ledger.reconcile.difference')
        context = super().get_context(records, header, data)
        context['kinds'] = dict(
            Difference.fields_get(['kind'])['kind']['selection'])
        context['name'] = _name
        context['amount'] = lambda value, record: (
            '' if value is None else cls.format_number(
                value, None, digits=record.currency_digits))
        return context
