"""The shapes of what clients send: seat ids, event ids, user ids, session tokens,
idempotency keys and a buyer's name and e-mail.

Each rule is written here once. The patterns are anchored so that JSON-schema and
pydantic validators (which search) match whole values; Python code checks with
``is_seat_id`` / ``is_user_id``, which use ``re.fullmatch``, because ``$`` alone also
accepts a trailing newline (``"A1\\n"``).
"""

from __future__ import annotations

import re

__all__ = [
    "BUYER_NAME_MAX_LENGTH",
    "EMAIL_MAX_LENGTH",
    "EMAIL_PATTERN",
    "EVENT_ID_PATTERN",
    "IDEMPOTENCY_KEY_PATTERN",
    "SEAT_ID_MAX_LENGTH",
    "SEAT_ID_PATTERN",
    "SESSION_TOKEN_MAX_LENGTH",
    "USER_ID_MAX_LENGTH",
    "USER_ID_PATTERN",
    "is_email",
    "is_event_id",
    "is_idempotency_key",
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
# An order's Idempotency-Key (a header over REST, a field over the WebSocket).
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9._~:-]{1,64}$"
BUYER_NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

_SEAT_ID = re.compile(SEAT_ID_PATTERN)
_EVENT_ID = re.compile(EVENT_ID_PATTERN)
_USER_ID = re.compile(USER_ID_PATTERN)
_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)
_EMAIL = re.compile(EMAIL_PATTERN)


def is_seat_id(value: str) -> bool:
    """Whether the whole of ``value`` is a seat id: 1-32 letters, digits, ``_`` or ``-``."""
    return _SEAT_ID.fullmatch(value) is not None


def is_event_id(value: str) -> bool:
    """Whether the whole of ``value`` is an event id: 1-32 of ``a-z``, ``0-9`` and ``-``."""
    return _EVENT_ID.fullmatch(value) is not None


def is_user_id(value: str) -> bool:
    """Whether the whole of ``value`` is a user id: 1-64 letters, digits or ``_.@:-``."""
    return _USER_ID.fullmatch(value) is not None


def is_idempotency_key(value: str) -> bool:
    """Whether the whole of ``value`` is an idempotency key: 1-64 letters, digits or ``._~:-``."""
    return _IDEMPOTENCY_KEY.fullmatch(value) is not None


def is_email(value: str) -> bool:
    """Whether ``value`` looks like an e-mail address (``x@y.z``, no spaces), at most 254 chars."""
    return len(value) <= EMAIL_MAX_LENGTH and _EMAIL.fullmatch(value) is not None
