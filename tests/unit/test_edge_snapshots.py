"""SnapshotKeeper: opening events (one fetch, 404 refused) and its per-event loop."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import orjson
import pytest

from edge_server.booking_client import BookingRefused, BookingUnavailable
from edge_server.hub import Hub
from edge_server.mirror import VenueMirror
from edge_server.snapshots import NoSuchEvent, SnapshotKeeper
from edge_server.stats import Stats
from edge_server.watchers import Watchers
from tests.seat_api import poll_until

SEATS = [{"id": "A1", "row": 0, "col": 0, "status": 0}]


class Snapshots:
    """A booking service's snapshots: known events at version 3, one fetch at a time counted."""

    def __init__(self, *known: str, down: bool = False) -> None:
        self.known = {"main", *known}
        self.down = down
        self.fetched: list[str] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, event_id: str) -> dict[str, Any]:
        self.fetched.append(event_id)
        await self.gate.wait()
        if self.down:
            raise BookingUnavailable("down")
        if event_id not in self.known:
            raise BookingRefused(f"No such event: {event_id}", status=404)
        return {"event_id": event_id, "version": 3, "seats": SEATS}


def keeper(fetch: Snapshots, *, linger: float = 60.0) -> tuple[SnapshotKeeper, Watchers]:
    stats = Stats()
    watchers = Watchers(default_event="main", linger=linger, make_mirror=VenueMirror)
    hub = Hub(stats, slow_client_bytes=1 << 20, close_timeout=1.0)
    return SnapshotKeeper(watchers, hub, stats, fetch_snapshot=fetch, poll_interval=1.0), watchers


async def test_snapshots_open_fetches_a_new_event_once_for_many_openers() -> None:
    """Concurrent first watchers of an event share one snapshot fetch and all get it loaded."""
    fetch = Snapshots("rock-1a2b")
    snapshots, _ = keeper(fetch)
    fetch.gate.clear()
    opening = [asyncio.create_task(snapshots.open("rock-1a2b")) for _ in range(3)]
    await asyncio.sleep(0)
    fetch.gate.set()
    events = await asyncio.gather(*opening)
    assert fetch.fetched == ["rock-1a2b"]
    assert {id(event) for event in events} == {id(events[0])}
    assert events[0].mirror.version == 3


async def test_snapshots_open_unknown_event_raises_and_keeps_no_mirror() -> None:
    """A 404 for the snapshot is "No such event: X", and the event is not kept."""
    snapshots, watchers = keeper(Snapshots())
    with pytest.raises(NoSuchEvent, match=r"^No such event: gone-0000$"):
        await snapshots.open("gone-0000")
    assert watchers.get("gone-0000") is None


async def test_snapshots_open_while_the_service_is_down_returns_the_event_unloaded() -> None:
    """Unavailable is no verdict: the event is kept (to be loaded later) without a state."""
    snapshots, watchers = keeper(Snapshots("rock-1a2b", down=True))
    event = await snapshots.open("rock-1a2b")
    assert event.mirror.version is None
    assert watchers.get("rock-1a2b") is event


async def test_snapshots_loop_loads_every_event_and_drops_unwatched_ones() -> None:
    """The loop fetches the default event and a watched one, and drops the one nobody
    watched for linger seconds."""
    fetch = Snapshots("rock-1a2b", "jazz-0000")
    snapshots, watchers = keeper(fetch, linger=0.2)
    rock = watchers.open("rock-1a2b", 0.0)
    watchers.join(rock, cast(Any, object()), compact=False)
    watchers.open("jazz-0000", 0.0)
    task = asyncio.create_task(snapshots.run(nats_connected=lambda: True))

    async def settled() -> bool:
        return watchers.get("jazz-0000") is None and rock.mirror.version is not None

    try:
        assert await poll_until(settled, within=3.0, interval=0.02)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert watchers.default.mirror.version == 3
    assert set(watchers.counts()) == {"main", "rock-1a2b"}


class RecordingHub(Hub):
    """Records each broadcast with the connections it went to."""

    def __init__(self) -> None:
        super().__init__(Stats(), slow_client_bytes=1 << 20, close_timeout=1.0)
        self.sent: list[tuple[dict[str, Any], set[Any]]] = []

    def broadcast_frames(self, frames: list[bytes], *groups: Any) -> None:
        for frame in frames:
            self.broadcast(frame, *groups)

    def broadcast(self, frame: bytes, *groups: Any) -> None:
        self.sent.append((orjson.loads(frame), {client for group in groups for client in group}))


async def test_snapshots_resync_sends_each_watcher_the_state_form_it_asked_for() -> None:
    """A fresh snapshot goes out in full to full watchers and compact to compact ones."""
    hub = RecordingHub()
    watchers = Watchers(default_event="main", linger=60.0, make_mirror=VenueMirror)
    snapshots = SnapshotKeeper(
        watchers, hub, Stats(), fetch_snapshot=Snapshots("rock-1a2b"), poll_interval=1.0
    )
    rock = watchers.open("rock-1a2b", 0.0)
    fan, compact_fan = cast(Any, object()), cast(Any, object())
    watchers.join(rock, fan, compact=False)
    watchers.join(rock, compact_fan, compact=True)
    await snapshots.open("rock-1a2b")
    assert [(frame["data"].get("compact", False), to) for frame, to in hub.sent] == [
        (False, {fan}),
        (True, {compact_fan}),
    ]
