"""EdgeSessions: sessions started and resumed at the edge, with the booking service's
signing secret, instead of by a call to it.

Starting or resuming a session is signing work only (``booking_service.session_signer``,
the one implementation of the token rules): whoever holds the secret gets the same
tokens, holder tags and verdicts as ``POST /api/session`` and ``/api/session/resume``.
An edge given the secret (``SESSION_SECRET`` or ``SESSION_SECRET_FILE``, with the
booking service's ``SESSION_TTL_SECONDS``) so costs a new viewer no round trip; the
booking service still verifies the token on every command. Refusals come back as the
booking client's would: a token that does not verify is ``BookingRefused`` (400).
"""

from __future__ import annotations

import secrets
from http import HTTPStatus

from booking_service.errors import InvalidSession
from booking_service.session_signer import SessionSigner, SignedSession
from edge_server.booking_client import BookingRefused, NewSession

__all__ = ["EdgeSessions"]


class EdgeSessions:
    """``start_session`` and ``resume_session`` of ``BookingClient``, signed here."""

    __slots__ = ("_signer",)

    def __init__(self, secret: bytes, *, ttl_seconds: int) -> None:
        self._signer = SessionSigner(secret, ttl_seconds=ttl_seconds)

    async def start_session(self, user_id: str | None) -> NewSession:
        """A new session for ``user_id`` (or a made-up one, as the booking service makes)."""
        return _new_session(self._signer.issue(user_id or f"user-{secrets.token_hex(4)}"))

    async def resume_session(self, token: str) -> NewSession:
        """The session ``token`` grants, with a freshly signed token; BookingRefused (400)
        when the token does not verify or has expired."""
        try:
            identity = self._signer.verify(token)
        except InvalidSession as exc:
            raise BookingRefused(str(exc), status=HTTPStatus.BAD_REQUEST) from None
        return _new_session(self._signer.renew(identity))


def _new_session(signed: SignedSession) -> NewSession:
    identity = signed.identity
    return NewSession(signed.token, identity.user_id, identity.holder)
