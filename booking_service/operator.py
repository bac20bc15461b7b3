"""The operator token: the one secret that opens the operator API (``/api/admin/*``).

It is ``ADMIN_TOKEN`` when that is set, else the token kept in ``DATA_DIR/admin_token``,
created on first start with the same safe-file rules as the session secret
(``booking_service.secret_file``). A request proves it is the operator with
``Authorization: Bearer <token>``; the comparison takes the same time whatever the
guess, so it leaks nothing about the token.
"""

from __future__ import annotations

import hmac
from pathlib import Path

from booking_service.errors import OperatorRequired
from booking_service.secret_file import load_or_create
from shared.config import MIN_ADMIN_TOKEN_BYTES, BookingSettings

__all__ = ["TOKEN_FILE", "OperatorToken", "token_path"]

TOKEN_FILE = "admin_token"
_SCHEME = "bearer"


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

    def check(self, authorization: str | None) -> None:
        """Return if the header carries the operator token; raise OperatorRequired if not."""
        if authorization is None:
            raise OperatorRequired("This call needs the operator token: Authorization: Bearer …")
        scheme, _, credentials = authorization.strip().partition(" ")
        given = credentials.strip().encode("utf-8", "replace")
        if scheme.lower() != _SCHEME or not hmac.compare_digest(given, self._token):
            raise OperatorRequired("The operator token is wrong")
