"""Re-hold cooldown: an owner whose hold lapsed waits before taking that seat again."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from tests.changes import ChangeCollector
from tests.seat_api import assert_error, poll_until, seat_call, start_session

HOLD = 0.5


def _wait_of(sentence: str, seat_id: str) -> int:
    """The whole seconds a cooldown refusal names, checking the sentence on the way."""
    match = re.fullmatch(
        rf"You held seat {seat_id} until it lapsed; you can take it again in (\d+) s", sentence
    )
    assert match, sentence
    return int(match.group(1))


async def test_rehold_cooldown_refuses_the_same_owner_only(
    make_client: Callable[..., Any], changes: ChangeCollector
) -> None:
    """After a lapse the same owner is refused; another session of that user id takes it."""
    async with make_client(hold_seconds=HOLD, rehold_cooldown_seconds=5) as api:
        token = await start_session(api, "u1")
        assert (await seat_call(api, "select", "A1", token=token)).status_code == 200
        assert (await seat_call(api, "select", "A2", user_id="u1")).status_code == 200
        await changes.wait_for(lambda c: len(c.of_type("auto_released")) == 2, within=HOLD + 3)
        for who in ({"token": token}, {"user_id": "u1"}):
            seat_id = "A1" if "token" in who else "A2"
            wait = _wait_of(
                assert_error(await seat_call(api, "select", seat_id, **who), 409), seat_id
            )
            assert 1 <= wait <= 5
        other = await start_session(api, "u1")
        assert (await seat_call(api, "select", "A1", token=other)).status_code == 200
        assert (await seat_call(api, "select", "A2", user_id="u2")).status_code == 200
        # The cooldown is for the lapsed seat only.
        assert (await seat_call(api, "select", "A3", token=token)).status_code == 200


async def test_rehold_cooldown_ends_after_its_length(
    make_client: Callable[..., Any], changes: ChangeCollector
) -> None:
    """The owner can take the seat again once REHOLD_COOLDOWN_SECONDS after its deadline."""
    cooldown = 1.0
    async with make_client(hold_seconds=HOLD, rehold_cooldown_seconds=cooldown) as api:
        held = await seat_call(api, "select", "B1", user_id="u1")
        deadline = held.json()["seat"]["expires_at_ms"] / 1000
        await changes.wait_for(lambda c: bool(c.of_type("auto_released", "B1")), within=HOLD + 3)
        refused = await seat_call(api, "select", "B1", user_id="u1")
        assert _wait_of(assert_error(refused, 409), "B1") == 1

        async def taken() -> bool:
            response = await seat_call(api, "select", "B1", user_id="u1")
            return response.status_code == 200

        assert await poll_until(taken, within=cooldown + 2, interval=0.02)
        assert time.time() >= deadline + cooldown
        assert time.time() <= deadline + cooldown + 0.5


async def test_rehold_cooldown_defaults_to_the_hold_length(
    make_client: Callable[..., Any], changes: ChangeCollector
) -> None:
    """Without REHOLD_COOLDOWN_SECONDS the wait after a 2 s hold's lapse is named as 2 s."""
    async with make_client(hold_seconds=2.0) as api:
        assert (await seat_call(api, "select", "C1", user_id="u1")).status_code == 200
        await changes.wait_for(lambda c: bool(c.of_type("auto_released", "C1")), within=5)
        refused = await seat_call(api, "select", "C1", user_id="u1")
        assert _wait_of(assert_error(refused, 409), "C1") == 2


async def test_rehold_cooldown_not_caused_by_a_release(make_client: Callable[..., Any]) -> None:
    """An owner who released a seat can hold it again at once."""
    async with make_client(hold_seconds=HOLD, rehold_cooldown_seconds=5) as api:
        for action in ("select", "release", "select"):
            assert (await seat_call(api, action, "D1", user_id="u1")).status_code == 200


async def test_rehold_cooldown_zero_switches_it_off(
    make_client: Callable[..., Any], changes: ChangeCollector
) -> None:
    """With REHOLD_COOLDOWN_SECONDS=0 the owner re-takes a lapsed seat at once."""
    async with make_client(hold_seconds=HOLD, rehold_cooldown_seconds=0) as api:
        assert (await seat_call(api, "select", "E1", user_id="u1")).status_code == 200
        await changes.wait_for(lambda c: bool(c.of_type("auto_released", "E1")), within=HOLD + 3)
        assert (await seat_call(api, "select", "E1", user_id="u1")).status_code == 200
