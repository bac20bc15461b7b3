"""Orders: a cart booked as one order, all or nothing, exactly once per Idempotency-Key."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from tests.changes import ChangeCollector
from tests.event_api import ADMIN_TOKEN, OPERATOR, balcony_plan, create_event
from tests.seat_api import assert_error, http_client, poll_until, seats_by_id, start_session
from tests.servers import BookingProcess, NatsServer, RedisServer

PRICES = {"Standard": 30.0, "Premium": 72.5}


def _headers(token: str, key: str | None = None) -> dict[str, str]:
    headers = {"X-Session-Token": token}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


async def _hold(http: httpx.AsyncClient, event_id: str, token: str, *seat_ids: str) -> None:
    response = await http.post(
        f"/api/events/{event_id}/holds",
        json={"seat_ids": list(seat_ids)},
        headers=_headers(token),
    )
    assert response.status_code == 200, response.text


async def _order(
    http: httpx.AsyncClient, event_id: str, token: str, key: str | None = None, **body: Any
) -> httpx.Response:
    return await http.post(
        f"/api/events/{event_id}/orders", json=body, headers=_headers(token, key)
    )


async def _my_orders(http: httpx.AsyncClient, token: str) -> list[dict[str, Any]]:
    response = await http.get("/api/orders", headers=_headers(token))
    assert response.status_code == 200, response.text
    orders: list[dict[str, Any]] = response.json()["orders"]
    return orders


async def _theatre(http: httpx.AsyncClient) -> str:
    event = await create_event(http, "Recital", balcony_plan(), PRICES)
    event_id: str = event["id"]
    return event_id


async def test_order_books_the_cart_with_the_categories_prices(
    start_booking: Callable[..., BookingProcess], nats_server: NatsServer
) -> None:
    """Booking a cart makes one order of its seats, booked, totalling their prices, and
    publishes one booked change per seat in version order."""
    booking = start_booking(ADMIN_TOKEN=ADMIN_TOKEN)
    async with AsyncExitStack() as stack, http_client(booking.url) as http:
        event_id = await _theatre(http)
        changes = await ChangeCollector().connect(nats_server.edge_url, (f"events.{event_id}.>",))
        stack.push_async_callback(changes.close)
        token = await start_session(http, "ada")
        await _hold(http, event_id, token, "A1", "BAL-A2", "A2")
        response = await _order(http, event_id, token, name="Ada L", email="ada@example.org")
        assert response.status_code == 201, response.text
        order = response.json()
        assert order["status"] == "confirmed"
        assert order["event_id"] == event_id
        assert [seat["id"] for seat in order["seats"]] == ["A1", "A2", "BAL-A2"]
        assert [seat["price"] for seat in order["seats"]] == [30.0, 30.0, 72.5]
        assert order["total"] == 132.5
        assert order["currency"] == "EUR"
        assert order["buyer"] == {"user_id": "ada", "name": "Ada L", "email": "ada@example.org"}
        reference = order["reference"]
        assert len(reference) == 8
        assert not set(reference) & set("0O1IL")
        assert order["created_at"].endswith("Z")
        await changes.wait_for(lambda c: len(c.of_type("booked")) == 3)
        versions = [r.payload["version"] for r in changes.of_type("booked")]
        assert versions == sorted(versions)
        seats = {s["id"]: s for s in (await http.get(f"/api/events/{event_id}/seats")).json()}
        assert all(seats[s]["status"] == 2 for s in ("A1", "A2", "BAL-A2"))
        assert seats["A3"]["status"] == 0
        cart = await http.get(f"/api/events/{event_id}/holds", headers=_headers(token))
        assert cart.json()["seats"] == []
        assert await _my_orders(http, token) == [order]
        empty = await _order(http, event_id, token)
        assert assert_error(empty, 409) == "Your cart is empty"


async def test_order_with_a_lapsed_hold_changes_nothing(
    start_booking: Callable[..., BookingProcess], redis_server: RedisServer
) -> None:
    """One lapsed hold in the cart refuses the order, names the seat, and books nothing."""
    booking = start_booking(ADMIN_TOKEN=ADMIN_TOKEN)
    async with http_client(booking.url) as http:
        event_id = await _theatre(http)
        token = await start_session(http, "bob")
        await _hold(http, event_id, token, "A1", "A2", "A3")
        # Only A2's hold has lapsed: its deadline is moved into the past (the sweeper,
        # which goes by the expiry set, has not reached it yet).
        admin = redis_server.admin_client()
        holds_key = f"event:{{{event_id}}}:holds"
        raw = admin.hget(holds_key, "A2")
        assert isinstance(raw, bytes)
        hold = orjson.loads(raw)
        hold["deadline"] = int(time.time() * 1000) - 1000
        admin.hset(holds_key, "A2", orjson.dumps(hold))
        refused = await _order(http, event_id, token, "k1")
        assert assert_error(refused, 409) == (
            "Your hold on seat A2 has expired; nothing was booked"
        )
        assert refused.json()["seat_id"] == "A2"
        seats = {s["id"]: s for s in (await http.get(f"/api/events/{event_id}/seats")).json()}
        assert [seats[s]["status"] for s in ("A1", "A2", "A3")] == [1, 1, 1]
        assert admin.hlen(f"event:{{{event_id}}}:orders") == 0
        assert admin.hlen(f"event:{{{event_id}}}:idempotency") == 0
        assert await _my_orders(http, token) == []


async def test_order_retried_with_its_key_returns_the_same_order(
    start_booking: Callable[..., BookingProcess], changes: ChangeCollector
) -> None:
    """The same key from the same session answers 200 with the first order; another
    session's same key is its own."""
    booking = start_booking()
    async with http_client(booking.url) as http:
        token = await start_session(http, "cy")
        await _hold(http, "main", token, "A1", "A2")
        first = await _order(http, "main", token, "pay-1")
        assert first.status_code == 201, first.text
        again = await _order(http, "main", token, "pay-1")
        assert again.status_code == 200, again.text
        assert again.json() == first.json()
        await _hold(http, "main", token, "A3")
        still = await _order(http, "main", token, "pay-1")
        assert still.json() == first.json()
        assert (await seats_by_id(http))["A3"]["status"] == 1
        other = await start_session(http, "dee")
        assert assert_error(await _order(http, "main", other, "pay-1"), 409) == (
            "Your cart is empty"
        )
        bad = await _order(http, "main", token, "no spaces allowed")
        assert bad.status_code == 400
        assert len(await _my_orders(http, token)) == 1
        await changes.wait_for(lambda c: len(c.of_type("booked")) == 2)


async def test_order_twenty_concurrent_requests_with_one_key_make_one_order(
    start_booking: Callable[..., BookingProcess],
) -> None:
    """Twenty requests racing with one key all answer with the one order they made."""
    booking = start_booking()
    async with http_client(booking.url) as http:
        token = await start_session(http, "eve")
        await _hold(http, "main", token, "C1", "C2", "C3", "C4")
        replies = await asyncio.gather(*(_order(http, "main", token, "race") for _ in range(20)))
        assert sorted(r.status_code for r in replies) == [200] * 19 + [201]
        assert len({r.json()["reference"] for r in replies}) == 1
        assert len(await _my_orders(http, token)) == 1


def _send_and_drop(url: str, path: str, body: bytes, headers: dict[str, str]) -> None:
    parts = urlsplit(url)
    lines = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines += ["Content-Type: application/json", f"Content-Length: {len(body)}", "", ""]
    with socket.create_connection((parts.hostname, parts.port)) as raw:
        raw.sendall("\r\n".join(lines).encode() + body)


async def test_order_retry_after_a_dropped_connection_returns_the_one_order(
    start_booking: Callable[..., BookingProcess],
) -> None:
    """A client that drops the connection right after sending, then retries with its key,
    gets the order, never a second one and never an error."""
    booking = start_booking()
    async with http_client(booking.url) as http:
        token = await start_session(http, "fay")
        await _hold(http, "main", token, "D1", "D2")
        _send_and_drop(booking.url, "/api/events/main/orders", b"{}", _headers(token, "drop"))
        deadline = time.monotonic() + 10
        while True:
            retry = await _order(http, "main", token, "drop")
            if retry.status_code in (200, 201) or time.monotonic() > deadline:
                break
        assert retry.status_code in (200, 201), retry.text
        assert [s["id"] for s in retry.json()["seats"]] == ["D1", "D2"]
        assert [o["reference"] for o in await _my_orders(http, token)] == [
            retry.json()["reference"]
        ]


async def test_order_survives_kill9_of_the_service_and_redis(
    start_booking: Callable[..., BookingProcess], redis_server: RedisServer
) -> None:
    """An acknowledged order is still there, seats booked, after kill -9 of both."""
    booking = start_booking()
    async with http_client(booking.url) as http:
        token = await start_session(http, "gus")
        await _hold(http, "main", token, "E1", "E2")
        order = (await _order(http, "main", token, "durable")).json()
    booking.kill9()
    redis_server.kill9()
    redis_server.start()
    async with http_client(start_booking().url) as http:
        shown = await http.get(f"/api/orders/{order['reference']}", headers=_headers(token))
        assert shown.status_code == 200, shown.text
        assert shown.json() == order
        assert (await _order(http, "main", token, "durable")).json() == order
        current = await seats_by_id(http)
        assert current["E1"]["status"] == current["E2"]["status"] == 2


async def test_order_is_shown_to_its_session_and_the_operator_only(
    start_booking: Callable[..., BookingProcess], redis_server: RedisServer
) -> None:
    """The session and the operator see the order; another session gets a 404, as for an
    unknown reference, even once the reference's shortcut to its event is gone."""
    booking = start_booking(ADMIN_TOKEN=ADMIN_TOKEN)
    async with http_client(booking.url) as http:
        token = await start_session(http, "hal")
        await _hold(http, "main", token, "F1")
        order = (await _order(http, "main", token)).json()
        path = f"/api/orders/{order['reference']}"
        assert (await http.get(path, headers=_headers(token))).json() == order
        assert (await http.get(path, headers=OPERATOR)).json() == order
        stranger = await start_session(http, "ivy")
        assert assert_error(await http.get(path, headers=_headers(stranger)), 404)
        assert assert_error(await http.get("/api/orders/ZZZZZZZZ", headers=_headers(token)), 404)
        wrong = {"Authorization": "Bearer not-the-token"}
        assert (await http.get(path, headers=wrong)).status_code == 404
        redis_server.admin_client().delete("orders")
        assert (await http.get(path, headers=_headers(token))).json() == order
        await _hold(http, "main", token, "F2")
        newer = (await _order(http, "main", token)).json()
        assert await _my_orders(http, token) == [newer, order]


async def test_order_cancel_releases_its_seats_once(
    start_booking: Callable[..., BookingProcess], changes: ChangeCollector
) -> None:
    """Cancelling releases every seat (one released change each) and marks the order;
    a second cancel is refused."""
    booking = start_booking(ADMIN_TOKEN=ADMIN_TOKEN)
    async with http_client(booking.url) as http:
        token = await start_session(http, "jo")
        await _hold(http, "main", token, "G1", "G2")
        order = (await _order(http, "main", token, "c")).json()
        path = f"/api/admin/orders/{order['reference']}/cancel"
        assert (await http.post(path)).status_code == 401
        cancelled = await http.post(path, headers=OPERATOR)
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["status"] == "cancelled"
        assert cancelled.json()["cancelled_at"].endswith("Z")
        await changes.wait_for(lambda c: len(c.of_type("released")) == 2)
        assert {r.payload["seat_id"] for r in changes.of_type("released")} == {"G1", "G2"}
        current = await seats_by_id(http)
        assert current["G1"]["status"] == current["G2"]["status"] == 0
        shown = await http.get(f"/api/orders/{order['reference']}", headers=_headers(token))
        assert shown.json()["status"] == "cancelled"
        assert assert_error(await http.post(path, headers=OPERATOR), 409) == (
            f"Order {order['reference']} is cancelled already"
        )
        assert await poll_until(lambda: _still_listed(http, token), within=1)


async def _still_listed(http: httpx.AsyncClient, token: str) -> bool:
    return [o["status"] for o in await _my_orders(http, token)] == ["cancelled"]


async def test_openapi_documents_the_order_calls(api: httpx.AsyncClient) -> None:
    """/openapi.json describes creating, reading, listing and cancelling orders."""
    paths = (await api.get("/openapi.json")).json()["paths"]
    create = paths["/api/events/{event_id}/orders"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert {"name", "email"} <= body["properties"].keys()
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    assert {"200", "201", "409"} <= create["responses"].keys()
    assert "get" in paths["/api/orders/{reference}"]
    assert "get" in paths["/api/orders"]
    assert "post" in paths["/api/admin/orders/{reference}/cancel"]
