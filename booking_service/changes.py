"""ChangePublisher: seat changes and version heartbeats of every event on NATS.

Each event's changes and heartbeats go out on its own subjects (``shared.constants``:
the seed's ``seats.*`` for the default event, ``events.<id>.*`` for the others), and
every payload names its ``event_id``. Publishing never fails or delays a seat
operation: while NATS is away, changes are dropped (nats-py buffers them during a
reconnect) and subscribers catch up from the heartbeat, which carries the event's
version and digest, and the snapshot at ``GET /api/events/{id}/venue``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from booking_service.seats import Change, SeatStore, VenueState
from booking_service.supervisor import FailureStreak
from shared.constants import AUDIT_SUBJECT, STATUS_AFTER, heartbeat_subject, subject_for
from shared.nats_link import NatsError, NatsLink
from shared.timestamps import iso_time

__all__ = ["ChangePublisher", "change_payload", "run_heartbeat"]

logger = logging.getLogger(__name__)


def change_payload(change: Change) -> dict[str, Any]:
    """The seed's event body for a change, plus the ``version`` it produced and its event."""
    seat = change.seat
    return {
        "event_id": change.event_id,
        "event_type": change.event_type.value,
        "seat_id": change.seat_id,
        "user_id": change.user_id,
        "status": STATUS_AFTER[change.event_type].value,
        "timestamp": iso_time(change.at_ms),
        "expires_at": seat.get("expires_at"),
        "version": change.version,
        "seat": seat,
    }


class ChangePublisher(NatsLink):
    """Publishes seat changes on a NATS link that keeps (re)connecting while it lives."""

    def __init__(self, servers: list[str], *, name: str, default_event: str) -> None:
        super().__init__(servers, name=name)
        self._default_event = default_event

    async def publish_change(self, change: Change) -> None:
        """Publish the change on its event's subject (``seats.held``, ``events.<id>.held`` …)."""
        subject = subject_for(change.event_id, change.event_type, default_event=self._default_event)
        await self._publish(subject, orjson.dumps(change_payload(change)))

    async def publish_changes(self, changes: Iterable[Change]) -> None:
        """Publish, in the given (version) order, every change that committed something."""
        for change in changes:
            if change.changed:
                await self.publish_change(change)

    async def publish_heartbeat(
        self, event_id: str, state: VenueState, *, interval: float, now_ms: int
    ) -> None:
        """Publish the event's version, its digest and this beat's interval (seconds)."""
        body = {
            "event_id": event_id,
            "event_type": "heartbeat",
            "version": state.version,
            "digest": state.digest,
            "interval": interval,
            "timestamp": iso_time(now_ms),
        }
        subject = heartbeat_subject(event_id, default_event=self._default_event)
        await self._publish(subject, orjson.dumps(body))

    async def publish_audit(self, event_id: str) -> None:
        """Tell every booking process that the event's audit log has a new entry."""
        await self._publish(AUDIT_SUBJECT, orjson.dumps({"event_id": event_id}))

    async def _publish(self, subject: str, payload: bytes) -> None:
        client = self.client
        if client is None or client.is_closed:
            return
        try:
            await client.publish(subject, payload)
        except NatsError as exc:
            logger.debug(
                "change dropped while nats is away", extra={"subject": subject, "exc": exc}
            )


async def run_heartbeat(
    events: Callable[[], Iterable[SeatStore]], publisher: ChangePublisher, *, interval: float
) -> None:
    """Publish every event's version and digest every ``interval`` seconds, until cancelled.

    ``events()`` gives the stores of the events to beat for, read afresh each round. A
    beat that fails (Redis unavailable, anything else) is logged and skipped; the other
    events' beats go out all the same (on a Redis Cluster, a shard failing over holds up
    no other), and the next one comes on time.
    """
    failures = FailureStreak("heartbeat", first=interval, limit=interval)
    while True:
        failure = None
        for store in events() if publisher.connected else ():
            try:
                state = await store.state()
                await publisher.publish_heartbeat(
                    store.event_id, state, interval=interval, now_ms=int(time.time() * 1000)
                )
            except Exception as exc:
                failure = failure or exc
        if failure is None:
            failures.succeeded()
            delay = interval
        else:
            delay = failures.failed(failure)
        await asyncio.sleep(delay)
