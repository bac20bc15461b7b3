"""VenueMirror: version ordering, gap and reset detection, snapshots, change checks and the
venue digest — no sockets, fake time."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from edge_server.mirror import VenueMirror, seat_update_frame
from shared.venue_digest import digest_of

SEAT_IDS = ["A1", "A2", "A3"]


def seat(seat_id: str, status: int = 0) -> dict[str, Any]:
    return {"id": seat_id, "row": 0, "col": SEAT_IDS.index(seat_id), "status": status}


def snapshot(version: int, **statuses: int) -> dict[str, Any]:
    seats = [seat(seat_id, statuses.get(seat_id, 0)) for seat_id in SEAT_IDS]
    return {"venue_id": "main", "version": version, "rows": 1, "cols": 3, "seats": seats}


def change(version: int, seat_id: str = "A1", status: int = 1) -> tuple[dict[str, Any], bytes]:
    payload = {
        "event_type": {0: "released", 1: "held", 2: "booked"}[status],
        "seat_id": seat_id,
        "status": status,
        "version": version,
        "seat": seat(seat_id, status),
    }
    return payload, seat_update_frame(orjson.dumps(payload))


def versions(frames: list[bytes]) -> list[int]:
    return [orjson.loads(frame)["data"]["version"] for frame in frames]


def loaded(version: int = 10) -> VenueMirror:
    mirror = VenueMirror("main", gap_timeout=0.2, reset_timeout=1.0, heartbeat_silence=1.5)
    mirror.start_resync()
    mirror.apply_snapshot(snapshot(version), now=0.0)
    return mirror


def test_mirror_wants_a_snapshot_before_anything_else() -> None:
    """A new mirror has no version or state and asks for a snapshot at once."""
    mirror = VenueMirror("main")
    assert mirror.version is None
    assert mirror.venue_state() is None
    assert mirror.resync_due(0.0)


def test_mirror_first_snapshot_yields_venue_state() -> None:
    """The first snapshot becomes one VENUE_STATE frame carrying its version and layout."""
    mirror = VenueMirror("main")
    frames = mirror.apply_snapshot(snapshot(7, A2=2), now=0.0)
    state = orjson.loads(frames[0])
    assert state["type"] == "VENUE_STATE"
    assert state["data"]["version"] == 7
    assert (state["data"]["rows"], state["data"]["cols"]) == (1, 3)
    assert [s["status"] for s in state["data"]["seats"]] == [0, 2, 0]
    assert not mirror.resync_due(0.0)


def test_mirror_emits_in_order_events_immediately() -> None:
    """The next version is applied and handed out at once, embedding the change as published."""
    mirror = loaded(10)
    payload, frame = change(11)
    assert mirror.on_change(payload, frame, now=1.0) == [frame]
    assert orjson.loads(frame) == {"type": "SEAT_UPDATE", "data": payload}
    assert mirror.version == 11
    assert mirror.seats()[0]["status"] == 1


def test_mirror_reorders_early_events() -> None:
    """Versions 13, 12, 11 arriving in that order come out as 11, 12, 13."""
    mirror = loaded(10)
    assert mirror.on_change(*change(13, "A3"), now=1.0) == []
    assert mirror.on_change(*change(12, "A2"), now=1.01) == []
    assert versions(mirror.on_change(*change(11), now=1.02)) == [11, 12, 13]
    assert mirror.version == 13
    assert not mirror.resync_due(5.0)


def test_mirror_drops_duplicate_and_old_events() -> None:
    """A change at or below the mirror's version is ignored."""
    mirror = loaded(10)
    mirror.on_change(*change(11), now=1.0)
    assert mirror.on_change(*change(11), now=1.1) == []
    assert mirror.on_change(*change(9), now=1.2) == []
    assert mirror.version == 11


def test_mirror_gap_older_than_timeout_requests_a_snapshot() -> None:
    """A missing version is waited for gap_timeout, then a snapshot is due."""
    mirror = loaded(10)
    mirror.on_change(*change(12), now=1.0)
    assert not mirror.resync_due(1.1)
    assert mirror.resync_due(1.21)


def test_mirror_snapshot_fills_a_gap_and_drains_newer_events() -> None:
    """A snapshot past the gap yields VENUE_STATE, then the buffered changes after it."""
    mirror = loaded(10)
    mirror.on_change(*change(12, "A2"), now=1.0)
    mirror.on_change(*change(13, "A3"), now=1.0)
    mirror.start_resync()
    frames = mirror.apply_snapshot(snapshot(12, A1=1, A2=1), now=1.3)
    assert [orjson.loads(f)["type"] for f in frames] == ["VENUE_STATE", "SEAT_UPDATE"]
    assert versions(frames) == [12, 13]
    assert mirror.version == 13
    assert [s["status"] for s in mirror.seats()] == [1, 1, 1]
    assert not mirror.resync_due(2.0)


def test_mirror_identical_snapshot_sends_nothing() -> None:
    """A snapshot equal to the mirror (seats and version) produces no frame."""
    mirror = loaded(10)
    mirror.request_resync()
    assert mirror.resync_due(1.0)
    mirror.start_resync()
    assert mirror.apply_snapshot(snapshot(10), now=1.0) == []
    assert not mirror.resync_due(1.0)


def test_mirror_heartbeat_ahead_requests_a_snapshot_unless_the_event_comes() -> None:
    """A heartbeat naming an unseen version means a lost change, unless it shows up in time."""
    mirror = loaded(10)
    mirror.on_heartbeat(11, now=1.0)
    mirror.on_change(*change(11), now=1.1)
    assert not mirror.resync_due(2.0)
    mirror.on_heartbeat(12, now=2.0)
    assert not mirror.resync_due(2.1)
    assert mirror.resync_due(2.25)


def test_mirror_ignores_a_snapshot_older_than_its_events() -> None:
    """A snapshot that changes overtook during the fetch changes nothing."""
    mirror = loaded(10)
    mirror.request_resync()
    mirror.start_resync()
    mirror.on_change(*change(11), now=1.0)
    mirror.on_change(*change(12), now=1.0)
    assert mirror.apply_snapshot(snapshot(11, A1=1), now=1.1) == []
    assert mirror.version == 12


def test_mirror_accepts_a_reset_venue_after_heartbeats_go_backwards() -> None:
    """Heartbeats behind the mirror for reset_timeout mean a reset: the lower snapshot wins."""
    mirror = loaded(50)
    mirror.on_heartbeat(3, now=1.0)
    assert not mirror.resync_due(1.5)
    mirror.on_heartbeat(3, now=1.5)
    assert mirror.resync_due(2.0)
    mirror.start_resync()
    frames = mirror.apply_snapshot(snapshot(3), now=2.0)
    assert versions(frames) == [3]
    assert mirror.version == 3
    assert versions(mirror.on_change(*change(4), now=2.1)) == [4]


def test_mirror_stale_heartbeat_alone_is_no_reset() -> None:
    """One heartbeat behind, followed by a current one, does not count as a reset."""
    mirror = loaded(10)
    mirror.on_heartbeat(9, now=1.0)
    mirror.on_heartbeat(10, now=1.5)
    assert not mirror.resync_due(3.0)


def test_mirror_heartbeat_silence_requests_a_snapshot() -> None:
    """Heartbeats resuming after a silence (booking or NATS restart) ask for a snapshot."""
    mirror = loaded(10)
    mirror.on_heartbeat(10, now=1.0)
    mirror.on_heartbeat(10, now=1.5)
    assert not mirror.resync_due(1.5)
    mirror.on_heartbeat(10, now=4.0)
    assert mirror.resync_due(4.0)


def test_mirror_request_made_during_a_fetch_needs_another_snapshot() -> None:
    """A resync requested after the fetch began is still due once the snapshot is applied."""
    mirror = loaded(10)
    mirror.request_resync()
    mirror.start_resync()
    mirror.request_resync()
    mirror.apply_snapshot(snapshot(10), now=1.0)
    assert mirror.resync_due(1.0)


def test_mirror_buffers_events_until_the_first_snapshot() -> None:
    """Changes that arrive before the first snapshot are applied after it if newer."""
    mirror = VenueMirror("main")
    mirror.on_change(*change(5), now=0.0)
    mirror.on_change(*change(6, "A2"), now=0.0)
    frames = mirror.apply_snapshot(snapshot(5, A1=1), now=0.1)
    assert versions(frames) == [5, 6]
    assert mirror.version == 6


def test_mirror_full_reorder_buffer_requests_a_snapshot() -> None:
    """Too many early changes empty the buffer and ask for a snapshot instead."""
    mirror = VenueMirror("main", max_pending=4)
    mirror.apply_snapshot(snapshot(0), now=0.0)
    for version in range(2, 7):
        mirror.on_change(*change(version), now=0.0)
    assert mirror.resync_due(0.0)


def test_mirror_venue_state_is_serialised_once_per_version() -> None:
    """Asking twice at one version returns the same bytes; a new version makes new ones."""
    mirror = loaded(10)
    first = mirror.venue_state()
    assert first is not None
    assert mirror.venue_state() is first
    mirror.on_change(*change(11), now=1.0)
    second = mirror.venue_state()
    assert second is not first
    assert second is not None
    assert orjson.loads(second)["data"]["version"] == 11


def test_mirror_keeps_the_venue_digest_with_every_event() -> None:
    """After a snapshot and any changes, the mirror's digest is the digest of its seats."""
    mirror = loaded(10)
    assert mirror.digest == digest_of(snapshot(10)["seats"])
    mirror.on_change(*change(11, "A1", 1), now=1.0)
    mirror.on_change(*change(12, "A3", 2), now=1.0)
    mirror.on_change(*change(13, "A1", 0), now=1.0)
    assert mirror.digest == digest_of(mirror.seats())
    assert mirror.digest == digest_of(snapshot(13, A3=2)["seats"])


def test_mirror_heartbeat_with_another_digest_at_its_version_requests_a_snapshot() -> None:
    """Same version, different digest: the mirror differs from the store and resyncs."""
    mirror = loaded(10)
    mirror.on_heartbeat(10, now=1.0, digest=mirror.digest)
    assert not mirror.resync_due(1.0)
    mirror.on_heartbeat(10, now=1.5, digest=digest_of(snapshot(10, A2=2)["seats"]))
    assert mirror.resync_due(1.5)
    mirror.start_resync()
    before = mirror.venue_state()
    frames = mirror.apply_snapshot(snapshot(10, A2=2), now=1.6)
    assert versions(frames) == [10]
    assert frames[0] is not before
    assert [s["status"] for s in orjson.loads(frames[0])["data"]["seats"]] == [0, 2, 0]
    assert mirror.seats()[1]["status"] == 2
    mirror.on_heartbeat(10, now=2.0, digest=digest_of(snapshot(10, A2=2)["seats"]))
    assert not mirror.resync_due(2.0)


def test_mirror_heartbeat_digest_at_another_version_is_not_compared() -> None:
    """A digest for a version the mirror is not at says nothing about its seats."""
    mirror = loaded(10)
    mirror.on_heartbeat(9, now=1.0, digest="0123456789abcdef")
    mirror.on_heartbeat(10, now=1.2, digest=None)
    assert not mirror.resync_due(1.2)


def test_mirror_snapshot_without_digest_is_fine() -> None:
    """A snapshot from a booking service that sends no digest is taken as before."""
    mirror = VenueMirror("main")
    mirror.apply_snapshot(snapshot(3), now=0.0)
    assert mirror.digest == digest_of(snapshot(3)["seats"])
    assert not mirror.resync_due(0.0)


def test_mirror_store_digest_that_disagrees_with_its_own_snapshot_does_not_loop() -> None:
    """When the store's digest disagrees with the store's own seats, resyncing once is enough."""
    mirror = loaded(10)
    wrong = "00000000000000ff"
    mirror.on_heartbeat(10, now=1.0, digest=wrong)
    assert mirror.resync_due(1.0)
    mirror.start_resync()
    mirror.apply_snapshot({**snapshot(10), "digest": wrong}, now=1.1)
    mirror.on_heartbeat(10, now=1.5, digest=wrong)
    assert not mirror.resync_due(1.5)


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        ({"seat_id": "Z9", "seat": seat("A1") | {"id": "Z9"}}, "not in the venue"),
        ({"seat": seat("A2", 1)}, "seat.id differs"),
        ({"status": 3, "seat": {**seat("A1"), "status": 3}}, "status is not"),
        ({"status": True}, "status is not"),
        ({"status": 2}, "seat.status differs"),
        ({"event_type": "booked"}, "event_type does not fit"),
        ({"event_type": ["held"]}, "event_type does not fit"),
    ],
)
def test_mirror_finds_the_problem_of_an_invalid_event(
    override: dict[str, Any], problem: str
) -> None:
    """Unknown seat, seat.id or seat.status mismatch, bad status or change type: a problem."""
    mirror = loaded(10)
    payload = {**change(11, "A1", 1)[0], **override}
    found = mirror.change_problem(payload)
    assert found is not None
    assert problem in found


def test_mirror_valid_event_has_no_problem() -> None:
    """A change as the booking service publishes it passes every check."""
    assert loaded(10).change_problem(change(11, "A2", 2)[0]) is None


def test_mirror_event_buffered_before_the_layout_for_an_unknown_seat_is_dropped() -> None:
    """A change held back until the first snapshot that names no seat of it is not applied."""
    mirror = VenueMirror("main")
    payload = {**change(6, "A1")[0], "seat_id": "Z9", "seat": seat("A1") | {"id": "Z9"}}
    mirror.on_change(payload, seat_update_frame(orjson.dumps(payload)), now=0.0)
    mirror.start_resync()
    assert versions(mirror.apply_snapshot(snapshot(5), now=0.1)) == [5]
    assert mirror.version == 5
    assert "Z9" not in {s["id"] for s in mirror.seats()}
    assert mirror.resync_due(0.1)


def test_mirror_heartbeat_interval_sets_the_silence_and_reset_timeouts() -> None:
    """Heartbeats every 2 s make silence 6 s and reset 4 s, instead of 1.5 s and 1 s."""
    mirror = loaded(10)
    assert (mirror.heartbeat_silence, mirror.reset_timeout) == (1.5, 1.0)
    mirror.on_heartbeat(10, now=1.0, interval=2.0)
    assert (mirror.heartbeat_silence, mirror.reset_timeout) == (6.0, 4.0)
    mirror.on_heartbeat(10, now=3.0, interval=2.0)
    mirror.on_heartbeat(10, now=8.0, interval=2.0)
    assert not mirror.resync_due(8.0)
    mirror.on_heartbeat(3, now=10.0, interval=2.0)
    mirror.on_heartbeat(3, now=12.0, interval=2.0)
    assert not mirror.resync_due(13.5)
    assert mirror.resync_due(14.0)


def test_mirror_ignores_a_nonsensical_heartbeat_interval() -> None:
    """An interval that is zero, negative or huge leaves the timeouts as they were."""
    mirror = loaded(10)
    for interval in (0.0, -1.0, 1e9, float("nan")):
        mirror.on_heartbeat(10, now=1.0, interval=interval)
    assert (mirror.heartbeat_silence, mirror.reset_timeout) == (1.5, 1.0)


def test_mirror_venue_state_names_its_event() -> None:
    """The full VENUE_STATE carries the mirror's event id beside every seat."""
    mirror = VenueMirror("rock-1a2b")
    mirror.apply_snapshot(snapshot(3), now=0.0)
    state = mirror.venue_state()
    assert state is not None
    data = orjson.loads(state)["data"]
    assert data["event_id"] == "rock-1a2b"
    assert len(data["seats"]) == 3


def test_mirror_compact_state_lists_only_taken_seats() -> None:
    """The compact VENUE_STATE has held and blocked seats with only their id, status,
    holder, deadline and block, booked seats as bare ids, the version, event id and hold
    time, and no layout; it is serialised once per version like the full one."""
    mirror = VenueMirror("main")
    snap = snapshot(8, A1=1, A3=2)
    snap["hold_seconds"] = 30
    snap["seats"][0].update(held_by="u1", expires_at=99, expires_at_ms=99_000, holder="h1")
    snap["seats"][1].update(category="Standard", blocked=True)
    snap["seats"][2].update(booked_by="u2", booked_at=50, category="Standard")
    mirror.apply_snapshot(snap, now=0.0)
    compact = mirror.compact_state()
    assert compact is not None
    assert mirror.compact_state() is compact
    frame = orjson.loads(compact)
    assert frame["type"] == "VENUE_STATE"
    assert frame["data"] == {
        "event_id": "main",
        "version": 8,
        "compact": True,
        "hold_seconds": 30,
        "seats": [
            {"id": "A1", "status": 1, "holder": "h1", "expires_at": 99},
        ],
        "booked": ["A3"],
        "blocked": ["A2"],
    }
    mirror.on_change(*change(9, "A1", 0), now=0.1)
    newer = orjson.loads(mirror.compact_state() or b"")["data"]
    assert (newer["version"], newer["seats"], newer["booked"], newer["blocked"]) == (
        9,
        [],
        ["A3"],
        ["A2"],
    )


def test_mirror_take_snapshot_says_whether_a_state_is_due() -> None:
    """take_snapshot reports a changed venue and leaves buffered changes for drain, so the
    state can be read at the snapshot's version first."""
    mirror = loaded(10)
    pending = change(12)
    mirror.on_change(*pending, now=0.0)
    assert mirror.take_snapshot(snapshot(11), now=0.1) is True
    assert orjson.loads(mirror.compact_state() or b"")["data"]["version"] == 11
    assert mirror.drain(0.1) == [pending[1]]
    assert mirror.take_snapshot(snapshot(12, A1=1), now=0.2) is False
    assert mirror.drain(0.2) == []
