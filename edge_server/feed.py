"""VenueFeed: keeps the mirror true and every client in step with it.

NATS messages come in through ``on_nats_message``: an event is applied to the mirror
and the frames that became due are broadcast at once, before the next message is
read, so clients get updates in version order. ``run`` is the loop that fetches a
snapshot from the booking service whenever the mirror asks for one (gap, lost last
event, reset, reconnect) and every ``poll_interval`` while NATS is away, then
broadcasts the corrections. Nothing here awaits between changing the mirror and
broadcasting what changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from edge_server.booking_client import BookingCallError
from edge_server.hub import Hub
from edge_server.mirror import VenueMirror, seat_update_frame
from edge_server.stats import Stats
from shared.constants import HEARTBEAT_SUBJECT

__all__ = ["VenueFeed", "read_event"]

logger = logging.getLogger(__name__)

TICK = 0.05
RETRY_AFTER_FAILURE = 0.5


def read_event(data: bytes) -> dict[str, Any] | None:
    """A seat event's payload if it has what the mirror needs, else None."""
    try:
        event = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(event, dict):
        return None
    if not isinstance(event.get("version"), int) or not isinstance(event.get("seat_id"), str):
        return None
    return event if isinstance(event.get("seat"), dict) else None


class VenueFeed:
    """The path from NATS and snapshots, through the mirror, to the hub."""

    def __init__(
        self,
        mirror: VenueMirror,
        hub: Hub,
        stats: Stats,
        *,
        fetch_snapshot: Callable[[], Awaitable[dict[str, Any]]],
        poll_interval: float,
    ) -> None:
        self._mirror = mirror
        self._hub = hub
        self._stats = stats
        self._fetch = fetch_snapshot
        self._poll_interval = poll_interval
        self._wake = asyncio.Event()

    def on_nats_message(self, subject: str, data: bytes) -> None:
        """Apply one NATS message and broadcast whatever it made due."""
        now = time.monotonic()
        if subject == HEARTBEAT_SUBJECT:
            self._on_heartbeat(data, now)
            return
        event = read_event(data)
        if event is None:
            logger.warning("malformed seat event ignored", extra={"subject": subject})
            return
        for frame in self._mirror.on_event(event, seat_update_frame(data), now):
            self._hub.broadcast(frame)

    def request_resync(self) -> None:
        """Fetch a snapshot soon (NATS reconnected, so events may have been missed)."""
        self._mirror.request_resync()
        self._wake.set()

    async def run(self, *, nats_connected: Callable[[], bool]) -> None:
        """Resync whenever needed, and poll while ``nats_connected()`` is false, until cancelled."""
        next_poll = 0.0
        retry_at = 0.0
        while True:
            now = time.monotonic()
            polling = not nats_connected() and now >= next_poll
            if now >= retry_at and (polling or self._mirror.resync_due(now)):
                if await self._resync():
                    next_poll = time.monotonic() + self._poll_interval
                else:
                    retry_at = time.monotonic() + RETRY_AFTER_FAILURE
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), TICK)

    def _on_heartbeat(self, data: bytes, now: float) -> None:
        try:
            version = orjson.loads(data).get("version")
        except (orjson.JSONDecodeError, AttributeError):
            version = None
        if isinstance(version, int):
            self._mirror.on_heartbeat(version, now)

    async def _resync(self) -> bool:
        """Fetch a snapshot and broadcast the corrections; False if the fetch failed."""
        self._mirror.start_resync()
        try:
            snapshot = await self._fetch()
        except BookingCallError as exc:
            logger.info("snapshot unavailable: %s", exc)
            self._mirror.request_resync()
            return False
        before = self._mirror.version
        frames = self._mirror.apply_snapshot(snapshot, time.monotonic())
        for frame in frames:
            self._hub.broadcast(frame)
        self._stats.resyncs += 1
        if before != self._mirror.version:
            logger.info(
                "resynced",
                extra={"was": before, "version": self._mirror.version, "frames": len(frames)},
            )
        return True
