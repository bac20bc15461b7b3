"""ChangePublisher: seat changes and version heartbeats on NATS.

Publishing never fails or delays a seat operation: while NATS is away, changes are
dropped (nats-py buffers them during a reconnect) and subscribers catch up from the
heartbeat, which carries the venue version and digest, and the snapshot at
``GET /api/venue``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import orjson

from booking_service.seats import Change, SeatStore, VenueState
from booking_service.supervisor import FailureStreak
from shared.constants import HEARTBEAT_SUBJECT, STATUS_AFTER, subject_for
from shared.nats_link import NatsError, NatsLink
from shared.timestamps import iso_time

__all__ = ["ChangePublisher", "change_payload", "run_heartbeat"]

logger = logging.getLogger(__name__)


def change_payload(change: Change) -> dict[str, Any]:
    """The seed's event body for a change, plus the venue ``version`` it produced."""
    seat = change.seat
    return {
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

    async def publish_change(self, change: Change) -> None:
        """Publish the change on its subject (``seats.held`` …)."""
        await self._publish(subject_for(change.event_type), orjson.dumps(change_payload(change)))

    async def publish_heartbeat(self, state: VenueState, *, interval: float, now_ms: int) -> None:
        """Publish the venue's version, its digest and this beat's interval (seconds)."""
        body = {
            "event_type": "heartbeat",
            "version": state.version,
            "digest": state.digest,
            "interval": interval,
            "timestamp": iso_time(now_ms),
        }
        await self._publish(HEARTBEAT_SUBJECT, orjson.dumps(body))

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


async def run_heartbeat(store: SeatStore, publisher: ChangePublisher, *, interval: float) -> None:
    """Publish the venue version and digest every ``interval`` seconds, until cancelled.

    A beat that fails (Redis unavailable, anything else) is logged and skipped; the
    next one comes on time.
    """
    failures = FailureStreak("heartbeat", first=interval, limit=interval)
    while True:
        delay = interval
        try:
            if publisher.connected:
                state = await store.state()
                await publisher.publish_heartbeat(
                    state, interval=interval, now_ms=int(time.time() * 1000)
                )
        except Exception as exc:
            delay = failures.failed(exc)
        else:
            failures.succeeded()
        await asyncio.sleep(delay)
