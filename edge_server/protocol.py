"""The WebSocket protocol of SPEC.md: reading client frames and writing server frames.

Every frame is one JSON object ``{"type": ..., "data": {...}}``. Parsing turns anything a
client may send into a :class:`Command` (the seed's messages), a :class:`CartCommand`
(the cart's) or a :class:`ProtocolError` whose text is the sentence the client gets back
in an ``ERROR`` frame; it never raises anything else. A cart message's data may hold only
its own fields (``shared.messages.CART_CLIENT_FRAMES``): an unknown one is an error, so a
misspelt option is never silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from shared.identifiers import (
    BUYER_NAME_MAX_LENGTH,
    SEAT_ID_MAX_LENGTH,
    SESSION_TOKEN_MAX_LENGTH,
    USER_ID_MAX_LENGTH,
    is_email,
    is_event_id,
    is_idempotency_key,
    is_seat_id,
    is_user_id,
)
from shared.messages import CART_CLIENT_FRAMES, MessageType

__all__ = [
    "CART_RESPONSE_TYPES",
    "RESPONSE_TYPES",
    "CartCommand",
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
CATEGORY_MAX_LENGTH = 100

RESPONSE_TYPES = {
    MessageType.SELECT_SEAT: MessageType.SELECT_SEAT_RESPONSE,
    MessageType.BOOK_SEAT: MessageType.BOOK_SEAT_RESPONSE,
    MessageType.RELEASE_SEAT: MessageType.RELEASE_SEAT_RESPONSE,
}
CART_RESPONSE_TYPES = {
    MessageType.ADD_TO_CART: MessageType.ADD_TO_CART_RESPONSE,
    MessageType.REMOVE_FROM_CART: MessageType.REMOVE_FROM_CART_RESPONSE,
    MessageType.BEST_AVAILABLE: MessageType.BEST_AVAILABLE_RESPONSE,
    MessageType.CHECKOUT: MessageType.CHECKOUT_RESPONSE,
    MessageType.BOOK_CART: MessageType.BOOK_CART_RESPONSE,
}
_CLIENT_TYPES = frozenset({MessageType.SUBSCRIBE, *RESPONSE_TYPES, *CART_RESPONSE_TYPES})
_CART_FIELDS = {kind: frozenset(model.model_fields) for kind, model in CART_CLIENT_FRAMES.items()}


class ProtocolError(Exception):
    """A frame the protocol does not allow; ``str(error)`` is the sentence for the client."""


@dataclass(frozen=True, slots=True)
class Command:
    """A valid client message. ``seat_id`` is set for the seat commands only; ``event_id``
    (None: the default event), ``compact`` and ``batch`` come with ``SUBSCRIBE`` only."""

    type: MessageType
    seat_id: str | None = None
    user_id: str | None = None
    session_token: str | None = None
    event_id: str | None = None
    compact: bool = False
    batch: bool = False


@dataclass(frozen=True, slots=True)
class CartCommand:
    """A valid cart message; each field is set only for the types that carry it:
    ``seat_ids`` (``ADD_TO_CART``), ``seat_id`` (``REMOVE_FROM_CART``), ``quantity``,
    ``category``, ``accessible`` and ``allow_split`` (``BEST_AVAILABLE``),
    ``idempotency_key``, ``name`` and ``email`` (``BOOK_CART``)."""

    type: MessageType
    user_id: str | None = None
    seat_ids: tuple[str, ...] = ()
    seat_id: str | None = None
    quantity: int | None = None
    category: str | None = None
    accessible: bool = False
    allow_split: bool = False
    idempotency_key: str | None = None
    name: str | None = None
    email: str | None = None


def parse_command(raw: str | bytes) -> Command | CartCommand:
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
    if command_type in CART_RESPONSE_TYPES:
        return _cart_command(command_type, data)
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
            batch=_flag(data, "batch"),
        )
    return Command(
        command_type, seat_id=_seat_id(data), user_id=_claimed_user_id(data), session_token=token
    )


def _cart_command(kind: MessageType, data: dict[str, Any]) -> CartCommand:
    """The cart message ``kind`` with its fields checked, each refusal naming the field."""
    for field in data:
        if field not in _CART_FIELDS[kind]:
            raise ProtocolError(f"Unknown field '{str(field)[:40]}' in {kind}")
    user_id = _claimed_user_id(data)
    if kind is MessageType.ADD_TO_CART:
        return CartCommand(kind, user_id, seat_ids=_seat_ids(data))
    if kind is MessageType.REMOVE_FROM_CART:
        return CartCommand(kind, user_id, seat_id=_seat_id(data))
    if kind is MessageType.BEST_AVAILABLE:
        return CartCommand(
            kind,
            user_id,
            quantity=_quantity(data),
            category=_optional_string(data, "category", CATEGORY_MAX_LENGTH),
            accessible=_flag(data, "accessible"),
            allow_split=_flag(data, "allow_split"),
        )
    if kind is MessageType.BOOK_CART:
        key = data.get("idempotency_key")
        if not isinstance(key, str) or not is_idempotency_key(key):
            raise ProtocolError(
                "Field 'idempotency_key' is required: 1-64 letters, digits or ._~:-"
            )
        email = data.get("email")
        if email is not None and not (isinstance(email, str) and is_email(email)):
            raise ProtocolError("Field 'email' must be an e-mail address like name@example.com")
        name = _optional_string(data, "name", BUYER_NAME_MAX_LENGTH)
        return CartCommand(kind, user_id, idempotency_key=key, name=name, email=email)
    return CartCommand(kind, user_id)


def _seat_id(data: dict[str, Any]) -> str:
    seat_id = data.get("seat_id")
    if not isinstance(seat_id, str):
        raise ProtocolError("Field 'seat_id' is required and must be a string like 'A1'")
    if not is_seat_id(seat_id):
        raise ProtocolError(
            f"Field 'seat_id' has an invalid format "
            f"(1-{SEAT_ID_MAX_LENGTH} letters, digits, _ or -)"
        )
    return seat_id


def _seat_ids(data: dict[str, Any]) -> tuple[str, ...]:
    seat_ids = data.get("seat_ids")
    if not isinstance(seat_ids, list) or not seat_ids:
        raise ProtocolError("Field 'seat_ids' is required and must be a list of seat ids")
    for seat_id in seat_ids:
        if not isinstance(seat_id, str) or not is_seat_id(seat_id):
            raise ProtocolError(
                f"Field 'seat_ids' must hold seat ids "
                f"(1-{SEAT_ID_MAX_LENGTH} letters, digits, _ or - each)"
            )
    if len(set(seat_ids)) != len(seat_ids):
        raise ProtocolError("Field 'seat_ids' names a seat more than once")
    return tuple(seat_ids)


def _quantity(data: dict[str, Any]) -> int:
    quantity = data.get("quantity")
    if type(quantity) is not int or quantity < 1:
        raise ProtocolError("Field 'quantity' is required and must be a whole number, 1 or more")
    return quantity


def _claimed_user_id(data: dict[str, Any]) -> str | None:
    """The user id a command claims. It is only a hint (commands act as the session): one
    that is not a valid user id is not an error, it is just not used."""
    user_id = _optional_string(data, "user_id", CLAIMED_USER_ID_MAX_LENGTH)
    return user_id if user_id is not None and is_user_id(user_id) else None


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
