"""Carts: a session's holds on an event as one all-or-nothing set with one deadline."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import orjson
from redis.asyncio import Redis

from tests.changes import ChangeCollector
from tests.seat_api import (
    assert_error,
    http_client,
    process_clients,
    seat_call,
    seats_by_id,
    start_session,
)
from tests.servers import BookingProcess, RedisServer

HOLDS = "/api/events/main/holds"
CAP_SENTENCE = "You can hold at most 6 seats at a time"


async def add(http: httpx.AsyncClient, token: str, *seat_ids: str) -> httpx.Response:
    return await http.post(
        HOLDS, json={"seat_ids": list(seat_ids)}, headers={"X-Session-Token": token}
    )


async def cart(http: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await http.get(HOLDS, headers={"X-Session-Token": token})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def cart_ids(body: dict[str, Any]) -> list[str]:
    return [seat["id"] for seat in body["seats"]]


async def test_cart_add_is_all_or_nothing_and_names_the_seat_in_the_way(
    start_booking: Callable[..., BookingProcess],
) -> None:
    """A seat held by another refuses the whole add, names it, and leaves the cart as it was."""
    booking = start_booking()
    async with http_client(booking.url) as http:
        assert (await seat_call(http, "select", "B7", user_id="other")).status_code == 200
        token = await start_session(http, "group")
        refused = await add(http, token, "B6", "B7", "B8")
        assert assert_error(refused, 409) == (
            "Seat B7 was just taken by someone else; nothing was held"
        )
        assert refused.json()["seat_id"] == "B7"
        current = await seats_by_id(http)
        assert current["B6"]["status"] == 0
        assert current["B8"]["status"] == 0
        assert cart_ids(await cart(http, token)) == []

        held = await add(http, token, "A1")
        assert held.status_code == 200, held.text
        refused = await add(http, token, "A2", "B7")
        assert assert_error(refused, 409) == (
            "Seat B7 was just taken by someone else — your other seats are still held"
        )
        assert cart_ids(await cart(http, token)) == ["A1"]
        assert (await seats_by_id(http))["A2"]["status"] == 0


async def test_cart_deadline_is_never_pushed_back(
    start_booking: Callable[..., BookingProcess], changes: ChangeCollector
) -> None:
    """Seats added later, by the cart call or the seed's select, take the first deadline."""
    booking = start_booking()
    async with http_client(booking.url) as http:
        token = await start_session(http, "group")
        first = await add(http, token, "A1", "A2")
        assert first.status_code == 200, first.text
        deadline = first.json()["expires_at_ms"]
        assert [seat["expires_at_ms"] for seat in first.json()["seats"]] == [deadline] * 2
        # Let Redis's clock move on, so a pushed-back deadline would show.
        await asyncio.sleep(0.05)
        second = await add(http, token, "A3")
        assert second.json()["expires_at_ms"] == deadline
        selected = await seat_call(http, "select", "A4", token=token)
        assert selected.json()["seat"]["expires_at_ms"] == deadline
        body = await cart(http, token)
        assert cart_ids(body) == ["A1", "A2", "A3", "A4"]
        assert {seat["expires_at_ms"] for seat in body["seats"]} == {deadline}
        assert body["extended"] is False
        await changes.wait_for(lambda c: len(c.of_type("held")) == 4)
        assert [c.payload["seat_id"] for c in changes.of_type("held")] == ["A1", "A2", "A3", "A4"]


async def test_cart_checkout_extends_once_past_the_old_deadline(
    start_booking: Callable[..., BookingProcess], changes: ChangeCollector
) -> None:
    """Checkout moves every seat's deadline once; the sweeper keeps them past the old one."""
    booking = start_booking(HOLD_SECONDS="1", CHECKOUT_SECONDS="3")
    async with http_client(booking.url) as http:
        token = await start_session(http, "buyer")
        empty = await http.post(f"{HOLDS}/checkout", headers={"X-Session-Token": token})
        assert assert_error(empty, 409) == "Your cart is empty"
        held = await add(http, token, "C1", "C2")
        old_deadline = held.json()["expires_at_ms"]
        extended = await http.post(f"{HOLDS}/checkout", headers={"X-Session-Token": token})
        assert extended.status_code == 200, extended.text
        body = extended.json()
        assert body["extended"] is True
        assert body["expires_at_ms"] >= old_deadline + 1500
        assert {seat["expires_at_ms"] for seat in body["seats"]} == {body["expires_at_ms"]}
        again = await http.post(f"{HOLDS}/checkout", headers={"X-Session-Token": token})
        assert assert_error(again, 409) == "Your cart has already been extended for checkout"

        await changes.wait_for(lambda c: len(c.of_type("held")) == 4)
        moved = changes.of_type("held")[2:]
        assert {c.payload["seat"]["expires_at_ms"] for c in moved} == {body["expires_at_ms"]}
        # Past the old deadline and the sweep's lateness, the seats are still held.
        await changes.wait_for_beat_after(old_deadline / 1000)
        assert not changes.of_type("auto_released")
        assert cart_ids(await cart(http, token)) == ["C1", "C2"]
        await changes.wait_for(lambda c: len(c.of_type("auto_released")) == 2, within=5)
        assert cart_ids(await cart(http, token)) == []


async def test_cart_seat_removal_and_an_emptied_cart_starts_afresh(
    start_booking: Callable[..., BookingProcess],
) -> None:
    """DELETE gives one seat back; after the last one, the next add gets a new deadline."""
    booking = start_booking()
    async with http_client(booking.url) as http:
        token = await start_session(http, "group")
        first = (await add(http, token, "D1", "D2")).json()
        after = await http.delete(f"{HOLDS}/D1", headers={"X-Session-Token": token})
        assert after.status_code == 200, after.text
        assert cart_ids(after.json()) == ["D2"]
        assert after.json()["expires_at_ms"] == first["expires_at_ms"]
        assert (await seats_by_id(http))["D1"]["status"] == 0
        emptied = await http.delete(f"{HOLDS}/D2", headers={"X-Session-Token": token})
        assert emptied.json()["seats"] == []
        assert emptied.json()["expires_at_ms"] is None
        await asyncio.sleep(0.05)
        fresh = (await add(http, token, "D3")).json()
        assert fresh["expires_at_ms"] > first["expires_at_ms"]


async def test_cart_cap_counts_every_add(start_booking: Callable[..., BookingProcess]) -> None:
    """Adds past MAX_HOLDS_PER_SESSION in total are refused whole; seats held already count once."""
    booking = start_booking()
    async with http_client(booking.url) as http:
        token = await start_session(http, "group")
        assert (await add(http, token, "E1", "E2", "E3", "E4")).status_code == 200
        refused = await add(http, token, "E5", "E6", "E7")
        assert assert_error(refused, 409) == CAP_SENTENCE
        assert cart_ids(await cart(http, token)) == ["E1", "E2", "E3", "E4"]
        full = await add(http, token, "E4", "E5", "E6")
        assert full.status_code == 200, full.text
        assert len(full.json()["seats"]) == 6
        assert assert_error(await add(http, token, "F1"), 409) == CAP_SENTENCE
        too_many = await add(http, token, *(f"G{col}" for col in range(1, 8)))
        assert assert_error(too_many, 409) == CAP_SENTENCE
        duplicate = await add(http, token, "H1", "H1")
        assert_error(duplicate, 400)


async def test_cart_race_of_overlapping_groups_never_splits_a_cart(
    start_booking: Callable[..., BookingProcess], redis_server: RedisServer
) -> None:
    """200 sessions over two processes race for 3 adjacent seats each: no seat in two carts,
    and every session holds all of its seats or none."""
    venue = {"VENUE_ROWS": "5", "VENUE_COLS": "10"}
    processes = [start_booking(**venue), start_booking(**venue)]
    rng = random.Random(9)
    async with AsyncExitStack() as stack:
        clients = await process_clients(stack, processes, connections=200)
        tokens = [await start_session(clients[i % 2], f"g{i}") for i in range(200)]
        wanted = []
        for _ in tokens:
            row, col = rng.choice("ABCDE"), rng.randint(1, 8)
            wanted.append([f"{row}{col + step}" for step in range(3)])
        replies = await asyncio.gather(
            *(add(clients[i % 2], token, *wanted[i]) for i, token in enumerate(tokens))
        )
        assert {reply.status_code for reply in replies} <= {200, 409}
        winners = [i for i, reply in enumerate(replies) if reply.status_code == 200]
        assert winners
        carts = await asyncio.gather(
            *(cart(clients[i % 2], token) for i, token in enumerate(tokens))
        )
        for i, body in enumerate(carts):
            assert sorted(cart_ids(body)) == (sorted(wanted[i]) if i in winners else [])
        redis = Redis.from_url(redis_server.admin_url)
        try:
            holds = await redis.hgetall("event:{main}:holds")
        finally:
            await redis.aclose()
        owners: dict[str, set[str]] = {}
        for seat_id, raw in holds.items():
            owners.setdefault(orjson.loads(raw)["owner"], set()).add(seat_id.decode())
        assert len(holds) == 3 * len(winners)
        assert sorted(len(seats) for seats in owners.values()) == [3] * len(winners)
        held = [s for s in (await seats_by_id(clients[0])).values() if s["status"] == 1]
        assert len(held) == 3 * len(winners)


async def test_openapi_documents_the_cart_calls(api: httpx.AsyncClient) -> None:
    """/openapi.json describes adding to, reading, emptying and checking out a cart."""
    paths = (await api.get("/openapi.json")).json()["paths"]
    holds = paths["/api/events/{event_id}/holds"]
    assert {"get", "post"} <= holds.keys()
    body = holds["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "seat_ids" in body["properties"]
    assert "delete" in paths["/api/events/{event_id}/holds/{seat_id}"]
    assert "post" in paths["/api/events/{event_id}/holds/checkout"]
