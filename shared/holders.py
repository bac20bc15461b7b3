"""Holder tags: the opaque, server-assigned name of whoever holds a seat.

A page decides which holds are "mine" by comparing each held seat's ``holder`` with
the tag its own ``SUBSCRIBE_ACK`` carried, never by the free-form ``user_id``, which
anyone may claim. A tag is derived from the owner key the booking service grants
(``s:<session id>`` or, for tokenless seed calls, ``u:<user id>``): two sessions never
share one, whatever ``user_id`` they claim, and a tag reveals nothing that acts as
its session.
"""

from __future__ import annotations

import base64
import hashlib

__all__ = ["HOLDER_LENGTH", "holder_of"]

HOLDER_LENGTH = 16


def holder_of(owner: str) -> str:
    """The holder tag of an owner key: 16 base64url characters."""
    digest = hashlib.sha256(b"holder:" + owner.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:HOLDER_LENGTH]
