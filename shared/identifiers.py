"""The shapes of the identifiers clients send: seat ids, event ids, user ids and session tokens.

Each rule is written here once. The patterns are anchored so that JSON-schema and
pydantic validators (which search) match whole values; Python code checks with
``is_seat_id`` / ``is_user_id``, which use ``re.fullmatch``, because ``$`` alone also
accepts a trailing newline (``"A1\\n"``).
"""

from __future__ import annotations

import re

__all__ = [
    "EVENT_ID_PATTERN",
    "SEAT_ID_MAX_LENGTH",
    "SEAT_ID_PATTERN",
    "SESSION_TOKEN_MAX_LENGTH",
    "USER_ID_MAX_LENGTH",
    "USER_ID_PATTERN",
    "is_event_id",
    "is_seat_id",
    "is_user_id",
]

USER_ID_MAX_LENGTH = 64
SESSION_TOKEN_MAX_LENGTH = 512
SEAT_ID_MAX_LENGTH = 32
# Letters, digits, ``_`` and ``-`` only, so a seat id is safe in Redis keys, NATS
# subjects and HTML attributes as it is.
SEAT_ID_PATTERN = rf"^[A-Za-z0-9_-]{{1,{SEAT_ID_MAX_LENGTH}}}$"
EVENT_ID_PATTERN = r"^[a-z0-9-]{1,32}$"
USER_ID_PATTERN = rf"^[A-Za-z0-9_.@:-]{{1,{USER_ID_MAX_LENGTH}}}$"

_SEAT_ID = re.compile(SEAT_ID_PATTERN)
_EVENT_ID = re.compile(EVENT_ID_PATTERN)
_USER_ID = re.compile(USER_ID_PATTERN)


def is_seat_id(value: str) -> bool:
    """Whether the whole of ``value`` is a seat id: 1-32 letters, digits, ``_`` or ``-``."""
    return _SEAT_ID.fullmatch(value) is not None


def is_event_id(value: str) -> bool:
    """Whether the whole of ``value`` is an event id: 1-32 of ``a-z``, ``0-9`` and ``-``."""
    return _EVENT_ID.fullmatch(value) is not None


def is_user_id(value: str) -> bool:
    """Whether the whole of ``value`` is a user id: 1-64 letters, digits or ``_.@:-``."""
    return _USER_ID.fullmatch(value) is not None
