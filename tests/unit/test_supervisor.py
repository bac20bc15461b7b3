"""Background loops survive any exception, and a loop that ends anyway is restarted."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, cast

import pytest

from booking_service.changes import ChangePublisher, run_heartbeat
from booking_service.errors import StoreUnavailable
from booking_service.seats import Change, SeatStore, Sweep, VenueState
from booking_service.supervisor import FailureStreak, Supervisor
from booking_service.sweeper import run_sweeper
from shared.constants import ChangeType

WITHIN = 5.0


class Script:
    """Plays back results (exceptions are raised) one per call, then blocks forever."""

    def __init__(self, *results: Any) -> None:
        self.results = list(results)
        self.calls = 0
        self.exhausted = asyncio.Event()

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if not self.results:
            self.exhausted.set()
            await asyncio.Event().wait()
        result = self.results.pop(0)
        if isinstance(result, BaseException):
            raise result
        return result


class FakePublisher:
    """Records what the loops publish."""

    connected = True

    def __init__(self) -> None:
        self.changes: list[Change] = []
        self.beats: list[VenueState] = []

    async def publish_change(self, change: Change) -> None:
        self.changes.append(change)

    async def publish_heartbeat(
        self, event_id: str, state: VenueState, *, interval: float, now_ms: int
    ) -> None:
        self.beats.append(state)


class FakeStore:
    event_id = "main"

    def __init__(self, **methods: Script) -> None:
        for name, method in methods.items():
            setattr(self, name, method)


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _change() -> Change:
    return Change("main", ChangeType.AUTO_RELEASED, "A1", "u1", 2, b'{"id":"A1"}', 1000)


async def test_supervisor_restarts_a_loop_that_raised_and_counts_it() -> None:
    """A loop that raises is run again, each restart counted by its name."""
    loop = Script(RuntimeError("bug"), RuntimeError("bug again"))
    supervisor = Supervisor()
    supervisor.start("sweeper", loop)
    await asyncio.wait_for(loop.exhausted.wait(), WITHIN)
    assert supervisor.restarts == {"sweeper": 2}
    await supervisor.close()


async def test_supervisor_restarts_a_loop_that_returned() -> None:
    """A loop that returns instead of running forever is restarted too."""
    loop = Script(None)
    supervisor = Supervisor()
    supervisor.start("heartbeat", loop)
    await asyncio.wait_for(loop.exhausted.wait(), WITHIN)
    assert supervisor.restarts == {"heartbeat": 1}
    assert loop.calls == 2
    await supervisor.close()


async def test_supervisor_close_cancels_every_task() -> None:
    """close() ends the supervised tasks for good: they are not restarted."""
    first, second = Script(), Script()
    supervisor = Supervisor()
    supervisor.start("a", first)
    supervisor.start("b", second)
    await asyncio.wait_for(first.exhausted.wait(), WITHIN)
    await asyncio.wait_for(second.exhausted.wait(), WITHIN)
    await supervisor.close()
    assert supervisor.restarts == {"a": 0, "b": 0}
    assert (first.calls, second.calls) == (1, 1)


def test_failure_streak_pauses_double_up_to_the_limit_and_reset() -> None:
    """Consecutive failures pause first, 2x, 4x … capped at the limit; a success resets."""
    streak = FailureStreak("sweep", first=0.1, limit=0.5)
    assert [streak.failed(RuntimeError("x")) for _ in range(5)] == pytest.approx(
        [0.1, 0.2, 0.4, 0.5, 0.5]
    )
    streak.succeeded()
    assert streak.failed(StoreUnavailable("down")) == pytest.approx(0.1)


async def test_sweeper_survives_any_exception() -> None:
    """A bug, a lost script and an unavailable store each only delay the next sweep."""
    released = Sweep(1000, None, [_change()])
    expire_due = Script(
        RuntimeError("bug"), KeyError("lost script"), StoreUnavailable("down"), released
    )
    publisher = FakePublisher()
    store = cast(SeatStore, FakeStore(expire_due=expire_due))
    task = asyncio.create_task(run_sweeper(lambda: [store], cast(ChangePublisher, publisher)))
    try:
        await asyncio.wait_for(expire_due.exhausted.wait(), WITHIN)
        assert [change.seat_id for change in publisher.changes] == ["A1"]
        assert not task.done()
    finally:
        await _cancel(task)


async def test_heartbeat_survives_any_exception() -> None:
    """A beat that fails is skipped and the next one is published."""
    state = VenueState(7, "0" * 16)
    version = Script(RuntimeError("bug"), StoreUnavailable("down"), state)
    publisher = FakePublisher()
    store = cast(SeatStore, FakeStore(state=version))
    task = asyncio.create_task(
        run_heartbeat(lambda: [store], cast(ChangePublisher, publisher), interval=0.01)
    )
    try:
        await asyncio.wait_for(version.exhausted.wait(), WITHIN)
        assert publisher.beats == [state]
        assert not task.done()
    finally:
        await _cancel(task)


class OtherStore(FakeStore):
    event_id = "other"


async def test_sweeper_sweeps_the_other_events_while_one_fails() -> None:
    """An event whose store is unavailable (its shard failing over) holds up no other."""
    down = Script(*[StoreUnavailable("down")] * 3)
    released = Script(Sweep(1000, None, [_change()]))
    publisher = FakePublisher()
    stores = [
        cast(SeatStore, FakeStore(expire_due=down)),
        cast(SeatStore, OtherStore(expire_due=released)),
    ]
    task = asyncio.create_task(run_sweeper(lambda: stores, cast(ChangePublisher, publisher)))
    try:
        await asyncio.wait_for(released.exhausted.wait(), WITHIN)
        assert [change.seat_id for change in publisher.changes] == ["A1"]
        assert down.calls >= 1
    finally:
        await _cancel(task)


async def test_heartbeat_beats_for_the_other_events_while_one_fails() -> None:
    """A store that cannot be read skips its own beat only."""
    state = VenueState(7, "0" * 16)
    down = Script(*[StoreUnavailable("down")] * 3)
    version = Script(state)
    publisher = FakePublisher()
    stores = [cast(SeatStore, FakeStore(state=down)), cast(SeatStore, OtherStore(state=version))]
    task = asyncio.create_task(
        run_heartbeat(lambda: stores, cast(ChangePublisher, publisher), interval=0.01)
    )
    try:
        await asyncio.wait_for(version.exhausted.wait(), WITHIN)
        assert publisher.beats == [state]
    finally:
        await _cancel(task)
