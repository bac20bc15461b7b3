"""Sessions: signed tokens that name who holds a seat.

A token is ``<payload>.<signature>``, both base64url; the payload names a random
session id and the session's user id. Tokens cannot be forged without the secret, so
a request that carries one acts as that session and nobody else. Requests without a
token act as their plain ``user_id`` and can only touch holds taken the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from booking_service.errors import InvalidSession
from shared.session_tokens import b64encode, encode_claims, read_claims

__all__ = ["Identity", "SessionSigner", "load_or_create_secret"]

logger = logging.getLogger(__name__)

_SECRET_FILE = "session_secret"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a request acts as: the user id shown to others and the owner key of holds."""

    user_id: str
    owner: str
    session_id: str | None = None

    @classmethod
    def tokenless(cls, user_id: str) -> Identity:
        """A seed-style caller known only by the user id it sends."""
        return cls(user_id, f"u:{user_id}")


class SessionSigner:
    """Issues and verifies session tokens with one secret."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self._secret, payload.encode(), hashlib.sha256).digest()
        return b64encode(digest)

    def issue(self, user_id: str) -> tuple[str, Identity]:
        """A new session for ``user_id``: its token and the identity it grants."""
        session_id = secrets.token_hex(12)
        payload = encode_claims({"sid": session_id, "uid": user_id, "iat": int(time.time())})
        token = f"{payload}.{self._sign(payload)}"
        return token, Identity(user_id, f"s:{session_id}", session_id)

    def verify(self, token: str) -> Identity:
        """The identity a token grants; raises InvalidSession for anything we did not sign."""
        payload, _, signature = token.partition(".")
        # compare_digest raises TypeError on non-ASCII text; we only issue ASCII tokens.
        if (
            not token.isascii()
            or not signature
            or not hmac.compare_digest(self._sign(payload), signature)
        ):
            raise InvalidSession("The session token is not valid; start a new session")
        claims = read_claims(payload) or {}
        session_id, user_id = claims.get("sid"), claims.get("uid")
        if not isinstance(session_id, str) or not isinstance(user_id, str):
            raise InvalidSession("The session token is not valid; start a new session")
        return Identity(user_id, f"s:{session_id}", session_id)


def load_or_create_secret(data_dir: Path) -> bytes:
    """The signing secret kept in ``data_dir``, created on first start.

    Creation is exclusive, so processes starting together end up with the same secret.
    """
    path = data_dir / _SECRET_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            secret = path.read_bytes().strip()
            if secret:
                return secret
            time.sleep(0.01)
        raise RuntimeError(f"session secret file {path} is empty") from None
    secret = secrets.token_hex(32).encode()
    with os.fdopen(fd, "wb") as handle:
        handle.write(secret)
    logger.info("created session secret", extra={"path": str(path)})
    return secret
