"""Credentials encrypted at rest with Fernet (``cryptography``, AES-128-CBC + HMAC-SHA256).

Why Fernet: authenticated encryption with key handling done right by a
well-kept library; no home-made crypto.  The key is the server's, never the
database's: ``erp_sync`` reads it from the trytond configuration
(``[erp_sync] secret_key``), so a database dump alone does not give the
credentials away.

    box = SecretBox(key)            # key: Fernet.generate_key()
    token = box.encrypt("s3cret")   # str, stored
    box.decrypt(token)              # "s3cret"
"""
from cryptography.fernet import Fernet, InvalidToken


class BadKey(ValueError):
    """The configured key is missing or not a Fernet key."""


class DecryptError(ValueError):
    """The stored value was not encrypted with this key (key changed?)."""


def generate_key():
    return Fernet.generate_key().decode("ascii")


class SecretBox:
    def __init__(self, key):
        if not key:
            raise BadKey("no key")
        try:
            self._fernet = Fernet(key.encode("ascii") if isinstance(key, str) else key)
        except (ValueError, TypeError) as exc:
            raise BadKey("not a Fernet key (32 url-safe base64-encoded bytes): %s" % exc) from None

    def encrypt(self, plain):
        if plain is None:
            return None
        return self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def decrypt(self, token):
        if not token:
            return None
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            raise DecryptError("the stored credential cannot be decrypted with the configured key") from None
