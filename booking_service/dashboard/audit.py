"""AuditLog: who did what to an event, and when, newest first.

Each operator action that changes an event (its sale state, a block or unblock, an
order cancelled) appends one entry to the event's ``audit`` list
(``event:{<id>}:audit``, on the event's hash tag), trimmed to the newest ``KEEP``.
An entry is ``{"at", "who", "address", "action", "detail"}``: ``at`` an ISO-8601 UTC
time in milliseconds, ``who`` the ``X-Operator`` name, ``address`` the client's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

import orjson

from booking_service.events.keys import event_key
from booking_service.redis_client import RedisClient
from booking_service.seats import redis_errors
from shared.timestamps import iso_time

__all__ = ["Actor", "AuditAction", "AuditLog"]


class AuditAction(StrEnum):
    """What an operator did."""

    STATE = "state"
    BLOCK = "block"
    UNBLOCK = "unblock"
    CANCEL_ORDER = "cancel_order"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted: the operator's name and the address the request came from."""

    who: str
    address: str


class AuditLog:
    """Every event's audit list, over the service's Redis client."""

    # Entries kept per event; older ones are trimmed as new ones come.
    KEEP = 1000

    def __init__(self, redis: RedisClient) -> None:
        self._redis = redis

    async def record(
        self,
        event_id: str,
        actor: Actor,
        action: AuditAction,
        detail: dict[str, Any],
        *,
        at_ms: int | None = None,
    ) -> dict[str, Any]:
        """Append an entry to the event's log (keeping the newest ``KEEP``); the entry."""
        entry = {
            "at": iso_time(at_ms),
            "who": actor.who,
            "address": actor.address,
            "action": action.value,
            "detail": detail,
        }
        key = event_key(event_id, "audit")
        with redis_errors():
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.lpush(key, orjson.dumps(entry))
                pipe.ltrim(key, 0, self.KEEP - 1)
                await pipe.execute()
        return entry

    async def recent(self, event_id: str, limit: int) -> list[dict[str, Any]]:
        """The event's newest ``limit`` entries, newest first."""
        with redis_errors():
            raws = cast(
                "list[bytes]", await self._redis.lrange(event_key(event_id, "audit"), 0, limit - 1)
            )
        return [orjson.loads(raw) for raw in raws]
