"""Dashboard: an event's dashboard figures, read afresh from Redis and this process's feed;
``event_listing``: every event with its seat counts."""

from __future__ import annotations

import time
from typing import Any

import orjson

from booking_service.dashboard.feed import OperatorFeed
from booking_service.dashboard.figures import Inputs, dashboard_data, seat_counts
from booking_service.events.info import EventState
from booking_service.events.keys import event_key
from booking_service.events.registry import Event, EventRegistry
from booking_service.redis_client import RedisClient
from booking_service.seats import redis_errors

__all__ = ["AUDIT_SHOWN", "Dashboard", "event_listing"]

# Audit entries a dashboard shows, newest first.
AUDIT_SHOWN = 20


async def event_listing(events: EventRegistry) -> list[dict[str, Any]]:
    """Every event as ``GET /api/admin/events`` lists it: its description and seat counts."""
    await events.refresh()
    listed = []
    for event in events.known():
        seats = orjson.loads((await event.store.snapshot()).seats_json)
        listed.append({**event.info.model_dump(mode="json"), "counts": seat_counts(seats)})
    return listed


class Dashboard:
    """Counts an event's dashboard from its snapshot, order counts, audit log and the feed."""

    def __init__(self, redis: RedisClient, feed: OperatorFeed) -> None:
        self._redis = redis
        self.feed = feed

    async def data(self, event: Event) -> dict[str, Any]:
        """The event's ``DASHBOARD`` data as it is now; StoreUnavailable if Redis is away.

        The sale state is read with the audit entries, so a state set
        through another process shows at once, not after the next event refresh. A
        read makes the feed listen to changes for a while (``feed.LINGER``); the
        changes listed are those heard since it began.
        """
        self.feed.read()
        snapshot = await event.store.snapshot()
        order_keys = [event_key(event.id, name) for name in ("orders", "order_counts")]
        with redis_errors():
            counts = await event.store.scripts.read_order_counts(keys=order_keys)
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.lrange(event_key(event.id, "audit"), 0, AUDIT_SHOWN - 1)
                pipe.get(event_key(event.id, "state"))
                audit, state = await pipe.execute()
        info = event.info
        if state is not None:
            info = info.model_copy(update={"state": EventState(state.decode())})
        return dashboard_data(
            Inputs(
                event=info.model_dump(mode="json"),
                version=snapshot.version,
                seats=orjson.loads(snapshot.seats_json),
                layout=event.store.layout,
                prices=info.prices,
                order_counts=counts,
                audit=[orjson.loads(raw) for raw in audit],
                connected=self.feed.census.connected(event.id),
                changes=self.feed.recent_changes(event.id),
                now=time.time(),
            )
        )
