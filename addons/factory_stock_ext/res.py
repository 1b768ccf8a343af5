# This file is part of factory_stock_ext.  Handheld scanners authenticate
# with a Tryton user application key of this name.
from trytond.pool import PoolMeta


class UserApplication(metaclass=PoolMeta):
    __name__ = 'res.user.application'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        application = ('factory_scan', "Factory Scanning")
        if application not in cls.application.selection:
            cls.application.selection.append(application)
