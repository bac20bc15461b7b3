"""Hold cap: no owner (session, or tokenless user id) ever holds more than MAX_HOLDS_PER_SESSION."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx

from tests.changes import ChangeCollector
from tests.seat_api import (
    assert_error,
    process_clients,
    seat_call,
    seats,
    start_session,
)
from tests.servers import BookingProcess

CAP = 6
CLIENTS = 200
CAP_SENTENCE = "You can hold at most 6 seats at a time"
# 20 rows of 10: a seat for every client of the race.
BIG_VENUE = {"VENUE_ROWS": "20"}


def _held_by_holder(listed: list[dict[str, Any]]) -> Counter[str]:
    return Counter(seat["holder"] for seat in listed if seat["status"] == 1)


async def test_hold_cap_holds_under_a_200_client_race_of_one_owner(
    start_booking: Callable[..., BookingProcess], changes: ChangeCollector
) -> None:
    """200 concurrent selects of distinct seats by one session over two processes: 6 succeed."""
    processes = [start_booking(**BIG_VENUE), start_booking(**BIG_VENUE)]
    async with AsyncExitStack() as stack:
        clients = await process_clients(stack, processes, connections=CLIENTS)
        token = await start_session(clients[0], "greedy")
        seat_ids = [seat["id"] for seat in await seats(clients[0])][:CLIENTS]
        responses = await asyncio.gather(
            *(
                seat_call(clients[index % 2], "select", seat_id, token=token)
                for index, seat_id in enumerate(seat_ids)
            )
        )
        done = time.time()
        assert Counter(response.status_code for response in responses) == {
            200: CAP,
            409: CLIENTS - CAP,
        }
        refusals = {assert_error(r, 409) for r in responses if r.status_code == 409}
        assert refusals == {CAP_SENTENCE}
        listed = await seats(clients[1])
        assert sum(seat["status"] == 1 for seat in listed) == CAP
        await changes.wait_for_beat_after(done)
        assert len(changes.of_type("held")) == CAP


async def test_hold_cap_is_per_owner_in_a_race_of_several(
    start_booking: Callable[..., BookingProcess], changes: ChangeCollector
) -> None:
    """Two sessions of one user id and that tokenless user id, racing: each owner holds 6."""
    processes = [start_booking(**BIG_VENUE), start_booking(**BIG_VENUE)]
    async with AsyncExitStack() as stack:
        clients = await process_clients(stack, processes, connections=CLIENTS)
        owners: list[dict[str, Any]] = [
            {"token": await start_session(clients[0], "shared")},
            {"token": await start_session(clients[1], "shared")},
            {"user_id": "shared"},
            {"user_id": "other"},
        ]
        seat_ids = [seat["id"] for seat in await seats(clients[0])][:CLIENTS]
        responses = await asyncio.gather(
            *(
                seat_call(clients[index % 2], "select", seat_id, **owners[index % len(owners)])
                for index, seat_id in enumerate(seat_ids)
            )
        )
        assert Counter(r.status_code for r in responses)[200] == CAP * len(owners)
        per_holder = _held_by_holder(await seats(clients[1]))
        assert sorted(per_holder.values()) == [CAP] * len(owners)


async def test_hold_cap_counts_tokenless_calls_per_user_id(api: httpx.AsyncClient) -> None:
    """A tokenless user id holds at most 6; another user id and a session are not affected."""
    for col in range(1, CAP + 1):
        assert (await seat_call(api, "select", f"A{col}", user_id="u1")).status_code == 200
    refused = await seat_call(api, "select", "A7", user_id="u1")
    assert assert_error(refused, 409) == CAP_SENTENCE
    assert refused.json() == {"error": CAP_SENTENCE}
    assert (await seat_call(api, "select", "A7", user_id="u2")).status_code == 200
    token = await start_session(api, "u1")
    assert (await seat_call(api, "select", "A8", token=token)).status_code == 200


async def test_hold_cap_does_not_refuse_a_seat_already_held(api: httpx.AsyncClient) -> None:
    """At the cap, selecting one of one's own held seats still answers 200, changing nothing."""
    for col in range(1, CAP + 1):
        assert (await seat_call(api, "select", f"B{col}", user_id="u1")).status_code == 200
    again = await seat_call(api, "select", "B3", user_id="u1")
    assert again.status_code == 200
    assert again.json()["seat"]["held_by"] == "u1"


async def test_hold_cap_frees_a_place_on_release_book_and_lapse(
    make_client: Callable[..., Any], changes: ChangeCollector
) -> None:
    """Releasing, booking or a lapse of a hold each let the owner hold one more seat."""
    async with make_client(hold_seconds=1.0) as api:
        for col in range(1, CAP + 1):
            assert (await seat_call(api, "select", f"C{col}", user_id="u1")).status_code == 200
        assert_error(await seat_call(api, "select", "D1", user_id="u1"), 409)
        assert (await seat_call(api, "release", "C1", user_id="u1")).status_code == 200
        assert (await seat_call(api, "select", "D1", user_id="u1")).status_code == 200
        assert_error(await seat_call(api, "select", "D2", user_id="u1"), 409)
        assert (await seat_call(api, "book", "C2", user_id="u1")).status_code == 200
        assert (await seat_call(api, "select", "D2", user_id="u1")).status_code == 200
        assert_error(await seat_call(api, "select", "D3", user_id="u1"), 409)
        await changes.wait_for(lambda c: len(c.of_type("auto_released")) == CAP, within=4)
        for col in range(3, 3 + CAP):
            assert (await seat_call(api, "select", f"D{col}", user_id="u1")).status_code == 200
        assert_error(await seat_call(api, "select", "E1", user_id="u1"), 409)


async def test_hold_cap_takes_its_number_from_the_setting(make_client: Callable[..., Any]) -> None:
    """With MAX_HOLDS_PER_SESSION=2 the third hold is refused with a sentence naming 2."""
    async with make_client(max_holds_per_session=2) as api:
        for seat_id in ("E1", "E2"):
            assert (await seat_call(api, "select", seat_id, user_id="u1")).status_code == 200
        refused = await seat_call(api, "select", "E3", user_id="u1")
        assert assert_error(refused, 409) == "You can hold at most 2 seats at a time"
