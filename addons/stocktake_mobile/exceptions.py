from trytond.exceptions import UserError
from trytond.i18n import gettext


class StocktakeError(UserError):
    "UserError carrying a stable code for the HTTP API"

    def __init__(self, message_id, **variables):
        super().__init__(
            gettext('stocktake_mobile.' + message_id, **variables))
        # The stable code is the message id without its prefix
        self.code = message_id[len('msg_'):]


class ScanError(StocktakeError):
    pass


class LocationLockedError(StocktakeError):
    pass


class WorkflowError(StocktakeError):
    pass


class SheetError(StocktakeError):
    pass
