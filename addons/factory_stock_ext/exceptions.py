# Thin UserError subclasses so callers and tests can tell failures apart.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class ZoneValidationError(ValidationError):
    pass


class MaterialCodeError(UserError):
    pass


class ABCConfigurationError(ValidationError):
    pass


class LotTraceError(UserError):
    pass


class NegativeLaterError(UserError):
    "A backdated inventory would leave stock negative on a later day"


class CodedError(UserError):
    """A refusal with a stable `code` (and HTTP `status`) for the HTTP API;
    the message is the translated ir.message"""

    def __init__(self, code, message, *args, status=400, **kwargs):
        super().__init__(message, *args, **kwargs)
        self.code = code
        self.status = status


class InputError(CodedError):
    "A value sent by a client breaks an input rule (inputs.py)"


class ExcelError(CodedError):
    "A workbook refused by the Excel layer (excel.py)"


class WorkflowFieldError(AccessError):
    "A client set a field that only its workflow sets (workflow_guard)"
    pass
