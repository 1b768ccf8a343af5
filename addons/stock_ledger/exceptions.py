from trytond.exceptions import UserError


class OpeningImportError(UserError):
    pass


class ReconciliationError(UserError):
    pass


class LedgerReportError(UserError):
    pass
