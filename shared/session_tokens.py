"""The session token format: written and verified by the booking service, whose claims
tests may read.

A token is ``<payload>.<signature>``: the payload is base64url JSON claims
``{"sid", "uid", "iat", "exp"}``, the signature a base64url HMAC-SHA256 of the payload text,
both without padding. Reading the claims needs no secret; only the booking service
can sign or verify, and it verifies on every command. Edges never trust a token's
claims: they ask the booking service (``POST /api/session/resume``).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

__all__ = ["b64encode", "encode_claims", "read_claims"]


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
