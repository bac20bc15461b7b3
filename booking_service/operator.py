"""The operator token: the one secret that opens the operator API (``/api/admin/*``).

It is ``ADMIN_TOKEN`` when that is set, else the token kept in ``DATA_DIR/admin_token``,
created on first start with the same safe-file rules as the session secret
(``booking_service.secret_file``). A request proves it is the operator with
``Authorization: Bearer <token>``; the comparison takes the same time whatever the
guess, so it leaks nothing about the token. A missing token and a wrong one get the
same refusal (``AUTHENTICATION_REQUIRED``), so an answer tells nothing but "no".

``X-Operator`` names who acts, for the audit log (``operator_name``).
"""

from __future__ import annotations

import hmac
from pathlib import Path

from booking_service.errors import OperatorRequired
from booking_service.secret_file import load_or_create
from shared.config import MIN_ADMIN_TOKEN_BYTES, BookingSettings

__all__ = [
    "AUTHENTICATION_REQUIRED",
    "DEFAULT_OPERATOR",
    "NAME_MAX_LENGTH",
    "TOKEN_FILE",
    "OperatorToken",
    "operator_name",
    "token_path",
]

TOKEN_FILE = "admin_token"
# The one refusal of every operator path, whatever was wrong with the token.
AUTHENTICATION_REQUIRED = "Authentication required"
DEFAULT_OPERATOR = "operator"
_SCHEME = "bearer"
NAME_MAX_LENGTH = 64


def operator_name(given: str | None) -> str | None:
    """The operator's name from ``X-Operator`` (``DEFAULT_OPERATOR`` when absent), or
    None when the header is not 1-64 printable characters (no tab, newline or other
    control character)."""
    if given is None:
        return DEFAULT_OPERATOR
    return given if 0 < len(given) <= NAME_MAX_LENGTH and given.isprintable() else None


def token_path(data_dir: Path) -> Path:
    """Where the operator token is kept when ADMIN_TOKEN is not set."""
    return data_dir / TOKEN_FILE


class OperatorToken:
    """Checks ``Authorization`` headers against the operator token."""

    def __init__(self, token: bytes) -> None:
        self._token = token

    @classmethod
    def from_settings(cls, settings: BookingSettings) -> OperatorToken:
        """ADMIN_TOKEN, else the token in the data directory (created on first start)."""
        if settings.admin_token:
            return cls(settings.admin_token.encode())
        token = load_or_create(
            settings.data_dir, TOKEN_FILE, what="operator token", min_bytes=MIN_ADMIN_TOKEN_BYTES
        )
        return cls(token)

    def matches(self, token: str) -> bool:
        """Whether ``token`` is the operator token (in constant time)."""
        return hmac.compare_digest(token.encode("utf-8", "replace"), self._token)

    def allows(self, authorization: str | None) -> bool:
        """Whether an ``Authorization`` header carries the operator token as Bearer."""
        if authorization is None:
            return False
        scheme, _, credentials = authorization.strip().partition(" ")
        # Compared even for a wrong scheme, so the answer takes as long either way.
        right = self.matches(credentials.strip())
        return right and scheme.lower() == _SCHEME

    def check(self, authorization: str | None) -> None:
        """Return if the header carries the operator token; raise OperatorRequired if not."""
        if not self.allows(authorization):
            raise OperatorRequired(AUTHENTICATION_REQUIRED)
