"""The WebSocket protocol of SPEC.md: reading client frames and writing server frames.

Every frame is one JSON object ``{"type": ..., "data": {...}}``. Parsing turns anything a
client may send into a :class:`Command` or a :class:`ProtocolError` whose text is the
sentence the client gets back in an ``ERROR`` frame; it never raises anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from shared.identifiers import (
    SEAT_ID_MAX_LENGTH,
    SESSION_TOKEN_MAX_LENGTH,
    USER_ID_MAX_LENGTH,
    is_event_id,
    is_seat_id,
    is_user_id,
)
from shared.messages import MessageType

__all__ = [
    "RESPONSE_TYPES",
    "Command",
    "ProtocolError",
    "encode",
    "error_frame",
    "parse_command",
    "response_frame",
]

# A seat command's claimed user id is only a hint, so longer ones are let through to be
# dropped, rather than refused.
CLAIMED_USER_ID_MAX_LENGTH = 256

RESPONSE_TYPES = {
    MessageType.SELECT_SEAT: MessageType.SELECT_SEAT_RESPONSE,
    MessageType.BOOK_SEAT: MessageType.BOOK_SEAT_RESPONSE,
    MessageType.RELEASE_SEAT: MessageType.RELEASE_SEAT_RESPONSE,
}
_CLIENT_TYPES = frozenset({MessageType.SUBSCRIBE, *RESPONSE_TYPES})


class ProtocolError(Exception):
    """A frame the protocol does not allow; ``str(error)`` is the sentence for the client."""


@dataclass(frozen=True, slots=True)
class Command:
    """A valid client message. ``seat_id`` is set for the seat commands only; ``event_id``
    (None: the default event) and ``compact`` come with ``SUBSCRIBE`` only."""

    type: MessageType
    seat_id: str | None = None
    user_id: str | None = None
    session_token: str | None = None
    event_id: str | None = None
    compact: bool = False


def parse_command(raw: str | bytes) -> Command:
    """The command a frame carries; raises ProtocolError with a sentence otherwise."""
    try:
        message = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ProtocolError("Message is not valid JSON") from None
    if not isinstance(message, dict):
        raise ProtocolError("Message must be a JSON object with a 'type' and 'data'")
    kind = message.get("type")
    if not isinstance(kind, str):
        raise ProtocolError("Field 'type' is required and must be a string")
    if kind not in _CLIENT_TYPES:
        raise ProtocolError(f"Unknown message type '{kind[:40]}'")
    data = message.get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProtocolError("Field 'data' must be a JSON object")
    command_type = MessageType(kind)
    token = _optional_string(data, "session_token", SESSION_TOKEN_MAX_LENGTH)
    if command_type is MessageType.SUBSCRIBE:
        user_id = _optional_string(data, "user_id", USER_ID_MAX_LENGTH)
        if user_id is not None and not is_user_id(user_id):
            raise ProtocolError(
                f"Field 'user_id' has an invalid format "
                f"(1-{USER_ID_MAX_LENGTH} letters, digits or _.@:-)"
            )
        return Command(
            command_type,
            user_id=user_id,
            session_token=token,
            event_id=_event_id(data),
            compact=_flag(data, "compact"),
        )
    seat_id = data.get("seat_id")
    if not isinstance(seat_id, str):
        raise ProtocolError("Field 'seat_id' is required and must be a string like 'A1'")
    if not is_seat_id(seat_id):
        raise ProtocolError(
            f"Field 'seat_id' has an invalid format "
            f"(1-{SEAT_ID_MAX_LENGTH} letters, digits, _ or -)"
        )
    # The claimed user id is only a hint (commands act as the session): one that is
    # not a valid user id is not an error, it is just not used.
    user_id = _optional_string(data, "user_id", CLAIMED_USER_ID_MAX_LENGTH)
    if user_id is not None and not is_user_id(user_id):
        user_id = None
    return Command(command_type, seat_id=seat_id, user_id=user_id, session_token=token)


def _event_id(data: dict[str, Any]) -> str | None:
    event_id = _optional_string(data, "event_id", 32)
    if event_id is not None and not is_event_id(event_id):
        raise ProtocolError(
            "Field 'event_id' has an invalid format (1-32 lowercase letters, digits or -)"
        )
    return event_id


def _flag(data: dict[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ProtocolError(f"Field '{key}' must be true or false")
    return value


def _optional_string(data: dict[str, Any], key: str, limit: int) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        raise ProtocolError(f"Field '{key}' must be a non-empty string of at most {limit} chars")
    return value


def encode(kind: MessageType, data: dict[str, Any]) -> bytes:
    """A server frame, serialised."""
    return orjson.dumps({"type": kind, "data": data})


def error_frame(sentence: str) -> bytes:
    """An ``ERROR`` frame telling the client what was wrong."""
    return encode(MessageType.ERROR, {"error": sentence})


def response_frame(
    kind: MessageType, *, success: bool, message: str, data: dict[str, Any]
) -> bytes:
    """A ``…_RESPONSE`` or ``SUBSCRIBE_ACK`` frame: ``{success, message, data}``."""
    return encode(kind, {"success": success, "message": message, "data": data})
