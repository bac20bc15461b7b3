"""Watchers: one mirror per watched event, watcher sets, and dropping unwatched events."""

from __future__ import annotations

from typing import Any, cast

from edge_server.mirror import VenueMirror
from edge_server.watchers import Watchers


def watchers(linger: float = 10.0) -> Watchers:
    return Watchers(default_event="main", linger=linger, make_mirror=VenueMirror)


def client() -> Any:
    return cast(Any, object())


def test_watchers_keep_one_mirror_per_event() -> None:
    """Opening an event twice gives the same event and mirror, named by its id."""
    registry = watchers()
    first = registry.open("rock-1a2b", 0.0)
    assert registry.open("rock-1a2b", 1.0) is first
    assert first.mirror.event_id == "rock-1a2b"
    assert registry.get("jazz-0000") is None
    assert registry.default.mirror.event_id == "main"


def test_watchers_join_moves_a_connection_between_full_and_compact() -> None:
    """A connection is a full or a compact watcher of its event, never both."""
    registry = watchers()
    event = registry.open("rock-1a2b", 0.0)
    fan = client()
    registry.join(event, fan, compact=True)
    registry.join(event, fan, compact=False)
    assert (event.full, event.compact) == ({fan}, set())
    registry.join(event, client(), compact=True)
    assert registry.counts() == {"main": 0, "rock-1a2b": 2}


def test_watchers_drop_an_event_linger_seconds_after_its_last_watcher_left() -> None:
    """An unwatched event is dropped once it has lingered; a watched one and the default
    event never are."""
    registry = watchers(linger=10.0)
    rock = registry.open("rock-1a2b", 0.0)
    jazz = registry.open("jazz-0000", 0.0)
    fan = client()
    registry.join(rock, fan, compact=False)
    registry.join(jazz, client(), compact=False)
    registry.leave(rock, fan, 5.0)
    assert registry.sweep(14.9) == []
    assert registry.sweep(15.0) == ["rock-1a2b"]
    assert registry.get("rock-1a2b") is None
    assert registry.sweep(1000.0) == []
    assert registry.counts() == {"main": 0, "jazz-0000": 1}


def test_watchers_coming_back_within_linger_keeps_the_mirror() -> None:
    """A watcher who returns before the event is dropped finds the same mirror."""
    registry = watchers(linger=10.0)
    rock = registry.open("rock-1a2b", 0.0)
    fan = client()
    registry.join(rock, fan, compact=False)
    registry.leave(rock, fan, 1.0)
    assert registry.open("rock-1a2b", 9.0) is rock
    registry.join(rock, fan, compact=False)
    assert registry.sweep(100.0) == []


def test_watchers_join_after_a_drop_joins_the_registered_event() -> None:
    """Joining an event dropped meanwhile registers it again, so its changes still arrive."""
    registry = watchers(linger=0.0)
    rock = registry.open("rock-1a2b", 0.0)
    assert registry.sweep(1.0) == ["rock-1a2b"]
    joined = registry.join(rock, client(), compact=False)
    assert registry.get("rock-1a2b") is joined


def test_watchers_discard_forgets_only_an_unwatched_event() -> None:
    """discard drops an event nobody watches, never the default or a watched one."""
    registry = watchers()
    gone = registry.open("gone-0000", 0.0)
    registry.discard(gone)
    assert registry.get("gone-0000") is None
    registry.discard(registry.default)
    assert registry.get("main") is registry.default
    rock = registry.open("rock-1a2b", 0.0)
    registry.join(rock, client(), compact=False)
    registry.discard(rock)
    assert registry.get("rock-1a2b") is rock


class _RecordingHub:
    """Stands in for the hub: notes what each broadcast sent, in order."""

    def __init__(self, log: list[str]) -> None:
        self._log = log

    def broadcast(self, frame: bytes, *groups: Any) -> None:
        self._log.append("broadcast")

    def broadcast_frames(self, frames: list[bytes], *groups: Any) -> None:
        self._log.append("broadcast")


def test_watchers_report_commit_times_once_the_tick_is_written() -> None:
    """``on_sent`` hears the commit times of a tick's changes after its frames were
    broadcast, once per tick; an empty tick reports nothing."""
    log: list[str] = []
    registry = Watchers(
        default_event="main",
        linger=10.0,
        make_mirror=VenueMirror,
        on_sent=lambda committed: log.append(f"sent {committed}"),
    )
    event = registry.default
    registry.join(event, client(), compact=False, batch=True)
    event.tick.add([b'{"version": 1}'], 1, 0.0, committed=[1700.5])
    hub = cast(Any, _RecordingHub(log))
    event.flush(hub)
    event.flush(hub)
    assert log == ["broadcast", "sent [1700.5]"]
