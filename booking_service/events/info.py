"""EventInfo: what the public and the operator are told about one concert event."""

from __future__ import annotations

import re
import secrets
import unicodedata
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.identifiers import EVENT_ID_PATTERN

__all__ = ["EventInfo", "EventState", "new_event_id"]

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


def new_event_id(name: str) -> str:
    """A fresh id for an event called ``name``: its slug (at most 20 characters) + 4 hex.

    ``"Jazz Night in Köln"`` → ``jazz-night-in-koln-3f9a``; a name with nothing to slug
    gives ``event-3f9a``.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:_SLUG_LENGTH].strip("-")
    return f"{slug or 'event'}-{secrets.token_hex(2)}"
