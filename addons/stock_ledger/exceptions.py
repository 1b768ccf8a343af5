from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError


class OpeningImportError(UserError):
    pass


class OpeningImportDeleteError(AccessError):
    pass


class ReconciliationError(UserError):
    pass


class LedgerReportError(UserError):
    pass
