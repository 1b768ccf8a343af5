# Thin UserError subclasses so callers and tests can tell failures apart.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class ZoneValidationError(ValidationError):
    pass


class MaterialCodeError(UserError):
    pass


class ABCConfigurationError(ValidationError):
    pass


class LotTraceError(UserError):
    pass
