"""VenueMirror: version ordering, gap and reset detection, snapshots — no sockets, fake time."""

from __future__ import annotations

from typing import Any

import orjson

from edge_server.mirror import VenueMirror, seat_update_frame

SEAT_IDS = ["A1", "A2", "A3"]


def seat(seat_id: str, status: int = 0) -> dict[str, Any]:
    return {"id": seat_id, "row": 0, "col": SEAT_IDS.index(seat_id), "status": status}


def snapshot(version: int, **statuses: int) -> dict[str, Any]:
    seats = [seat(seat_id, statuses.get(seat_id, 0)) for seat_id in SEAT_IDS]
    return {"venue_id": "main", "version": version, "rows": 1, "cols": 3, "seats": seats}


def event(version: int, seat_id: str = "A1", status: int = 1) -> tuple[dict[str, Any], bytes]:
    payload = {
        "event_type": "held",
        "seat_id": seat_id,
        "version": version,
        "seat": seat(seat_id, status),
    }
    return payload, seat_update_frame(orjson.dumps(payload))


def versions(frames: list[bytes]) -> list[int]:
    return [orjson.loads(frame)["data"]["version"] for frame in frames]


def loaded(version: int = 10) -> VenueMirror:
    mirror = VenueMirror(gap_timeout=0.2, reset_timeout=1.0, heartbeat_silence=1.5)
    mirror.start_resync()
    mirror.apply_snapshot(snapshot(version), now=0.0)
    return mirror


def test_mirror_wants_a_snapshot_before_anything_else() -> None:
    """A new mirror has no version or state and asks for a snapshot at once."""
    mirror = VenueMirror()
    assert mirror.version is None
    assert mirror.venue_state() is None
    assert mirror.resync_due(0.0)


def test_mirror_first_snapshot_yields_venue_state() -> None:
    """The first snapshot becomes one VENUE_STATE frame carrying its version and layout."""
    mirror = VenueMirror()
    frames = mirror.apply_snapshot(snapshot(7, A2=2), now=0.0)
    state = orjson.loads(frames[0])
    assert state["type"] == "VENUE_STATE"
    assert state["data"]["version"] == 7
    assert (state["data"]["rows"], state["data"]["cols"]) == (1, 3)
    assert [s["status"] for s in state["data"]["seats"]] == [0, 2, 0]
    assert not mirror.resync_due(0.0)


def test_mirror_emits_in_order_events_immediately() -> None:
    """The next version is applied and handed out at once, embedding the event as published."""
    mirror = loaded(10)
    payload, frame = event(11)
    assert mirror.on_event(payload, frame, now=1.0) == [frame]
    assert orjson.loads(frame) == {"type": "SEAT_UPDATE", "data": payload}
    assert mirror.version == 11
    assert mirror.seats()[0]["status"] == 1


def test_mirror_reorders_early_events() -> None:
    """Versions 13, 12, 11 arriving in that order come out as 11, 12, 13."""
    mirror = loaded(10)
    assert mirror.on_event(*event(13, "A3"), now=1.0) == []
    assert mirror.on_event(*event(12, "A2"), now=1.01) == []
    assert versions(mirror.on_event(*event(11), now=1.02)) == [11, 12, 13]
    assert mirror.version == 13
    assert not mirror.resync_due(5.0)


def test_mirror_drops_duplicate_and_old_events() -> None:
    """An event at or below the mirror's version is ignored."""
    mirror = loaded(10)
    mirror.on_event(*event(11), now=1.0)
    assert mirror.on_event(*event(11), now=1.1) == []
    assert mirror.on_event(*event(9), now=1.2) == []
    assert mirror.version == 11


def test_mirror_gap_older_than_timeout_requests_a_snapshot() -> None:
    """A missing version is waited for gap_timeout, then a snapshot is due."""
    mirror = loaded(10)
    mirror.on_event(*event(12), now=1.0)
    assert not mirror.resync_due(1.1)
    assert mirror.resync_due(1.21)


def test_mirror_snapshot_fills_a_gap_and_drains_newer_events() -> None:
    """A snapshot past the gap yields VENUE_STATE, then the buffered events after it."""
    mirror = loaded(10)
    mirror.on_event(*event(12, "A2"), now=1.0)
    mirror.on_event(*event(13, "A3"), now=1.0)
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
    """A heartbeat naming an unseen version means a lost event, unless it shows up in time."""
    mirror = loaded(10)
    mirror.on_heartbeat(11, now=1.0)
    mirror.on_event(*event(11), now=1.1)
    assert not mirror.resync_due(2.0)
    mirror.on_heartbeat(12, now=2.0)
    assert not mirror.resync_due(2.1)
    assert mirror.resync_due(2.25)


def test_mirror_ignores_a_snapshot_older_than_its_events() -> None:
    """A snapshot that events overtook during the fetch changes nothing."""
    mirror = loaded(10)
    mirror.request_resync()
    mirror.start_resync()
    mirror.on_event(*event(11), now=1.0)
    mirror.on_event(*event(12), now=1.0)
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
    assert versions(mirror.on_event(*event(4), now=2.1)) == [4]


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
    """Events that arrive before the first snapshot are applied after it if newer."""
    mirror = VenueMirror()
    mirror.on_event(*event(5), now=0.0)
    mirror.on_event(*event(6, "A2"), now=0.0)
    frames = mirror.apply_snapshot(snapshot(5, A1=1), now=0.1)
    assert versions(frames) == [5, 6]
    assert mirror.version == 6


def test_mirror_full_reorder_buffer_requests_a_snapshot() -> None:
    """Too many early events empty the buffer and ask for a snapshot instead."""
    mirror = VenueMirror(max_pending=4)
    mirror.apply_snapshot(snapshot(0), now=0.0)
    for version in range(2, 7):
        mirror.on_event(*event(version), now=0.0)
    assert mirror.resync_due(0.0)


def test_mirror_venue_state_is_serialised_once_per_version() -> None:
    """Asking twice at one version returns the same bytes; a new version makes new ones."""
    mirror = loaded(10)
    first = mirror.venue_state()
    assert first is not None
    assert mirror.venue_state() is first
    mirror.on_event(*event(11), now=1.0)
    second = mirror.venue_state()
    assert second is not first
    assert second is not None
    assert orjson.loads(second)["data"]["version"] == 11
