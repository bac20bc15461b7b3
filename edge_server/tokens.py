"""Reading the user id a session token names, without being able to verify it.

The booking service signs tokens and checks the signature on every command, so the
edge needs no secret: it only reads the claims to show the right user id. A forged
token gains nothing, since every seat command it is sent with is refused.
"""

from __future__ import annotations

import base64
import binascii

import orjson

__all__ = ["user_id_of"]


def user_id_of(token: str) -> str | None:
    """The ``uid`` claim of a ``<payload>.<signature>`` token, or None if unreadable."""
    payload, _, signature = token.partition(".")
    if not payload or not signature:
        return None
    try:
        claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        return None
    user_id = claims.get("uid") if isinstance(claims, dict) else None
    return user_id if isinstance(user_id, str) and user_id else None
