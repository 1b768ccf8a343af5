"""Sign-in of a handheld by a QR code a supervisor shows on screen.

The supervisor's wizard makes a one-time token for one user and company,
valid a few minutes, and shows the counting page's address with it as a QR
code; the phone exchanges it once for a device key (http_signin).  Only a
hash of the token is stored.  Who may make one is checked here, in create,
so that a JSON-RPC call cannot go around the wizard."""
import datetime as dt
import hashlib
import io
import secrets
import urllib.parse

import segno
from sql import Null

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.url import http_base
from trytond.wizard import Button, StateView, Wizard

APPLICATION = 'stocktake_mobile'
LIFETIME = dt.timedelta(minutes=5)
TOKEN_BYTES = 32  # 43 characters of base64url
TOKEN_MAX_LENGTH = 128
ISSUERS = ['res.group_admin', 'factory_stock_ext.group_factory_supervisor']


def token_hash(token):
    return hashlib.sha256(token.encode('utf-8')).hexdigest()


def well_formed(token):
    return (isinstance(token, str) and 0 < len(token) <= TOKEN_MAX_LENGTH
        and token.isascii() and all(c.isalnum() or c in '-_' for c in token))


class SignInToken(ModelSQL, ModelView):
    __name__ = 'stocktake.signin_token'
    __string__ = "Handheld Sign-in Code"
    user = fields.Many2One('res.user', "User", required=True, readonly=True,
        ondelete='CASCADE')
    company = fields.Many2One('company.company', "Company", required=True,
        readonly=True, ondelete='CASCADE')
    token_hash = fields.Char("Token Hash", required=True, readonly=True,
        strip=False)
    expires_at = fields.DateTime("Expires at", required=True, readonly=True)
    used_at = fields.DateTime("Used at", readonly=True)
    device = fields.Many2One('res.user.application', "Device",
        readonly=True, ondelete='SET NULL',
        help="The key issued for this code.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        table = cls.__table__()
        cls._sql_indexes.add(Index(table,
                (table.token_hash, Index.Equality(cardinality='high'))))

    @classmethod
    def _issuer_groups(cls):
        ModelData = Pool().get('ir.model.data')
        return {name: ModelData.get_id(*name.split('.'))
            for name in ISSUERS}

    @classmethod
    def create(cls, vlist):
        # Root (the route, the scheduler) may; anyone else must be a
        # supervisor or an administrator, for an active user of the
        # company, never for an administrator unless one themselves, and
        # for at most LIFETIME
        pool = Pool()
        User = pool.get('res.user')
        transaction = Transaction()
        if transaction.user:
            groups = set(User.get_groups())
            issuers = cls._issuer_groups()
            if not groups & set(issuers.values()):
                raise AccessError(gettext(
                        'stocktake_mobile.msg_signin_token_issuer'))
            admin = issuers['res.group_admin'] in groups
            latest = dt.datetime.now() + LIFETIME
            for values in vlist:
                with transaction.set_context(_check_access=False):
                    user = User(values['user'])
                    companies = {c.id for c in user.companies}
                    with transaction.set_user(user.id):
                        target_groups = set(User.get_groups())
                if (not user.active or not user.id
                        or values.get('company') not in companies
                        or values.get('company') != transaction.context.get(
                            'company')
                        or (issuers['res.group_admin'] in target_groups
                            and not admin)):
                    raise AccessError(gettext(
                            'stocktake_mobile.msg_signin_token_user',
                            user=user.rec_name))
                if (values.get('used_at') or values.get('device')
                        or not values.get('expires_at')
                        or values['expires_at'] > latest):
                    raise AccessError(gettext(
                            'stocktake_mobile.msg_signin_token_issuer'))
        return super().create(vlist)

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if external and mode == 'write':
            raise AccessError(gettext(
                    'stocktake_mobile.msg_signin_token_issuer'))

    @classmethod
    def issue(cls, user, company=None):
        "A new token for the user: (record, token in clear)"
        company = company or Transaction().context.get('company')
        token = secrets.token_urlsafe(TOKEN_BYTES)
        record, = cls.create([{
                    'user': user.id,
                    'company': company,
                    'token_hash': token_hash(token),
                    'expires_at': dt.datetime.now() + LIFETIME,
                    }])
        return record, token

    @classmethod
    def page_url(cls, token):
        "The address of the counting page that signs in with the token"
        database = Transaction().database.name
        base = http_base().rstrip('/')
        return '%s/%s/stocktake/?%s' % (base,
            urllib.parse.quote(database, safe=''),
            urllib.parse.urlencode({'token': token}))

    @classmethod
    def redeem(cls, token, now=None):
        """Use the token up: (user id, None), or (None, error code) when it
        is unknown, expired, used or its user no longer qualifies"""
        User = Pool().get('res.user')
        if not well_formed(token):
            return None, 'token_invalid'
        records = cls.search([('token_hash', '=', token_hash(token))],
            limit=1)
        if not records:
            return None, 'token_invalid'
        record, = records
        now = now or dt.datetime.now()
        if record.used_at:
            return None, 'token_used'
        if record.expires_at <= now:
            return None, 'token_expired'
        user = User(record.user.id)
        if (not user.active or not user.company
                or user.company.id != record.company.id):
            return None, 'token_invalid'
        # Used up by one conditional update: of two phones scanning at
        # once, one changes the row, the other sees it used (PostgreSQL:
        # waits, then a serialization failure, answered 503 and retried)
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update([table.used_at], [now],
                where=(table.id == record.id) & (table.used_at == Null)))
        if cursor.rowcount != 1:
            return None, 'token_used'
        return user.id, None

    @classmethod
    def set_device(cls, token, device):
        cls.write(cls.search([('token_hash', '=', token_hash(token))]),
            {'device': device.id})


class SignInStart(ModelView):
    __name__ = 'stocktake.signin_token.start'
    __string__ = "Sign In a Handheld"
    user = fields.Many2One('res.user', "User", required=True,
        domain=[('active', '=', True)],
        help="The person who will count with the handheld.")

    @classmethod
    def default_user(cls):
        pool = Pool()
        context = Transaction().context
        model, active_id = context.get('active_model'), context.get(
            'active_id')
        if model == 'res.user' and active_id:
            return active_id
        if model == 'res.user.application' and active_id:
            Application = pool.get('res.user.application')
            devices = Application.search([('id', '=', active_id)], limit=1)
            if devices:
                return devices[0].user.id


class SignInShow(ModelView):
    __name__ = 'stocktake.signin_token.show'
    __string__ = "Handheld Sign-in Code"
    user = fields.Many2One('res.user', "User", readonly=True)
    qr_code = fields.Binary("QR Code", readonly=True)
    url = fields.Char("Address", readonly=True,
        help="Open it on the handheld if it cannot scan the code.")
    expires_at = fields.DateTime("Valid until", readonly=True)


class SignIn(Wizard):
    "Show a one-time QR code that signs a handheld in for a user"
    __name__ = 'stocktake.signin_token.wizard'
    start = StateView('stocktake.signin_token.start',
        'stocktake_mobile.signin_token_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Show QR Code", 'show', 'tryton-ok', default=True),
            ])
    show = StateView('stocktake.signin_token.show',
        'stocktake_mobile.signin_token_show_view_form', [
            Button("New Code", 'show', 'tryton-refresh'),
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_show(self, fields):
        Token = Pool().get('stocktake.signin_token')
        record, token = Token.issue(self.start.user)
        url = Token.page_url(token)
        buffer = io.BytesIO()
        segno.make_qr(url, error='m').save(buffer, kind='png', scale=6,
            border=4)
        return {
            'user': record.user.id,
            'qr_code': buffer.getvalue(),
            'url': url,
            'expires_at': record.expires_at,
            }
