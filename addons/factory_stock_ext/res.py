# This file is part of factory_stock_ext.  Handheld scanners authenticate
# with a Tryton user application key of this name.
from collections import namedtuple

from sql import Literal

from trytond.model import fields
from trytond.pool import Pool, PoolMeta

from . import sql_statements

KeyUser = namedtuple('KeyUser', ['id', 'user', 'user_stamp'])


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
        row = cls.key_user(key, application)
        if row:
            return cls(row.id)

    @classmethod
    def key_user(cls, key, application):
        """(id, user, user_stamp) of the validated key of the application,
        None when there is none or its user is inactive.

        Core looks at the key and its state only: the key of a user who was
        deactivated must stop working too, on every route.  One read, as
        every scan authenticates: user_stamp (the user's write and create
        dates) tells caches of the user's preferences that they changed."""
        def build(key, application):
            User = Pool().get('res.user')
            table, user = cls.__table__(), User.__table__()
            return table.join(user, condition=table.user == user.id).select(
                table.id, table.user, user.write_date, user.create_date,
                where=(table.key == key)
                & (table.application == application)
                & (table.state == 'validated')
                & (user.active == Literal(True)),
                limit=1)
        row = sql_statements.execute('key_user', build, key=key,
            application=application).fetchone()
        if row:
            return KeyUser(row[0], row[1], tuple(row[2:]))
