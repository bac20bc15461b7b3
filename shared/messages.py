"""Wire models: seats, REST bodies, NATS changes and WebSocket frames, as SPEC.md gives them.

Hot paths build JSON directly; these models are the reference the tests and the
OpenAPI document check against, and the validators of untrusted input.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.constants import ChangeType, SeatStatus
from shared.identifiers import SEAT_ID_PATTERN, SESSION_TOKEN_MAX_LENGTH, USER_ID_PATTERN

__all__ = [
    "BestAvailableRequest",
    "Envelope",
    "Heartbeat",
    "HoldsRequest",
    "MessageType",
    "Seat",
    "SeatChange",
    "SeatRequest",
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
    WELCOME = "WELCOME"
    SUBSCRIBE_ACK = "SUBSCRIBE_ACK"
    VENUE_STATE = "VENUE_STATE"
    SELECT_SEAT_RESPONSE = "SELECT_SEAT_RESPONSE"
    BOOK_SEAT_RESPONSE = "BOOK_SEAT_RESPONSE"
    RELEASE_SEAT_RESPONSE = "RELEASE_SEAT_RESPONSE"
    SEAT_UPDATE = "SEAT_UPDATE"
    ERROR = "ERROR"


class Envelope(BaseModel):
    """Every WebSocket frame: exactly one ``{"type": ..., "data": {...}}`` object."""

    type: MessageType
    data: dict[str, Any] = Field(default_factory=dict)
