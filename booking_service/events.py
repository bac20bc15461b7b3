"""EventPublisher: seat changes and version heartbeats on NATS.

Publishing never fails or delays a seat operation: while NATS is away, events are
dropped (nats-py buffers them during a reconnect) and subscribers catch up from the
heartbeat, which carries the venue version, and the snapshot at ``GET /api/venue``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any

import nats
import orjson
from nats.aio.client import Client
from nats.errors import Error as NatsError

from booking_service.errors import StoreUnavailable
from booking_service.seats import Change, SeatStore
from shared.constants import HEARTBEAT_SUBJECT, EventType, SeatStatus, subject_for

__all__ = ["EventPublisher", "event_payload", "run_heartbeat"]

logger = logging.getLogger(__name__)

_STATUS = {
    EventType.HELD: SeatStatus.HELD,
    EventType.BOOKED: SeatStatus.BOOKED,
    EventType.RELEASED: SeatStatus.AVAILABLE,
    EventType.AUTO_RELEASED: SeatStatus.AVAILABLE,
}


def iso_time(ms: int) -> str:
    """Unix milliseconds as an ISO-8601 UTC timestamp, e.g. ``2024-01-01T12:00:00.000Z``."""
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def event_payload(change: Change) -> dict[str, Any]:
    """The seed's event body for a change, plus the venue ``version`` it produced."""
    seat = orjson.loads(change.seat_json)
    return {
        "event_type": change.event_type.value,
        "seat_id": change.seat_id,
        "user_id": change.user_id,
        "status": _STATUS[change.event_type].value,
        "timestamp": iso_time(change.at_ms),
        "expires_at": seat.get("expires_at"),
        "version": change.version,
        "seat": seat,
    }


class EventPublisher:
    """A NATS connection that keeps trying to (re)connect for as long as it lives."""

    def __init__(self, servers: list[str], *, name: str) -> None:
        self._servers = servers
        self._name = name
        self._client: Client | None = None
        self._connecting: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        """Whether NATS is reachable right now."""
        return self._client is not None and self._client.is_connected

    def start(self) -> None:
        """Begin connecting in the background; the service runs without NATS meanwhile."""
        self._connecting = asyncio.create_task(self._connect_forever(), name="nats-connect")

    async def close(self) -> None:
        """Stop connecting, flush what is pending and close the connection."""
        if self._connecting is not None:
            self._connecting.cancel()
            await asyncio.gather(self._connecting, return_exceptions=True)
        if self._client is not None and not self._client.is_closed:
            try:
                await asyncio.wait_for(self._client.drain(), timeout=2)
            except (NatsError, TimeoutError) as exc:
                logger.warning("nats drain failed: %s", exc)
                await self._client.close()

    async def publish_change(self, change: Change) -> None:
        """Publish the change's event on its subject (``seats.held`` …)."""
        await self._publish(subject_for(change.event_type), orjson.dumps(event_payload(change)))

    async def publish_heartbeat(self, version: int, now_ms: int) -> None:
        """Publish the current venue version on ``seats.heartbeat``."""
        body = {"event_type": "heartbeat", "version": version, "timestamp": iso_time(now_ms)}
        await self._publish(HEARTBEAT_SUBJECT, orjson.dumps(body))

    async def _publish(self, subject: str, payload: bytes) -> None:
        client = self._client
        if client is None or client.is_closed:
            return
        try:
            await client.publish(subject, payload)
        except NatsError as exc:
            logger.debug("event dropped while nats is away", extra={"subject": subject, "exc": exc})

    async def _connect_forever(self) -> None:
        delay = 0.1
        while True:
            try:
                self._client = await nats.connect(
                    servers=self._servers,
                    name=self._name,
                    connect_timeout=1,
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.25,
                    error_cb=self._on_error,
                    disconnected_cb=self._on_disconnected,
                    reconnected_cb=self._on_reconnected,
                )
            except (NatsError, OSError, TimeoutError) as exc:
                logger.warning("nats unreachable, retrying: %s", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
            else:
                logger.info("nats connected", extra={"servers": self._servers})
                return

    async def _on_error(self, exc: Exception) -> None:
        logger.warning("nats error: %s", exc)

    async def _on_disconnected(self) -> None:
        logger.warning("nats disconnected")

    async def _on_reconnected(self) -> None:
        logger.info("nats reconnected")


async def run_heartbeat(store: SeatStore, publisher: EventPublisher, *, interval: float) -> None:
    """Publish the venue version every ``interval`` seconds, until cancelled."""
    while True:
        if publisher.connected:
            try:
                version = await store.version()
            except StoreUnavailable:
                logger.debug("heartbeat skipped: redis unreachable")
            else:
                await publisher.publish_heartbeat(version, int(time.time() * 1000))
        await asyncio.sleep(interval)
