"""LiveBoard's push task: every change reaches the watchers, even one made while a
frame is being counted."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, cast

from booking_service.dashboard.board import Dashboard
from booking_service.dashboard.live import MIN_GAP, LiveBoard, LiveSession
from booking_service.events.registry import Event, EventRegistry

EVENT = cast(Event, SimpleNamespace(id="e1"))


class FakeFeed:
    def __init__(self) -> None:
        self.on_change: Any = None
        self.on_listening: Any = None
        self.census = SimpleNamespace(connected=lambda event_id: {"people": 0})

    def watched(self, count: int) -> None:
        pass


class FakeDashboard:
    """Counts frames; a count waits for ``gate`` when one is set, as a Redis read would."""

    def __init__(self) -> None:
        self.feed = FakeFeed()
        self.counted = 0
        self.gate: asyncio.Event | None = None
        self.counting = asyncio.Event()

    async def data(self, event: Event) -> dict[str, Any]:
        self.counted += 1
        self.counting.set()
        if self.gate is not None:
            await self.gate.wait()
        return {"connected": {"people": 0}, "count": self.counted}


class FakeEvents:
    async def get(self, event_id: str) -> Event:
        return EVENT


class FakeSession:
    def __init__(self) -> None:
        self.event_id: str | None = None
        self.frames: list[bytes] = []
        self.arrived = asyncio.Event()

    def offer(self, event_id: str, frame: bytes) -> None:
        self.frames.append(frame)
        self.arrived.set()

    async def next_frame(self) -> bytes:
        await asyncio.wait_for(self.arrived.wait(), 1 + 4 * MIN_GAP)
        self.arrived.clear()
        return self.frames[-1]


async def test_live_board_pushes_a_change_made_while_a_frame_is_counted() -> None:
    """A change that arrives while the frame for an earlier one reads Redis is pushed in a
    frame of its own afterwards, not lost until some later change."""
    dashboard = FakeDashboard()
    board = LiveBoard(cast(EventRegistry, FakeEvents()), cast(Dashboard, dashboard))
    session = FakeSession()
    try:
        board.watch(cast(LiveSession, session), EVENT)
        assert b'"count":1' in await session.next_frame()
        dashboard.gate, dashboard.counting = asyncio.Event(), asyncio.Event()
        board.changed(EVENT.id)
        await asyncio.wait_for(dashboard.counting.wait(), 1 + 4 * MIN_GAP)
        board.changed(EVENT.id)
        dashboard.gate.set()
        assert b'"count":2' in await session.next_frame()
        assert b'"count":3' in await session.next_frame()
    finally:
        await board.close()
