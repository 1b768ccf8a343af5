# This file is part of the factory addons.  Thin subclasses so callers and
# tests can tell our errors apart; the text always comes from ir.message.
from trytond.exceptions import UserError


class EndpointError(UserError):
    pass


class ConnectorUnavailable(EndpointError):
    pass


class OutboxError(UserError):
    pass


class MappingError(UserError):
    pass


class CredentialKeyError(EndpointError):
    "The server has no usable key to encrypt or decrypt ERP credentials"
