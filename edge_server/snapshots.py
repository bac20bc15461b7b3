"""SnapshotKeeper: fetches each watched event's snapshot whenever its mirror may be wrong.

``run`` is the loop that, for every watched event, fetches a snapshot from the booking
service whenever the event's mirror asks for one (first watcher, gap, lost last change,
reset, digest, reconnect) and every ``poll_interval`` while NATS is away, then
broadcasts the corrections to that event's watchers (a fresh ``VENUE_STATE`` in the form
each watcher asked for, then the changes due after it), and has the carts that disagree
with a changed snapshot re-read. It also drops the events nobody
has watched for a while. At most one fetch per event is in flight; each is owned,
cancelled and awaited when the loop stops.

``open`` is how a connection starts watching an event: the event's first snapshot is
fetched before it returns (a 404 raises ``NoSuchEvent``), so a new watcher of a known
event gets its state at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from edge_server.booking_client import BookingCallError, BookingRefused
from edge_server.hub import Hub
from edge_server.stats import Stats
from edge_server.watchers import WatchedEvent, Watchers

__all__ = ["NoSuchEvent", "SnapshotKeeper"]

logger = logging.getLogger(__name__)

TICK = 0.05
RETRY_AFTER_FAILURE = 0.5

FetchSnapshot = Callable[[str], Awaitable[dict[str, Any]]]


class NoSuchEvent(Exception):
    """The booking service does not know the event; ``str(error)`` is the client's sentence."""


class SnapshotKeeper:
    """Snapshots of every watched event, fetched when due; see the module docstring."""

    def __init__(
        self,
        watchers: Watchers,
        hub: Hub,
        stats: Stats,
        *,
        fetch_snapshot: FetchSnapshot,
        poll_interval: float,
    ) -> None:
        self._watchers = watchers
        self._hub = hub
        self._stats = stats
        self._fetch = fetch_snapshot
        self._poll_interval = poll_interval
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for due snapshots now rather than at the next tick."""
        self._wake.set()

    def request_resync(self) -> None:
        """Fetch every event's snapshot soon (NATS reconnected: changes may have been missed)."""
        for event in self._watchers:
            event.mirror.request_resync()
        self._wake.set()

    async def open(self, event_id: str) -> WatchedEvent:
        """The event, with its snapshot if the booking service could give one; raises
        NoSuchEvent if it does not know the event. The caller joins it right away."""
        event = self._watchers.open(event_id, time.monotonic())
        if event.mirror.version is not None:
            return event
        try:
            await asyncio.shield(self._load(event))
        except BookingRefused as exc:
            if exc.status != HTTPStatus.NOT_FOUND:
                return event
            self._watchers.discard(event)
            raise NoSuchEvent(f"No such event: {event_id}") from exc
        except BookingCallError:
            # Watched all the same: the loop keeps trying, and sends the state when it can.
            return event
        return event

    async def run(self, *, nats_connected: Callable[[], bool]) -> None:
        """Fetch due snapshots and drop unwatched events until cancelled."""
        try:
            while True:
                now = time.monotonic()
                polling = not nats_connected()
                for event in self._watchers:
                    due = event.mirror.resync_due(now) or (polling and now >= event.next_poll)
                    if due and event.loading is None and now >= event.retry_at:
                        self._load(event)
                for event_id in self._watchers.sweep(now):
                    logger.info(
                        "event no longer watched; mirror dropped", extra={"event": event_id}
                    )
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), TICK)
        finally:
            loading = [event.loading for event in self._watchers if event.loading is not None]
            for task in loading:
                task.cancel()
            await asyncio.gather(*loading, return_exceptions=True)

    def _load(self, event: WatchedEvent) -> asyncio.Task[None]:
        """The event's snapshot fetch in flight, started if there is none."""
        if event.loading is None:
            task = asyncio.create_task(self._resync(event), name=f"snapshot-{event.event_id}")
            event.loading = task
            task.add_done_callback(lambda done: _finished(event, done))
        return event.loading

    async def _resync(self, event: WatchedEvent) -> None:
        """Fetch a snapshot and broadcast the corrections; raises BookingCallError if the
        fetch failed (the event then retries after RETRY_AFTER_FAILURE)."""
        mirror = event.mirror
        mirror.start_resync()
        try:
            snapshot = await self._fetch(event.event_id)
        except BookingCallError as exc:
            logger.info("snapshot unavailable: %s", exc, extra={"event": event.event_id})
            mirror.request_resync()
            event.retry_at = time.monotonic() + RETRY_AFTER_FAILURE
            raise
        before = mirror.version
        now = time.monotonic()
        changed = mirror.take_snapshot(snapshot, now)
        if changed:
            event.broadcast_state(self._hub)
        frames = mirror.drain(now)
        event.broadcast(self._hub, frames)
        if changed:
            # Changes may have been missed: carts that disagree with the snapshot re-read.
            event.carts.reconcile(mirror.seats())
        self._stats.resyncs += 1
        event.next_poll = time.monotonic() + self._poll_interval
        if before != mirror.version:
            logger.info(
                "resynced",
                extra={
                    "event": event.event_id,
                    "was": before,
                    "version": mirror.version,
                    "frames": len(frames) + changed,
                },
            )


def _finished(event: WatchedEvent, task: asyncio.Task[None]) -> None:
    """Clear the event's fetch; a failure was logged already, and whoever awaits it sees it."""
    if event.loading is task:
        event.loading = None
    if not task.cancelled():
        task.exception()
