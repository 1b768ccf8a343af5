from trytond.model import fields
from trytond.pool import PoolMeta


class User(metaclass=PoolMeta):
    __name__ = 'res.user'
    stocktake_capacity = fields.Integer("Count Capacity (lines/day)",
        help="Lines the scheduler may give this counter per day.")

    @classmethod
    def default_stocktake_capacity(cls):
        return 200


class UserApplication(metaclass=PoolMeta):
    __name__ = 'res.user.application'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.application.selection.append(
            ('stocktake_mobile', "Stocktake Mobile"))
