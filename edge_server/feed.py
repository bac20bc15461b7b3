"""VenueFeed: keeps the mirror true and every client in step with it.

NATS messages come in through ``on_nats_message``: a change is checked (at most
``MAX_CHANGE_BYTES``, well-formed, no ``VenueMirror.change_problem``), applied to the
mirror, and the frames that became due are broadcast at once, before the next message
is read, so clients get updates in version order. A change that fails a check is
dropped, logged, counted and answered with a resync: whoever could publish it may
have published others. ``run`` is the loop that fetches a
snapshot from the booking service whenever the mirror asks for one (gap, lost last
change, reset, reconnect) and every ``poll_interval`` while NATS is away, then
broadcasts the corrections. Nothing here awaits between changing the mirror and
broadcasting what changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from edge_server.booking_client import BookingCallError
from edge_server.hub import Hub
from edge_server.mirror import VenueMirror, seat_update_frame
from edge_server.stats import Stats
from shared.constants import HEARTBEAT_SUBJECT

__all__ = ["MAX_CHANGE_BYTES", "VenueFeed", "read_change", "read_heartbeat"]

logger = logging.getLogger(__name__)

TICK = 0.05
RETRY_AFTER_FAILURE = 0.5
MAX_CHANGE_BYTES = 8 * 1024
_DIGEST = re.compile(r"[0-9a-f]{16}")


def read_change(data: bytes) -> dict[str, Any] | None:
    """A seat change's payload if it has what the mirror needs, else None."""
    try:
        change = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(change, dict):
        return None
    if type(change.get("version")) is not int or not isinstance(change.get("seat_id"), str):
        return None
    return change if isinstance(change.get("seat"), dict) else None


def read_heartbeat(data: bytes) -> tuple[int, str | None, float | None] | None:
    """A heartbeat's version, digest and interval (each of the last two None when absent
    or malformed), or None if it carries no version."""
    if len(data) > MAX_CHANGE_BYTES:
        return None
    try:
        heartbeat = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(heartbeat, dict) or type(heartbeat.get("version")) is not int:
        return None
    digest = heartbeat.get("digest")
    interval = heartbeat.get("interval")
    return (
        heartbeat["version"],
        digest if isinstance(digest, str) and _DIGEST.fullmatch(digest) else None,
        float(interval)
        if isinstance(interval, int | float) and not isinstance(interval, bool)
        else None,
    )


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
        if len(data) > MAX_CHANGE_BYTES:
            self._reject(subject, "oversized", len(data))
            return
        change = read_change(data)
        if change is None:
            self._reject(subject, "malformed", len(data))
            return
        problem = self._mirror.change_problem(change)
        if problem is not None:
            self._reject(subject, problem, len(data))
            return
        for frame in self._mirror.on_change(change, seat_update_frame(data), now):
            self._hub.broadcast(frame)

    def _reject(self, subject: str, problem: str, size: int) -> None:
        logger.warning(
            "invalid seat change dropped: %s", problem, extra={"subject": subject, "bytes": size}
        )
        self._stats.invalid_changes += 1
        self.request_resync()

    def request_resync(self) -> None:
        """Fetch a snapshot soon (NATS reconnected, so changes may have been missed)."""
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
        heartbeat = read_heartbeat(data)
        if heartbeat is None:
            logger.warning("malformed heartbeat ignored", extra={"bytes": len(data)})
            return
        version, digest, interval = heartbeat
        self._mirror.on_heartbeat(version, now, digest=digest, interval=interval)

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
