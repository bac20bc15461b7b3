"""VenueFeed: NATS messages into the mirror of the event they belong to, and out to its
watchers.

NATS messages come in through ``on_nats_message``. The subject names the event
(``shared.constants.event_of_subject``); a message for an event this edge does not
watch is ignored.
A change is checked (at most ``MAX_CHANGE_BYTES``, well-formed, an ``event_id`` if
present that is the subject's, no ``VenueMirror.change_problem``), applied to its
event's mirror, and the frames that became due are broadcast to that event's watchers
at once, before the next message is read, so clients get updates in version order. A
change that fails a check is dropped, logged, counted and answered with a resync of its
event: whoever could publish it may have published others. A change that passed goes to
its event's ``CartIndex`` too, which has the carts it concerns re-read. A heartbeat goes to its
event's mirror (one naming another event in its payload is ignored). Nothing here
awaits between changing a mirror and broadcasting what changed; snapshots are
``SnapshotKeeper``'s.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import orjson

from edge_server.hub import Hub
from edge_server.stats import Stats
from edge_server.watchers import WatchedEvent, Watchers
from shared.constants import event_of_subject, heartbeat_subject
from shared.timestamps import unix_seconds

__all__ = ["MAX_CHANGE_BYTES", "HeartbeatReading", "VenueFeed", "read_change", "read_heartbeat"]

logger = logging.getLogger(__name__)

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


class HeartbeatReading(NamedTuple):
    """What a heartbeat says; each field but ``version`` is None when absent or malformed."""

    version: int
    digest: str | None
    interval: float | None
    event_id: str | None


def read_heartbeat(data: bytes) -> HeartbeatReading | None:
    """What a heartbeat says, or None if it carries no version."""
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
    event_id = heartbeat.get("event_id")
    return HeartbeatReading(
        heartbeat["version"],
        digest if isinstance(digest, str) and _DIGEST.fullmatch(digest) else None,
        float(interval)
        if isinstance(interval, int | float) and not isinstance(interval, bool)
        else None,
        event_id if isinstance(event_id, str) else None,
    )


def _commit_times(change: dict[str, Any], due: list[bytes]) -> list[float]:
    """When the booking service committed each due change (unix seconds), those that say.

    Usually only the change just read is due; changes held back until a gap before them
    filled (NATS may carry versions out of order) are read again for their time.
    """
    changes = [change] if len(due) == 1 else [orjson.loads(payload) for payload in due]
    times = (unix_seconds(each.get("timestamp")) for each in changes)
    return [at for at in times if at is not None]


class VenueFeed:
    """The path from NATS, through each watched event's mirror, to its watchers."""

    def __init__(
        self,
        watchers: Watchers,
        hub: Hub,
        stats: Stats,
        *,
        wake: Callable[[], None],
    ) -> None:
        self._watchers = watchers
        self._hub = hub
        self._stats = stats
        self._wake = wake

    def on_nats_message(self, subject: str, data: bytes) -> None:
        """Apply one NATS message and broadcast whatever it made due."""
        default_event = self._watchers.default_event
        event_id = event_of_subject(subject, default_event)
        if event_id is None:
            logger.warning("message on an unknown subject ignored", extra={"subject": subject})
            return
        event = self._watchers.get(event_id)
        if event is None:
            return
        now = time.monotonic()
        if subject == heartbeat_subject(event_id, default_event=default_event):
            self._on_heartbeat(event, data, now)
            return
        if len(data) > MAX_CHANGE_BYTES:
            self._reject(event, subject, "oversized", len(data))
            return
        change = read_change(data)
        if change is None:
            self._reject(event, subject, "malformed", len(data))
            return
        if change.get("event_id", event.event_id) != event.event_id:
            self._reject(event, subject, "event_id differs from the subject's", len(data))
            return
        problem = event.mirror.change_problem(change)
        if problem is not None:
            self._reject(event, subject, problem, len(data))
            return
        due = event.mirror.on_change(change, data, now)
        if due:
            # Fan-out delay is timed to the last watcher: with none, there is nothing to time.
            self._gather(event, due, now, _commit_times(change, due) if len(event) else [])
        # Two look-ups, not one per watcher: only the carts the change concerns re-read.
        event.carts.on_change(change)

    def _gather(
        self, event: WatchedEvent, changes: list[bytes], now: float, committed: list[float]
    ) -> None:
        """Add due changes to the event's tick; send it now or when its window ends."""
        assert event.mirror.version is not None
        delay = event.tick.add(changes, event.mirror.version, now, committed=committed)
        if delay <= 0:
            self._send_tick(event)
        elif event.timer is None:
            event.timer = asyncio.get_running_loop().call_later(delay, self._send_tick, event)

    def _send_tick(self, event: WatchedEvent) -> None:
        """Send the event's tick; how long that took sets its next window."""
        started = time.monotonic()
        event.flush(self._hub)
        finished = time.monotonic()
        event.tick.sent(finished, finished - started)

    def _reject(self, event: WatchedEvent, subject: str, problem: str, size: int) -> None:
        logger.warning(
            "invalid seat change dropped: %s", problem, extra={"subject": subject, "bytes": size}
        )
        self._stats.invalid_changes += 1
        event.mirror.request_resync()
        self._wake()

    def _on_heartbeat(self, event: WatchedEvent, data: bytes, now: float) -> None:
        heartbeat = read_heartbeat(data)
        if heartbeat is None or heartbeat.event_id not in (None, event.event_id):
            logger.warning(
                "malformed heartbeat ignored", extra={"event": event.event_id, "bytes": len(data)}
            )
            return
        event.mirror.on_heartbeat(
            heartbeat.version, now, digest=heartbeat.digest, interval=heartbeat.interval
        )
