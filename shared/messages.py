"""Wire models: seats, REST bodies, NATS changes and WebSocket frames, as SPEC.md gives them.

Hot paths build JSON directly; these models are the reference the tests and the
OpenAPI document check against, and the validators of untrusted input.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.constants import ChangeType, SeatStatus
from shared.identifiers import (
    BUYER_NAME_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    EMAIL_PATTERN,
    IDEMPOTENCY_KEY_PATTERN,
    SEAT_ID_PATTERN,
    SESSION_TOKEN_MAX_LENGTH,
    USER_ID_PATTERN,
)

__all__ = [
    "CART_CLIENT_FRAMES",
    "CART_SERVER_FRAMES",
    "AddToCartData",
    "BestAvailableData",
    "BestAvailableRequest",
    "BookCartData",
    "BookCartResponse",
    "CartBody",
    "CartResponse",
    "CheckoutData",
    "Envelope",
    "Heartbeat",
    "HoldsRequest",
    "MessageType",
    "OrderBody",
    "RemoveFromCartData",
    "Seat",
    "SeatChange",
    "SeatRequest",
    "SeatUpdates",
    "SessionRequest",
    "SessionResumeRequest",
]

SEAT_ID_FIELD = Field(
    pattern=SEAT_ID_PATTERN,
    description="1-32 letters, digits, _ or -, e.g. A1 or BAL-A1",
    examples=["A1"],
)


class Seat(BaseModel):
    """One seat; ``held_by`` and ``expires_at`` (unix seconds) are present while held."""

    model_config = ConfigDict(extra="allow")

    id: str
    row: int
    col: int
    status: SeatStatus
    held_by: str | None = None
    expires_at: int | None = None


class SeatChange(BaseModel):
    """A seat change as published on NATS and carried by ``SEAT_UPDATE``."""

    model_config = ConfigDict(extra="allow")

    event_type: ChangeType
    seat_id: str
    user_id: str
    status: SeatStatus
    timestamp: str
    expires_at: int | None = None
    version: int
    seat: Seat


class SeatUpdates(BaseModel):
    """``SEAT_UPDATES``: the changes of one tick, for clients that asked for batches
    (``SUBSCRIBE`` with ``batch: true``); each element is what a ``SEAT_UPDATE``'s
    ``data`` would be, in version order, and ``version`` is the last one's."""

    updates: list[SeatChange] = Field(min_length=1)
    version: int


class Heartbeat(BaseModel):
    """The venue's version and digest, published every ``interval`` seconds."""

    event_type: Literal["heartbeat"]
    version: int
    digest: str = Field(pattern=r"^[0-9a-f]{16}$")
    interval: float = Field(gt=0)
    timestamp: str


class SeatRequest(BaseModel):
    """Body of select, book and release. With a session token, ``user_id`` is ignored."""

    model_config = ConfigDict(extra="forbid", strict=True)

    seat_id: str = SEAT_ID_FIELD
    user_id: str | None = Field(None, pattern=USER_ID_PATTERN, examples=["user123"])
    session_token: str | None = Field(None, min_length=1, max_length=SESSION_TOKEN_MAX_LENGTH)


class HoldsRequest(BaseModel):
    """Body of ``POST /api/events/{id}/holds``: seats to add to the cart, all or none."""

    model_config = ConfigDict(extra="forbid", strict=True)

    seat_ids: list[Annotated[str, SEAT_ID_FIELD]] = Field(min_length=1, examples=[["A1", "A2"]])
    user_id: str | None = Field(None, pattern=USER_ID_PATTERN, examples=["user123"])
    session_token: str | None = Field(None, min_length=1, max_length=SESSION_TOKEN_MAX_LENGTH)


class BestAvailableRequest(BaseModel):
    """Body of ``POST /api/events/{id}/holds/best``: hold the best free seats for a group.

    ``quantity`` seats side by side in one row (MAX_HOLDS_PER_SESSION at most), of
    ``category`` if given; ``accessible`` asks for wheelchair and companion seats (at
    least one wheelchair seat), otherwise wheelchair seats are never picked;
    ``allow_split`` lets a group that fits in no row spread over neighbouring rows.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    quantity: int = Field(ge=1, examples=[4])
    category: str | None = Field(None, min_length=1, max_length=100, examples=["Stalls"])
    accessible: bool = False
    allow_split: bool = False
    user_id: str | None = Field(None, pattern=USER_ID_PATTERN, examples=["user123"])
    session_token: str | None = Field(None, min_length=1, max_length=SESSION_TOKEN_MAX_LENGTH)


class SessionRequest(BaseModel):
    """Body of ``POST /api/session``: the user id the session shows (made up if absent)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    user_id: str | None = Field(None, pattern=USER_ID_PATTERN)


class SessionResumeRequest(BaseModel):
    """Body of ``POST /api/session/resume``: the token to re-sign with a new expiry."""

    model_config = ConfigDict(extra="forbid", strict=True)

    session_token: str = Field(min_length=1, max_length=SESSION_TOKEN_MAX_LENGTH)


class MessageType(StrEnum):
    """Every WebSocket frame type, client → server and server → client."""

    SUBSCRIBE = "SUBSCRIBE"
    SELECT_SEAT = "SELECT_SEAT"
    BOOK_SEAT = "BOOK_SEAT"
    RELEASE_SEAT = "RELEASE_SEAT"
    ADD_TO_CART = "ADD_TO_CART"
    REMOVE_FROM_CART = "REMOVE_FROM_CART"
    BEST_AVAILABLE = "BEST_AVAILABLE"
    CHECKOUT = "CHECKOUT"
    BOOK_CART = "BOOK_CART"
    WELCOME = "WELCOME"
    SUBSCRIBE_ACK = "SUBSCRIBE_ACK"
    VENUE_STATE = "VENUE_STATE"
    SELECT_SEAT_RESPONSE = "SELECT_SEAT_RESPONSE"
    BOOK_SEAT_RESPONSE = "BOOK_SEAT_RESPONSE"
    RELEASE_SEAT_RESPONSE = "RELEASE_SEAT_RESPONSE"
    ADD_TO_CART_RESPONSE = "ADD_TO_CART_RESPONSE"
    REMOVE_FROM_CART_RESPONSE = "REMOVE_FROM_CART_RESPONSE"
    BEST_AVAILABLE_RESPONSE = "BEST_AVAILABLE_RESPONSE"
    CHECKOUT_RESPONSE = "CHECKOUT_RESPONSE"
    BOOK_CART_RESPONSE = "BOOK_CART_RESPONSE"
    CART = "CART"
    SEAT_UPDATE = "SEAT_UPDATE"
    SEAT_UPDATES = "SEAT_UPDATES"
    ERROR = "ERROR"


class Envelope(BaseModel):
    """Every WebSocket frame: exactly one ``{"type": ..., "data": {...}}`` object."""

    type: MessageType
    data: dict[str, Any] = Field(default_factory=dict)


# The cart frames of the WebSocket protocol. Every client frame may also carry a
# ``user_id``: a hint for the session started if the connection has none yet.

_CLAIMED_USER_ID = Field(None, description="Ignored once the connection has a session")


class AddToCartData(BaseModel):
    """``ADD_TO_CART``: seats to add to the connection's cart, all or none."""

    model_config = ConfigDict(extra="forbid", strict=True)

    seat_ids: list[Annotated[str, SEAT_ID_FIELD]] = Field(min_length=1, examples=[["A1", "A2"]])
    user_id: str | None = _CLAIMED_USER_ID


class RemoveFromCartData(BaseModel):
    """``REMOVE_FROM_CART``: one seat of the cart to give back."""

    model_config = ConfigDict(extra="forbid", strict=True)

    seat_id: str = SEAT_ID_FIELD
    user_id: str | None = _CLAIMED_USER_ID


class BestAvailableData(BaseModel):
    """``BEST_AVAILABLE``: the best ``quantity`` seats together, added to the cart."""

    model_config = ConfigDict(extra="forbid", strict=True)

    quantity: int = Field(ge=1)
    category: str | None = Field(None, min_length=1, max_length=100)
    accessible: bool = False
    allow_split: bool = False
    user_id: str | None = _CLAIMED_USER_ID


class CheckoutData(BaseModel):
    """``CHECKOUT``: extend the cart's deadline once, for checkout."""

    model_config = ConfigDict(extra="forbid", strict=True)

    user_id: str | None = _CLAIMED_USER_ID


class BookCartData(BaseModel):
    """``BOOK_CART``: book the cart as one order, exactly once per ``idempotency_key``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    idempotency_key: str = Field(pattern=IDEMPOTENCY_KEY_PATTERN)
    name: str | None = Field(None, min_length=1, max_length=BUYER_NAME_MAX_LENGTH)
    email: str | None = Field(None, max_length=EMAIL_MAX_LENGTH, pattern=EMAIL_PATTERN)
    user_id: str | None = _CLAIMED_USER_ID


class CartBody(BaseModel):
    """A session's cart on one event, as the cart routes answer and ``CART`` carries it:
    its seats in layout order and their one deadline (null while the cart is empty)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    event_id: str
    seats: list[Seat]
    expires_at: int | None
    expires_at_ms: int | None
    extended: bool


class OrderBody(BaseModel):
    """An order, as ``POST /api/events/{id}/orders`` answers it."""

    model_config = ConfigDict(extra="allow")

    reference: str
    event_id: str
    status: str
    seats: list[dict[str, Any]]
    total: float | int | str
    currency: str
    buyer: dict[str, Any]
    created_at: str


class _CartResult(BaseModel):
    """``data.data`` of a cart command's response: the cart after a success, the seat in
    the way (or null) after a refusal, and a renewed session token to keep."""

    model_config = ConfigDict(extra="forbid")

    cart: CartBody | None = None
    seat_ids: list[str] | None = None
    seat_id: str | None = None
    session_token: str | None = None


class _OrderResult(BaseModel):
    """``data.data`` of ``BOOK_CART_RESPONSE``: the order and whether this call made it,
    or the seat in the way (or null) after a refusal."""

    model_config = ConfigDict(extra="forbid")

    order: OrderBody | None = None
    created: bool | None = None
    seat_id: str | None = None
    session_token: str | None = None


class CartResponse(BaseModel):
    """``ADD_TO_CART_RESPONSE``, ``REMOVE_FROM_CART_RESPONSE``, ``BEST_AVAILABLE_RESPONSE``
    and ``CHECKOUT_RESPONSE``: a success carries the cart."""

    model_config = ConfigDict(extra="forbid")

    success: bool
    message: str
    data: _CartResult

    @model_validator(mode="after")
    def _cart_on_success(self) -> CartResponse:
        if self.success and self.data.cart is None:
            raise ValueError("a successful cart command's response carries the cart")
        return self


class BookCartResponse(BaseModel):
    """``BOOK_CART_RESPONSE``: a success carries the order and ``created``."""

    model_config = ConfigDict(extra="forbid")

    success: bool
    message: str
    data: _OrderResult

    @model_validator(mode="after")
    def _order_on_success(self) -> BookCartResponse:
        if self.success and (self.data.order is None or self.data.created is None):
            raise ValueError("a successful BOOK_CART's response carries the order and created")
        return self


CART_CLIENT_FRAMES: dict[MessageType, type[BaseModel]] = {
    MessageType.ADD_TO_CART: AddToCartData,
    MessageType.REMOVE_FROM_CART: RemoveFromCartData,
    MessageType.BEST_AVAILABLE: BestAvailableData,
    MessageType.CHECKOUT: CheckoutData,
    MessageType.BOOK_CART: BookCartData,
}
CART_SERVER_FRAMES: dict[MessageType, type[BaseModel]] = {
    MessageType.ADD_TO_CART_RESPONSE: CartResponse,
    MessageType.REMOVE_FROM_CART_RESPONSE: CartResponse,
    MessageType.BEST_AVAILABLE_RESPONSE: CartResponse,
    MessageType.CHECKOUT_RESPONSE: CartResponse,
    MessageType.BOOK_CART_RESPONSE: BookCartResponse,
    MessageType.CART: CartBody,
}
