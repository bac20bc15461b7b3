"""VenueFeed's NATS side: changes are checked before use, heartbeats are read in full."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from edge_server.feed import MAX_CHANGE_BYTES, VenueFeed, read_heartbeat
from edge_server.hub import Hub
from edge_server.mirror import VenueMirror
from edge_server.stats import Stats
from shared.venue_digest import digest_of

SEATS = [{"id": f"A{col + 1}", "row": 0, "col": col, "status": 0} for col in range(3)]


async def no_snapshot() -> dict[str, Any]:
    raise AssertionError("not fetched in these tests")


def feed() -> tuple[VenueFeed, VenueMirror, Stats]:
    stats = Stats()
    mirror = VenueMirror()
    mirror.apply_snapshot({"version": 10, "seats": SEATS}, now=0.0)
    hub = Hub(stats, slow_client_bytes=1 << 20, close_timeout=1.0)
    return (
        VenueFeed(mirror, hub, stats, fetch_snapshot=no_snapshot, poll_interval=1.0),
        mirror,
        stats,
    )


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
    assert read_heartbeat(orjson.dumps({"version": 4, "digest": digest, "interval": 2})) == (
        4,
        digest,
        2.0,
    )
    assert read_heartbeat(orjson.dumps({"version": 4})) == (4, None, None)
    assert read_heartbeat(orjson.dumps({"version": 4, "digest": "XYZ", "interval": "1"})) == (
        4,
        None,
        None,
    )
    assert read_heartbeat(orjson.dumps({"version": True})) is None
    assert read_heartbeat(b"[]") is None
