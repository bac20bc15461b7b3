"""Seat JSON: keys in the seed's order in every reply, snapshot and event, held seats tagged."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import orjson

from shared.holders import holder_of
from tests.changes import ChangeCollector
from tests.seat_api import seat_call, start_session

# The seed's keys, then the seat's price category.
AVAILABLE_KEYS = ["id", "row", "col", "status", "category"]
HELD_KEYS = [
    "id", "row", "col", "status", "held_by", "expires_at", "expires_at_ms", "holder", "category",
]  # fmt: skip
BOOKED_KEYS = ["id", "row", "col", "status", "booked_by", "booked_at", "category"]
KEYS_OF_STATUS = {0: AVAILABLE_KEYS, 1: HELD_KEYS, 2: BOOKED_KEYS}


def _keys(seat: dict[str, Any]) -> list[str]:
    """A seat's keys in the order its bytes carried them (orjson keeps that order)."""
    return list(seat)


def _reply_seat(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    seat: dict[str, Any] = orjson.loads(response.content)["seat"]
    return seat


async def test_seat_json_keys_in_seed_order_in_command_replies(api: httpx.AsyncClient) -> None:
    """Select, book and release replies carry the seat's keys in exactly the seed's order."""
    held = await seat_call(api, "select", "D4", user_id="u1")
    assert _keys(_reply_seat(held)) == HELD_KEYS
    # The seed's test_e2e.sh greps for "held_by" after the seat's id.
    assert re.search(
        rb'"id":"D4","row":3,"col":3,"status":1,"held_by":"u1","expires_at":\d+', held.content
    )
    assert _keys(_reply_seat(await seat_call(api, "book", "D4", user_id="u1"))) == BOOKED_KEYS
    assert (await seat_call(api, "select", "D5", user_id="u1")).status_code == 200
    released = await seat_call(api, "release", "D5", user_id="u1")
    assert _keys(_reply_seat(released)) == AVAILABLE_KEYS
    assert released.content.count(b'"status":0,"category":"Standard"}') == 1


async def test_seat_json_keys_in_seed_order_in_snapshots(api: httpx.AsyncClient) -> None:
    """``GET /api/seats`` and ``GET /api/venue`` list every seat with its keys in seed order."""
    token = await start_session(api, "fan")
    assert (await seat_call(api, "select", "A1", token=token)).status_code == 200
    assert (await seat_call(api, "select", "A2", user_id="u2")).status_code == 200
    assert (await seat_call(api, "book", "A2", user_id="u2")).status_code == 200
    for path, pick in (
        ("/api/seats", lambda body: body),
        ("/api/venue", lambda body: body["seats"]),
    ):
        response = await api.get(path)
        assert response.status_code == 200
        seats = pick(orjson.loads(response.content))
        assert {seat["status"] for seat in seats} == {0, 1, 2}
        for seat in seats:
            assert _keys(seat) == KEYS_OF_STATUS[seat["status"]], (path, seat)


async def test_seat_json_keys_in_seed_order_in_events(
    api: httpx.AsyncClient, changes: ChangeCollector
) -> None:
    """Every event's seat, whatever its status, has its keys in the seed's order."""
    for action, seat_id in (("select", "B1"), ("book", "B1"), ("select", "B2"), ("release", "B2")):
        assert (await seat_call(api, action, seat_id, user_id="u1")).status_code == 200
    await changes.wait_for(lambda c: len(c.changes) == 4)
    assert [event["event_type"] for event in changes.changes] == [
        "held",
        "booked",
        "held",
        "released",
    ]
    for event in changes.changes:
        assert _keys(event["seat"]) == KEYS_OF_STATUS[event["seat"]["status"]], event


async def test_seat_json_held_seat_carries_the_owners_holder_tag(
    api: httpx.AsyncClient, changes: ChangeCollector
) -> None:
    """A held seat's ``holder`` is its owner's tag: per session, never shared by a user id."""
    first, second = await start_session(api, "same"), await start_session(api, "same")
    by_first = _reply_seat(await seat_call(api, "select", "C1", token=first))
    by_second = _reply_seat(await seat_call(api, "select", "C2", token=second))
    tokenless = _reply_seat(await seat_call(api, "select", "C3", user_id="same"))
    assert tokenless["holder"] == holder_of("u:same")
    assert len({by_first["holder"], by_second["holder"], tokenless["holder"]}) == 3
    await changes.wait_for(lambda c: len(c.changes) == 3)
    assert [event["seat"]["holder"] for event in changes.changes] == [
        by_first["holder"],
        by_second["holder"],
        tokenless["holder"],
    ]
    assert by_first["expires_at"] == by_first["expires_at_ms"] // 1000
    assert by_first["expires_at"] >= time.time()
