"""The session token format, shared by the service that signs tokens and the edges
that read them.

A token is ``<payload>.<signature>``: the payload is base64url JSON claims
``{"sid", "uid", "iat", "exp"}``, the signature a base64url HMAC-SHA256 of the payload text,
both without padding. Reading the claims needs no secret; only the booking service
can sign or verify, and it verifies on every command.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

__all__ = ["b64encode", "encode_claims", "read_claims", "user_id_of"]


def b64encode(data: bytes) -> str:
    """Unpadded base64url text."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def encode_claims(claims: dict[str, Any]) -> str:
    """The payload part of a token for these claims."""
    return b64encode(orjson.dumps(claims))


def read_claims(payload: str) -> dict[str, Any] | None:
    """The claims a payload part carries, or None if it is not one (signature unchecked)."""
    try:
        claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def user_id_of(token: str) -> str | None:
    """The ``uid`` claim of a well-formed token, or None (signature unchecked)."""
    payload, _, signature = token.partition(".")
    claims = read_claims(payload) if payload and signature else None
    user_id = claims.get("uid") if claims is not None else None
    return user_id if isinstance(user_id, str) and user_id else None
