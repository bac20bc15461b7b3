"""EventInfo: what the public and the operator are told about one concert event."""

from __future__ import annotations

import re
import secrets
import unicodedata
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

__all__ = ["EVENT_ID_PATTERN", "EventInfo", "EventState", "is_event_id", "new_event_id"]

EVENT_ID_PATTERN = r"^[a-z0-9-]{1,32}$"
_EVENT_ID = re.compile(EVENT_ID_PATTERN)
_SLUG_LENGTH = 20


class EventState(StrEnum):
    """An event's sale state: only an event on sale sells seats; release always works."""

    SCHEDULED = "scheduled"
    ON_SALE = "on_sale"
    CLOSED = "closed"


class EventInfo(BaseModel):
    """One event as ``GET /api/events`` lists it (keys in this order)."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=EVENT_ID_PATTERN)
    name: str
    state: EventState
    starts_at: AwareDatetime | None = None
    hold_seconds: float
    currency: str
    prices: dict[str, float]
    plan_name: str
    seats_total: int


def is_event_id(value: str) -> bool:
    """Whether the whole of ``value`` is an event id: 1-32 of ``a-z``, ``0-9`` and ``-``."""
    return _EVENT_ID.fullmatch(value) is not None


def new_event_id(name: str) -> str:
    """A fresh id for an event called ``name``: its slug (at most 20 characters) + 4 hex.

    ``"Jazz Night in Köln"`` → ``jazz-night-in-koln-3f9a``; a name with nothing to slug
    gives ``event-3f9a``.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:_SLUG_LENGTH].strip("-")
    return f"{slug or 'event'}-{secrets.token_hex(2)}"
