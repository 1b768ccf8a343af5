# This file is part of factory_stock_ext.  Handheld scanners authenticate
# with a Tryton user application key of this name.
from trytond.model import fields
from trytond.pool import PoolMeta


class UserApplication(metaclass=PoolMeta):
    __name__ = 'res.user.application'
    device = fields.Char("Device", readonly=True,
        help="The handheld the key was issued to at sign-in.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        application = ('factory_scan', "Factory Scanning")
        if application not in cls.application.selection:
            cls.application.selection.append(application)

    @classmethod
    def check(cls, key, application):
        # Core looks at the key and its state only: the key of a user who
        # was deactivated must stop working too, on every route (same
        # search as core with the user's state, in one query)
        records = cls.search([
                ('key', '=', key),
                ('application', '=', application),
                ('state', '=', 'validated'),
                ('user.active', '=', True),
                ], limit=1)
        if records:
            return records[0]
