# This file is part of factory_stock_ext.  Exceptions of the QC hold and the
# scanning features (the other features raise those of exceptions.py).
from trytond.exceptions import UserError, UserWarning
from trytond.i18n import gettext


class QCError(UserError):
    pass


class QCAccessError(QCError):
    pass


class LotNumberWarning(UserWarning):
    "A receipt scan would make a lot whose number another product has"


class ScanError(UserError):
    "A refusal that aborts the call; `code` is stable for the HTTP API"

    def __init__(self, code, message, *args, **kwargs):
        super().__init__(message, *args, **kwargs)
        self.code = code


def scan_error(error_code, **kwargs):
    "Build a ScanError from the ir.message msg_scan_<error_code>"
    return ScanError(error_code,
        gettext('factory_stock_ext.msg_scan_%s' % error_code, **kwargs))


def check_group(xml_id, error):
    """Raise `error` unless the current user belongs to the group.

    The root user (0, used by cron and internal calls) is always allowed;
    everyone else, including Python callers, goes through the check so that
    the rule holds for the form, the HTTP API and other addons alike."""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    transaction = Transaction()
    if transaction.user == 0:
        return
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    User = pool.get('res.user')
    group_id = ModelData.get_id('factory_stock_ext', xml_id)
    if group_id not in User.get_groups():
        raise error
