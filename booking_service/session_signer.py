"""Session tokens: signed, expiring names of who holds a seat.

A token is ``<payload>.<signature>``, both base64url; the payload names a random
session id, the session's user id, when it was issued (``iat``) and when it expires
(``exp``, unix seconds). Tokens cannot be forged without the secret, so a request that
carries one acts as that session and nobody else; an expired token is refused exactly
like a forged one. A session in use never expires: once a token is past half its
lifetime, command replies carry a renewed one for the same session. Requests without a
token act as their plain ``user_id`` and can only touch holds taken the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from booking_service.errors import InvalidSession
from shared.holders import holder_of
from shared.session_tokens import b64encode, encode_claims, read_claims

__all__ = ["Identity", "SessionSigner", "SignedSession"]

INVALID = "The session token is not valid; start a new session"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a request acts as: the user id shown to others and the owner key of holds.

    A session's identity also carries its token's issue and expiry times (unix seconds).
    """

    user_id: str
    owner: str
    session_id: str | None = None
    issued_at: int = 0
    expires_at: int | None = None

    @classmethod
    def tokenless(cls, user_id: str) -> Identity:
        """A seed-style caller known only by the user id it sends."""
        return cls(user_id, f"u:{user_id}")

    @property
    def holder(self) -> str:
        """The opaque tag held seats show for this owner (``shared.holders``)."""
        return holder_of(self.owner)


@dataclass(frozen=True, slots=True)
class SignedSession:
    """A token and the identity it grants."""

    token: str
    identity: Identity

    def describe(self) -> dict[str, object]:
        """The reply of ``POST /api/session`` and ``/api/session/resume``."""
        return {
            "session_token": self.token,
            "session_id": self.identity.session_id,
            "user_id": self.identity.user_id,
            "holder": self.identity.holder,
            "expires_at": self.identity.expires_at,
        }


class SessionSigner:
    """Issues, verifies and renews session tokens with one secret.

    Tokens live ``ttl_seconds``; ``clock`` gives the current unix time.
    """

    def __init__(
        self, secret: bytes, *, ttl_seconds: int, clock: Callable[[], float] = time.time
    ) -> None:
        self._secret = secret
        self._ttl = ttl_seconds
        self._clock = clock

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self._secret, payload.encode(), hashlib.sha256).digest()
        return b64encode(digest)

    def issue(self, user_id: str) -> SignedSession:
        """A new session for ``user_id``."""
        return self._signed(secrets.token_hex(12), user_id)

    def renew(self, identity: Identity) -> SignedSession:
        """A fresh token, with a new expiry, for the same session as ``identity``."""
        if identity.session_id is None:
            raise ValueError("only a session's identity can be renewed")
        return self._signed(identity.session_id, identity.user_id)

    def renewal_due(self, identity: Identity) -> bool:
        """Whether the identity's token is past half its lifetime (tokenless: never)."""
        if identity.expires_at is None:
            return False
        halfway = (identity.issued_at + identity.expires_at) / 2
        return self._clock() >= halfway

    def verify(self, token: str) -> Identity:
        """The identity a token grants; raises InvalidSession unless we signed it and it is live."""
        payload, _, signature = token.partition(".")
        # compare_digest raises TypeError on non-ASCII text; we only issue ASCII tokens.
        if (
            not token.isascii()
            or not signature
            or not hmac.compare_digest(self._sign(payload), signature)
        ):
            raise InvalidSession(INVALID)
        claims = read_claims(payload) or {}
        session_id, user_id = claims.get("sid"), claims.get("uid")
        issued_at, expires_at = claims.get("iat"), claims.get("exp")
        if (
            not isinstance(session_id, str)
            or not isinstance(user_id, str)
            or not isinstance(issued_at, int)
            or not isinstance(expires_at, int)
            or self._clock() >= expires_at
        ):
            raise InvalidSession(INVALID)
        return Identity(user_id, f"s:{session_id}", session_id, issued_at, expires_at)

    def _signed(self, session_id: str, user_id: str) -> SignedSession:
        issued_at = int(self._clock())
        expires_at = issued_at + self._ttl
        payload = encode_claims(
            {"sid": session_id, "uid": user_id, "iat": issued_at, "exp": expires_at}
        )
        identity = Identity(user_id, f"s:{session_id}", session_id, issued_at, expires_at)
        return SignedSession(f"{payload}.{self._sign(payload)}", identity)
