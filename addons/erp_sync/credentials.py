# This file is part of the factory addons.
"""ERP credentials: encrypted at rest, write-only, never in a stored text.

* ``password`` and ``app_secret`` are write-only function fields: reading them
  answers a mask (or nothing), whoever asks; writing encrypts with Fernet
  (``connectors.credentials``) under the server's key ``[erp_sync] secret_key``
  from the trytond configuration — never from the database, so a dump alone
  does not reveal them.  Only supervisors (who set them) may write them, and
  nobody can read the ciphertext columns over RPC (ir.model.field.access).
* ``redact`` masks the plain values (and any secret-named parameter) in a text
  before it is stored or logged: outbox errors, the endpoint's status, logs.
"""
import logging

from trytond import config
from trytond.i18n import gettext
from trytond.model import fields
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .exceptions import CredentialKeyError

logger = logging.getLogger(__name__)

MASK = '*' * 10     # as res.user shows a set password
SECTION, OPTION = 'erp_sync', 'secret_key'
SECRETS = ('password', 'app_secret')


def secret_box():
    "The Fernet box of the configured key, or a clear error"
    from connectors.credentials import BadKey, SecretBox
    key = config.get(SECTION, OPTION, default=None)
    if not key:
        raise CredentialKeyError(gettext('erp_sync.msg_secret_key_missing',
                section=SECTION, option=OPTION))
    try:
        return SecretBox(key)
    except BadKey as exc:
        raise CredentialKeyError(gettext('erp_sync.msg_secret_key_invalid',
                section=SECTION, option=OPTION, error=str(exc))) from None


class CredentialsMixin:
    __slots__ = ()
    # strip=False: a secret may legitimately start or end with spaces.
    password = fields.Function(fields.Char("Password", strip=False),
        'get_secret', setter='set_secret')
    # Lazy: nobody may read them over RPC, so a client reading every eager
    # field at once (proteus, exports) must not ask for them.
    password_encrypted = fields.Char("Password (encrypted)", readonly=True,
        loading='lazy')
    app_secret = fields.Function(fields.Char("Application Secret",
            strip=False), 'get_secret', setter='set_secret')
    app_secret_encrypted = fields.Char(
        "Application Secret (encrypted)", readonly=True, loading='lazy')

    @classmethod
    def __register__(cls, module):
        table = cls.__table_handler__(module)
        # Before encryption the secrets were plain columns: encrypt them
        # once, then empty the plain columns (our own table).
        plain = [n for n in SECRETS if table.column_exist(n)]
        super().__register__(module)
        if plain:
            cls._encrypt_plain_columns(plain)

    @classmethod
    def _encrypt_plain_columns(cls, names):
        cursor = Transaction().connection.cursor()
        sql_table = cls.__table__()
        for name in names:
            column = getattr(sql_table, name)
            cursor.execute(*sql_table.select(sql_table.id, column,
                    where=column != None))  # noqa: E711
            rows = cursor.fetchall()
            if not rows:
                continue
            box = secret_box()
            for id_, value in rows:
                cursor.execute(*sql_table.update(
                        [getattr(sql_table, name + '_encrypted'), column],
                        [box.encrypt(value), None],
                        where=sql_table.id == id_))
            logger.info("encrypted %d %s value(s) of %s", len(rows), name,
                cls.__name__)

    def get_secret(self, name):
        return MASK if getattr(self, name + '_encrypted') else None

    @classmethod
    def set_secret(cls, records, name, value):
        if value == MASK:
            return          # the client wrote back what it read: unchanged
        encrypted = secret_box().encrypt(value) if value else None
        # Our own column, set directly: a write() here would validate the
        # credentials before the other secret of the same save is set; the
        # create/write that called us validates them all afterwards.
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for sub in grouped_slice([r.id for r in records], 1000):
            cursor.execute(*table.update(
                    [getattr(table, name + '_encrypted')], [encrypted],
                    where=reduce_ids(table.id, list(sub))))

    def plain_credentials(self):
        "(password, app_secret) in clear, for the connector client only"
        box = None
        values = []
        for name in SECRETS:
            token = getattr(self, name + '_encrypted')
            if not token:
                values.append(None)
                continue
            box = box or secret_box()
            from connectors.credentials import DecryptError
            try:
                values.append(box.decrypt(token))
            except DecryptError:
                raise CredentialKeyError(gettext(
                        'erp_sync.msg_secret_undecryptable',
                        endpoint=self.rec_name, field=name,
                        section=SECTION, option=OPTION)) from None
        return tuple(values)

    def secret_values(self):
        "Every value that must never appear in a stored or logged text"
        try:
            values = list(self.plain_credentials())
        except CredentialKeyError:
            values = []
        return [v for v in values if v]

    def redact(self, text):
        from connectors.redact import redact
        return redact(text, self.secret_values())
