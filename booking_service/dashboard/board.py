"""Dashboard: an event's dashboard figures, read afresh from Redis and this process's feed."""

from __future__ import annotations

import time
from typing import Any, cast

import orjson

from booking_service.dashboard.audit import AuditLog
from booking_service.dashboard.feed import OperatorFeed
from booking_service.dashboard.figures import Inputs, dashboard_data
from booking_service.events.keys import event_key
from booking_service.events.registry import Event
from booking_service.redis_client import RedisClient
from booking_service.seats import redis_errors

__all__ = ["AUDIT_SHOWN", "Dashboard"]

# Audit entries a dashboard shows, newest first.
AUDIT_SHOWN = 20


class Dashboard:
    """Counts an event's dashboard from its snapshot, orders, audit log and the feed."""

    def __init__(self, redis: RedisClient, feed: OperatorFeed, audit: AuditLog) -> None:
        self._redis = redis
        self.feed = feed
        self.audit = audit

    async def data(self, event: Event) -> dict[str, Any]:
        """The event's ``DASHBOARD`` data as it is now; StoreUnavailable if Redis is away."""
        snapshot = await event.store.snapshot()
        with redis_errors():
            orders = cast("list[bytes]", await self._redis.hvals(event_key(event.id, "orders")))
        audit = await self.audit.recent(event.id, AUDIT_SHOWN)
        return dashboard_data(
            Inputs(
                event=event.info.model_dump(mode="json"),
                version=snapshot.version,
                seats=orjson.loads(snapshot.seats_json),
                layout=event.store.layout,
                prices=event.info.prices,
                orders=orders,
                audit=audit,
                connected=self.feed.census.connected(event.id),
                changes=self.feed.recent_changes(event.id),
                now=time.time(),
            )
        )
