"""Inventory differences posted to a company account with their reason."""
from trytond.model import ModelSQL, fields
from trytond.modules.company.model import CompanyValueMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

inventory_difference_account = fields.Many2One(
    'account.account', "Inventory Difference Account",
    domain=[
        ('closed', '!=', True),
        ('type.statement', '=', 'income'),
        ('company', '=', Eval('company', -1)),
        ],
    help="When set, stock counted more or less than expected (lost and "
    "found moves) is posted to this account instead of the category stock "
    "IN/OUT account.")


class Configuration(metaclass=PoolMeta):
    __name__ = 'account.configuration'
    inventory_difference_account = fields.MultiValue(fields.Many2One(
            'account.account', "Inventory Difference Account",
            domain=[
                ('closed', '!=', True),
                ('type.statement', '=', 'income'),
                ('company', '=', Eval('context', {}).get('company', -1)),
                ],
            help="When set, stock counted more or less than expected (lost "
            "and found moves) is posted to this account instead of the "
            "category stock IN/OUT account."))

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field == 'inventory_difference_account':
            return pool.get(
                'account.configuration.inventory_difference_account')
        return super().multivalue_model(field)


class ConfigurationInventoryDifferenceAccount(ModelSQL, CompanyValueMixin):
    __name__ = 'account.configuration.inventory_difference_account'
    inventory_difference_account = inventory_difference_account


class InventoryLine(metaclass=PoolMeta):
    __name__ = 'stock.inventory.line'
    variance_reason = fields.Char(
        "Variance Reason",
        states={
            'readonly': Eval('inventory_state') != 'draft',
            },
        help="Why the counted quantity differs from the expected one; "
        "it is copied to the accounting entry of the difference.")


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    def _get_account_stock_move_lines(self, type_):
        pool = Pool()
        Configuration = pool.get('account.configuration')
        InventoryLine = pool.get('stock.inventory.line')
        lines = super()._get_account_stock_move_lines(type_)
        if type_ not in {'in_lost_found', 'out_lost_found'}:
            return lines
        account = Configuration(1).get_multivalue(
            'inventory_difference_account', company=self.company.id)
        # Opening balances are not count variances: they keep the
        # category's stock IN account, the counterpart finance expects.
        opening = (isinstance(self.origin, InventoryLine)
            and self.origin.inventory.opening_import)
        # The lines are for the lost and found side only: the stock account
        # counterpart is added afterwards by the caller.
        for line in lines:
            if account and not opening:
                line.account = account
            if isinstance(self.origin, InventoryLine):
                line.description = ': '.join(filter(None, [
                            self.origin.inventory.rec_name,
                            self.origin.variance_reason]))
        return lines
