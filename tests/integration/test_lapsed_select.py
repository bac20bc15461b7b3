"""A select that finds a lapsed hold no sweep has reached releases it, then takes it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from booking_service import app as booking_app
from booking_service.changes import ChangePublisher
from booking_service.sweeper import Stores, run_sweeper
from tests.changes import ChangeCollector
from tests.seat_api import assert_error, seat_call, seats_by_id, venue_version

HOLD = 0.3


class Gate:
    """Holds the in-process sweeper back until ``open()``."""

    def __init__(self) -> None:
        self._open = asyncio.Event()

    def open(self) -> None:
        self._open.set()

    async def sweeper(self, stores: Stores, publisher: ChangePublisher) -> None:
        await self._open.wait()
        await run_sweeper(stores, publisher)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Gate:
    """The booking service's sweeper, started only when the test opens the gate."""
    held_back = Gate()
    monkeypatch.setattr(booking_app, "run_sweeper", held_back.sweeper)
    return held_back


@asynccontextmanager
async def _lapsed(
    make_client: Callable[..., Any], seat_id: str, **settings: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, int]]:
    """A service whose sweeper is held back, with ``u1``'s hold on ``seat_id`` lapsed."""
    async with make_client(hold_seconds=HOLD, **settings) as api:
        held = await seat_call(api, "select", seat_id, user_id="u1")
        assert held.status_code == 200
        deadline = held.json()["seat"]["expires_at_ms"] / 1000
        # Redis shares this machine's clock: the hold has lapsed once it is past.
        await asyncio.sleep(max(0.0, deadline - time.time() + 0.05))
        yield api, held.json()["version"]


async def test_lapsed_select_announces_the_lapse_then_the_hold(
    make_client: Callable[..., Any], changes: ChangeCollector, gate: Gate
) -> None:
    """The select publishes auto_released (v) then held (v + 1); the sweeper never repeats it."""
    async with _lapsed(make_client, "A1") as (api, held_at):
        taken = await seat_call(api, "select", "A1", user_id="u2")
        assert taken.status_code == 200
        assert taken.json()["version"] == held_at + 2
        assert taken.json()["seat"]["held_by"] == "u2"
        await changes.wait_for_versions(held_at, held_at + 2)
        assert [(e["event_type"], e["user_id"], e["version"]) for e in changes.changes] == [
            ("held", "u1", held_at),
            ("auto_released", "u1", held_at + 1),
            ("held", "u2", held_at + 2),
        ]
        assert changes.changes[1]["seat"] == {
            "id": "A1",
            "row": 0,
            "col": 0,
            "status": 0,
            "category": "Standard",
        }
        gate.open()
        # The sweeper now releases u2's hold: proof it ran past u1's lapse.
        await changes.wait_for(lambda c: len(c.of_type("auto_released", "A1")) == 2, within=3)
        await changes.wait_for_beat_after(time.time())
        lapses = [r.payload["user_id"] for r in changes.of_type("auto_released", "A1")]
        assert lapses == ["u1", "u2"]
        assert await venue_version(api) == held_at + 3


async def test_lapsed_select_by_the_same_owner_without_cooldown(
    make_client: Callable[..., Any], changes: ChangeCollector, gate: Gate
) -> None:
    """With no cooldown the former holder re-takes its lapsed seat: one lapse, one new hold."""
    async with _lapsed(make_client, "B1", rehold_cooldown_seconds=0) as (api, held_at):
        assert (await seat_call(api, "select", "B1", user_id="u1")).status_code == 200
        await changes.wait_for_versions(held_at, held_at + 2)
        assert [e["event_type"] for e in changes.changes] == ["held", "auto_released", "held"]


async def test_lapsed_select_refused_changes_nothing(
    make_client: Callable[..., Any], changes: ChangeCollector, gate: Gate
) -> None:
    """A refused select of a lapsed seat leaves it to the sweeper, which announces it once."""
    async with _lapsed(make_client, "C1", rehold_cooldown_seconds=5) as (api, held_at):
        assert "lapsed" in assert_error(await seat_call(api, "select", "C1", user_id="u1"), 409)
        assert await venue_version(api) == held_at
        assert (await seats_by_id(api))["C1"]["held_by"] == "u1"
        gate.open()
        await changes.wait_for(lambda c: bool(c.of_type("auto_released", "C1")), within=3)
        await changes.wait_for_beat_after(time.time())
        assert [e["event_type"] for e in changes.changes] == ["held", "auto_released"]
        assert_error(await seat_call(api, "select", "C1", user_id="u1"), 409)
        assert (await seat_call(api, "select", "C1", user_id="u2")).status_code == 200
