# This file is part of factory_stock_ext.  Exceptions of GS1 parsing,
# labels, put-away, look-up and picking.
from trytond.exceptions import UserError


class LabelError(UserError):
    "`code` is stable for the HTTP API, like ScanError's"

    def __init__(self, code, message, *args, **kwargs):
        super().__init__(message, *args, **kwargs)
        self.code = code


class GS1Error(LabelError):
    pass


class PutawayError(LabelError):
    pass


class PickingError(LabelError):
    pass
