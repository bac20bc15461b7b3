"""VenueFeed: changes are checked before use and reach only their event's watchers;
heartbeats are read in full."""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

import orjson
import pytest

from edge_server.feed import MAX_CHANGE_BYTES, HeartbeatReading, VenueFeed, read_heartbeat
from edge_server.hub import Hub
from edge_server.mirror import VenueMirror
from edge_server.stats import Stats
from edge_server.watchers import Watchers
from shared.venue_digest import digest_of

SEATS = [{"id": f"A{col + 1}", "row": 0, "col": col, "status": 0} for col in range(3)]


class FakeHub(Hub):
    """Records each broadcast with the connections it went to."""

    def __init__(self, stats: Stats) -> None:
        super().__init__(stats, slow_client_bytes=1 << 20, close_timeout=1.0)
        self.sent: list[tuple[bytes, set[Any]]] = []

    def broadcast_frames(self, frames: list[bytes], *groups: Any) -> None:
        for frame in frames:
            self.broadcast(frame, *groups)

    def broadcast(self, frame: bytes, *groups: Any) -> None:
        self.sent.append((frame, {client for group in groups for client in group}))


def watchers_of(*event_ids: str) -> Watchers:
    """Watchers of the default event ``main`` and ``event_ids``, each at version 10."""
    watchers = Watchers(default_event="main", linger=5.0, make_mirror=VenueMirror)
    for event_id in ("main", *event_ids):
        watchers.open(event_id, 0.0).mirror.apply_snapshot({"version": 10, "seats": SEATS}, 0.0)
    return watchers


def feed(*event_ids: str) -> tuple[VenueFeed, VenueMirror, Stats]:
    stats = Stats()
    watchers = watchers_of(*event_ids)
    hub = Hub(stats, slow_client_bytes=1 << 20, close_timeout=1.0)
    return VenueFeed(watchers, hub, stats, wake=lambda: None), watchers.default.mirror, stats


def booked(**override: Any) -> bytes:
    seat = {"id": "A1", "row": 0, "col": 0, "status": 2, "booked_by": "u1"}
    change = {"event_type": "booked", "seat_id": "A1", "user_id": "u1", "status": 2}
    return orjson.dumps({**change, "version": 11, "seat": seat, **override})


def test_feed_applies_a_valid_event() -> None:
    """A well-formed change for a seat of the venue is applied and broadcast."""
    edge, mirror, stats = feed()
    edge.on_nats_message("seats.booked", booked())
    assert mirror.version == 11
    assert (stats.broadcasts, stats.invalid_changes) == (1, 0)
    assert not mirror.resync_due(0.0)


@pytest.mark.parametrize(
    "payload",
    [
        booked(seat_id="Z99"),
        booked(seat={"id": "A2", "row": 0, "col": 1, "status": 2}),
        booked(status=1),
        booked(status=7, seat={"id": "A1", "row": 0, "col": 0, "status": 7}),
        booked(padding="x" * MAX_CHANGE_BYTES),
        b"{not json",
        orjson.dumps({"version": 11, "seat_id": "A1"}),
    ],
    ids=["unknown-seat", "seat-id", "status", "status-range", "oversized", "json", "no-seat"],
)
def test_feed_drops_an_invalid_event_and_resyncs(payload: bytes) -> None:
    """An invalid change is not applied or broadcast, is counted, and asks for a snapshot."""
    edge, mirror, stats = feed()
    edge.on_nats_message("seats.booked", payload)
    assert mirror.version == 10
    assert [seat["status"] for seat in mirror.seats()] == [0, 0, 0]
    assert (stats.broadcasts, stats.invalid_changes) == (0, 1)
    assert mirror.resync_due(0.0)


def test_feed_heartbeat_digest_mismatch_asks_for_a_snapshot() -> None:
    """A heartbeat at the mirror's version with another digest makes a resync due."""
    edge, mirror, _ = feed()
    edge.on_nats_message(
        "seats.heartbeat", orjson.dumps({"version": 10, "digest": mirror.digest, "interval": 0.5})
    )
    assert not mirror.resync_due(0.0)
    other = digest_of([{**SEATS[0], "status": 2}, *SEATS[1:]])
    edge.on_nats_message("seats.heartbeat", orjson.dumps({"version": 10, "digest": other}))
    assert mirror.resync_due(0.0)


def test_feed_reads_heartbeats_with_or_without_digest_and_interval() -> None:
    """Version is required; a missing or malformed digest or interval reads as None."""
    digest = "0123456789abcdef"
    assert read_heartbeat(
        orjson.dumps({"version": 4, "digest": digest, "interval": 2, "event_id": "main"})
    ) == HeartbeatReading(4, digest, 2.0, "main")
    assert read_heartbeat(orjson.dumps({"version": 4})) == (4, None, None, None)
    assert read_heartbeat(orjson.dumps({"version": 4, "digest": "XYZ", "interval": "1"})) == (
        4,
        None,
        None,
        None,
    )
    assert read_heartbeat(orjson.dumps({"version": True})) is None
    assert read_heartbeat(b"[]") is None


def test_feed_sends_an_events_changes_only_to_its_watchers() -> None:
    """A change on events.<id>.* reaches that event's watchers, full and compact, and no
    one else; one for an event nobody watches is ignored."""
    stats = Stats()
    watchers = watchers_of("rock-1a2b")
    hub = FakeHub(stats)
    edge = VenueFeed(watchers, hub, stats, wake=lambda: None)
    rock = watchers.open("rock-1a2b", 0.0)
    fan, compact_fan, seed_fan = object(), object(), object()
    watchers.join(rock, cast(Any, fan), compact=False)
    watchers.join(rock, cast(Any, compact_fan), compact=True)
    watchers.join(watchers.default, cast(Any, seed_fan), compact=False)
    edge.on_nats_message("events.rock-1a2b.booked", booked(event_id="rock-1a2b"))
    edge.on_nats_message("events.jazz-9f9f.booked", booked(event_id="jazz-9f9f"))
    assert [recipients for _, recipients in hub.sent] == [{fan, compact_fan}]
    assert orjson.loads(hub.sent[0][0])["data"]["event_id"] == "rock-1a2b"
    assert (rock.mirror.version, watchers.default.mirror.version) == (11, 10)
    edge.on_nats_message("seats.booked", booked(event_id="main"))
    assert hub.sent[-1][1] == {seed_fan}
    assert watchers.default.mirror.version == 11


def test_feed_drops_a_change_whose_event_id_is_not_the_subjects() -> None:
    """A payload naming another event than its subject is dropped and resyncs the subject's."""
    edge, mirror, stats = feed("rock-1a2b")
    edge.on_nats_message("seats.booked", booked(event_id="rock-1a2b"))
    assert mirror.version == 10
    assert stats.invalid_changes == 1
    assert mirror.resync_due(0.0)


def test_feed_heartbeat_goes_to_its_events_mirror_only() -> None:
    """events.<id>.heartbeat feeds that event's mirror; a payload naming another is ignored."""
    stats = Stats()
    watchers = watchers_of("rock-1a2b")
    edge = VenueFeed(watchers, FakeHub(stats), stats, wake=lambda: None)
    rock = watchers.open("rock-1a2b", 0.0).mirror
    ahead = orjson.dumps({"version": 12, "event_id": "rock-1a2b"})
    edge.on_nats_message(
        "events.rock-1a2b.heartbeat", orjson.dumps({"version": 12, "event_id": "main"})
    )
    later = time.monotonic() + 1.0
    assert not rock.resync_due(later)
    edge.on_nats_message("events.rock-1a2b.heartbeat", ahead)
    assert rock.resync_due(later + 1.0)
    assert not watchers.default.mirror.resync_due(later + 1.0)


def held(version: int, seat_id: str = "A2") -> bytes:
    seat = {"id": seat_id, "row": 0, "col": int(seat_id[1:]) - 1, "status": 1}
    change = {"event_type": "held", "seat_id": seat_id, "user_id": "u1", "status": 1}
    return orjson.dumps({**change, "version": version, "seat": seat})


async def test_feed_sends_a_burst_per_tick_as_each_watcher_takes_changes() -> None:
    """The first change goes at once; the ones right after wait for the tick, which a
    flush (as before a VENUE_STATE) sends: seed watchers get one SEAT_UPDATE per change,
    batched ones one SEAT_UPDATES, in version order."""
    stats = Stats()
    hub = FakeHub(stats)
    watchers = watchers_of()
    seed, batched = cast(Any, object()), cast(Any, object())
    watchers.join(watchers.default, seed, compact=False)
    watchers.join(watchers.default, batched, compact=True, batch=True)
    edge = VenueFeed(watchers, hub, stats, wake=lambda: None)
    edge.on_nats_message("seats.held", held(11))
    edge.on_nats_message("seats.held", held(12, "A3"))
    edge.on_nats_message("seats.held", held(13, "A1"))
    assert watchers.default.timer is not None
    watchers.default.flush(hub)
    assert watchers.default.timer is None
    sent = [(orjson.loads(frame), to) for frame, to in hub.sent]
    assert [(frame["type"], frame["data"].get("version"), to) for frame, to in sent] == [
        ("SEAT_UPDATE", 11, {seed}),
        ("SEAT_UPDATES", 11, {batched}),
        ("SEAT_UPDATE", 12, {seed}),
        ("SEAT_UPDATE", 13, {seed}),
        ("SEAT_UPDATES", 13, {batched}),
    ]
    assert [update["version"] for update in sent[-1][0]["data"]["updates"]] == [12, 13]
    assert watchers.default.mirror.version == 13


async def test_feed_sends_a_waiting_tick_when_its_window_ends() -> None:
    """Changes held back by the window go out on their own once it has passed."""
    stats = Stats()
    hub = FakeHub(stats)
    watchers = watchers_of()
    fan = cast(Any, object())
    watchers.join(watchers.default, fan, compact=False, batch=True)
    edge = VenueFeed(watchers, hub, stats, wake=lambda: None)
    edge.on_nats_message("seats.held", held(11))
    edge.on_nats_message("seats.held", held(12, "A3"))
    assert len(hub.sent) == 1
    await asyncio.sleep(0.05)
    assert [orjson.loads(frame)["data"]["version"] for frame, _ in hub.sent] == [11, 12]
