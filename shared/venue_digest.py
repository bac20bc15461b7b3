"""The venue digest: a short fingerprint of every seat's state, kept by Redis and by edges.

Each seat contributes the SHA-1 of ``"<seat id>|<status>|<holder>"`` (the holder is
empty unless the seat is held), with ``"|b"`` appended while the seat is blocked (taken
out of sale by the operator); the digest is the XOR of every contribution's first
eight bytes, written as 16 lowercase hex digits. XOR makes it incremental: a change
removes the seat's old contribution and adds its new one, so the Lua scripts and an
edge's mirror both keep it in O(1) per change, and two views of the venue at one
version agree on it exactly when they agree on every seat's status, holder and block.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["EMPTY_DIGEST", "contribution", "digest_of", "format_digest", "seat_contribution"]

EMPTY_DIGEST = "0" * 16


def contribution(seat_id: str, status: int, holder: str | None, blocked: bool = False) -> int:
    """One seat's share of the digest, as a 64-bit integer."""
    text = f"{seat_id}|{status}|{holder if status == 1 and holder else ''}"
    if blocked:
        text += "|b"
    return int.from_bytes(hashlib.sha1(text.encode()).digest()[:8], "big")


def seat_contribution(seat: Mapping[str, Any]) -> int:
    """The share of a seat as the wire carries it (``id``, ``status``, ``holder``, ``blocked``)."""
    return contribution(
        str(seat["id"]), int(seat["status"]), seat.get("holder"), seat.get("blocked") is True
    )


def format_digest(value: int) -> str:
    """A digest value as the wire carries it: 16 lowercase hex digits."""
    return f"{value:016x}"


def digest_of(seats: Iterable[Mapping[str, Any]]) -> str:
    """The digest of a whole venue."""
    value = 0
    for seat in seats:
        value ^= seat_contribution(seat)
    return format_digest(value)
