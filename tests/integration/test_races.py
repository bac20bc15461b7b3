"""Races: many clients on one seat at once, through one or several booking processes."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AsyncExitStack

import httpx

from tests.changes import ChangeCollector
from tests.seat_api import (
    Action,
    assert_error,
    process_clients,
    seat_call,
    seats_by_id,
    venue_version,
)
from tests.servers import BookingProcess

CONTENDERS = 200
THIEVES = 100


async def _race(
    clients: list[httpx.AsyncClient], action: Action, seat_id: str, users: list[str]
) -> list[httpx.Response]:
    """Send one request per user at once, spread round-robin over ``clients``."""
    calls = [
        seat_call(clients[index % len(clients)], action, seat_id, user_id=user)
        for index, user in enumerate(users)
    ]
    return await asyncio.gather(*calls)


async def _assert_single_holder(
    clients: list[httpx.AsyncClient], changes: ChangeCollector, seat_id: str
) -> None:
    """Race CONTENDERS selects of ``seat_id``: one 200, the rest 409, one held event."""
    start = await venue_version(clients[0])
    users = [f"racer-{index}" for index in range(CONTENDERS)]
    responses = await _race(clients, "select", seat_id, users)
    done = time.time()
    statuses = Counter(response.status_code for response in responses)
    assert statuses == {200: 1, 409: CONTENDERS - 1}
    [winner] = [response.json()["user_id"] for response in responses if response.status_code == 200]
    for response in responses:
        if response.status_code == 409:
            assert_error(response, 409)
    assert (await seats_by_id(clients[-1]))[seat_id]["held_by"] == winner
    assert await venue_version(clients[0]) == start + 1
    await changes.wait_for_versions(start + 1, start + 1)
    await changes.wait_for_beat_after(done)
    [held] = changes.of_type("held", seat_id)
    assert held.payload["user_id"] == winner
    assert len(changes.changes) == 1


async def test_select_race_in_one_process_has_one_winner(
    start_booking: Callable[..., BookingProcess], changes: ChangeCollector
) -> None:
    """200 concurrent selects of one seat by different users: exactly one holds it."""
    async with AsyncExitStack() as stack:
        clients = await process_clients(stack, [start_booking()], connections=CONTENDERS)
        await _assert_single_holder(clients, changes, "A1")


async def test_select_race_across_three_processes_has_one_winner(
    start_booking: Callable[..., BookingProcess], changes: ChangeCollector
) -> None:
    """200 concurrent selects spread over three booking processes: exactly one holds it."""
    async with AsyncExitStack() as stack:
        clients = await process_clients(
            stack, [start_booking() for _ in range(3)], connections=CONTENDERS
        )
        await _assert_single_holder(clients, changes, "E5")


async def test_book_race_by_non_holders_all_refused(
    start_booking: Callable[..., BookingProcess], changes: ChangeCollector
) -> None:
    """Concurrent books of a held seat by everyone but its holder all answer 409."""
    async with AsyncExitStack() as stack:
        clients = await process_clients(
            stack, [start_booking(), start_booking()], connections=CONTENDERS
        )
        assert (await seat_call(clients[0], "select", "C7", user_id="holder")).status_code == 200
        before = await seats_by_id(clients[0])
        users = [f"thief-{index}" for index in range(THIEVES)]
        for action in ("book", "release"):
            responses = await _race(clients, action, "C7", users)
            assert Counter(response.status_code for response in responses) == {409: THIEVES}
        assert await seats_by_id(clients[1]) == before
        done = time.time()
        await changes.wait_for_beat_after(done)
        assert [event["event_type"] for event in changes.changes] == ["held"]


async def test_book_race_by_the_holder_books_once(
    start_booking: Callable[..., BookingProcess], changes: ChangeCollector
) -> None:
    """The holder sending many books at once gets one 200, the rest 409, one booked event."""
    async with AsyncExitStack() as stack:
        clients = await process_clients(
            stack, [start_booking(), start_booking()], connections=CONTENDERS
        )
        assert (await seat_call(clients[0], "select", "D4", user_id="fan")).status_code == 200
        responses = await _race(clients, "book", "D4", ["fan"] * 50)
        done = time.time()
        assert Counter(response.status_code for response in responses) == {200: 1, 409: 49}
        seat = (await seats_by_id(clients[1]))["D4"]
        assert (seat["status"], seat["booked_by"]) == (2, "fan")
        await changes.wait_for_beat_after(done)
        assert [event["event_type"] for event in changes.changes] == ["held", "booked"]
