"""The operator's dashboard over REST: its figures, the audit log and the order exports."""

from __future__ import annotations

import asyncio
import csv
import io
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import orjson
import pytest

from booking_service.app import create_app
from booking_service.dashboard.audit import Actor, AuditAction, AuditLog
from booking_service.events.keys import event_key
from booking_service.redis_client import connect_redis
from booking_service.services import Services
from shared.config import BookingSettings
from tests.event_api import OPERATOR, balcony_plan, create_event, grid_plan_json
from tests.seat_api import assert_error, poll_until, start_session
from tests.servers import START_TIMEOUT

PRICES = {"Standard": 30.0, "Premium": 72.5}


async def _hold(http: httpx.AsyncClient, event_id: str, token: str, *seat_ids: str) -> None:
    response = await http.post(
        f"/api/events/{event_id}/holds",
        json={"seat_ids": list(seat_ids)},
        headers={"X-Session-Token": token},
    )
    assert response.status_code == 200, response.text


async def _buy(
    http: httpx.AsyncClient, event_id: str, user_id: str, *seat_ids: str, **buyer: str
) -> dict[str, Any]:
    """A new session holds the seats and books them as one order; the order."""
    token = await start_session(http, user_id)
    await _hold(http, event_id, token, *seat_ids)
    response = await http.post(
        f"/api/events/{event_id}/orders", json=buyer, headers={"X-Session-Token": token}
    )
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    return order


def _as(name: str, address: str | None = None) -> dict[str, str]:
    headers = {**OPERATOR, "X-Operator": name}
    if address is not None:
        headers["X-Real-IP"] = address
    return headers


def _counts(seats: int, available: int, held: int, booked: int, blocked: int) -> dict[str, int]:
    return {
        "seats": seats, "available": available, "held": held, "booked": booked, "blocked": blocked
    }  # fmt: skip


async def _theatre(http: httpx.AsyncClient) -> str:
    event = await create_event(http, "Recital", balcony_plan(), PRICES, hold_seconds=40)
    event_id: str = event["id"]
    return event_id


async def test_audit_records_each_operator_action(api: httpx.AsyncClient) -> None:
    """State, block, unblock and cancel each append who, from where, what and when;
    the log lists them newest first."""
    event_id = await _theatre(api)
    order = await _buy(api, event_id, "ann", "A1", "A2")
    base = f"/api/admin/events/{event_id}"
    calls = [
        (f"{base}/state", {"state": "closed"}, _as("ada", "203.0.113.7")),
        (f"{base}/blocks", {"seat_ids": ["A3"], "blocked": True}, _as("bo")),
        (f"{base}/blocks", {"seat_ids": ["A3"], "blocked": False}, OPERATOR),
        (f"/api/admin/orders/{order['reference']}/cancel", None, _as("cy", "198.51.100.2")),
    ]
    for path, body, headers in calls:
        response = await api.post(path, json=body, headers=headers)
        assert response.status_code == 200, response.text
    entries = (await api.get(f"{base}/audit", headers=OPERATOR)).json()
    cancelled = {"reference": order["reference"], "seat_ids": ["A1", "A2"]}
    assert [(e["who"], e["address"], e["action"], e["detail"]) for e in entries] == [
        ("cy", "198.51.100.2", "cancel_order", cancelled),
        ("operator", "127.0.0.1", "unblock", {"seat_ids": ["A3"]}),
        ("bo", "127.0.0.1", "block", {"seat_ids": ["A3"]}),
        ("ada", "203.0.113.7", "state", {"state": "closed"}),
    ]  # fmt: skip
    assert all(entry["at"].endswith("Z") and len(entry["at"]) == 24 for entry in entries)
    assert entries == sorted(entries, key=lambda entry: entry["at"], reverse=True)


async def test_audit_refuses_a_bad_operator_name_and_records_nothing(
    api: httpx.AsyncClient,
) -> None:
    """An X-Operator that is no name (too long, control characters) is a 400, changing nothing."""
    event_id = await _theatre(api)
    path = f"/api/admin/events/{event_id}/state"
    for name in (b"x" * 65, b"tab\there", b"\x85"):
        headers = {**OPERATOR, "X-Operator": name}
        response = await api.post(path, json={"state": "closed"}, headers=headers)
        assert "X-Operator" in assert_error(response, 400)
    assert (await api.get(f"/api/events/{event_id}")).json()["state"] == "on_sale"
    assert (await api.get(f"/api/admin/events/{event_id}/audit", headers=OPERATOR)).json() == []


async def test_audit_keeps_the_newest_thousand_entries(
    make_settings: Callable[..., BookingSettings],
) -> None:
    """The log is trimmed as it grows: the newest 1,000 entries stay, in the event's slot."""
    redis = connect_redis(make_settings())
    try:
        log = AuditLog(redis)
        for n in range(AuditLog.KEEP + 3):
            await log.record(
                "main", Actor("ops", "::1"), AuditAction.BLOCK, {"seat_ids": [f"A{n}"]}
            )
        assert await redis.llen(event_key("main", "audit")) == AuditLog.KEEP
        newest, *_, oldest = await log.recent("main", AuditLog.KEEP)
        assert newest["detail"] == {"seat_ids": [f"A{AuditLog.KEEP + 2}"]}
        assert oldest["detail"] == {"seat_ids": ["A3"]}
    finally:
        await redis.aclose()


async def test_exports_list_every_order_seat_by_seat(api: httpx.AsyncClient) -> None:
    """orders.csv has one row per seat (cancelled orders too, formulas defused);
    orders.json one object per order as GET /api/orders/{ref} shows it."""
    event_id = await _theatre(api)
    first = await _buy(api, event_id, "ann", "A1", "BAL-A1", name='=HYPERLINK("x")')
    second = await _buy(api, event_id, "bob", "A2", name="@Bob", email="bob@example.org")
    cancel = await api.post(f"/api/admin/orders/{second['reference']}/cancel", headers=OPERATOR)
    assert cancel.status_code == 200, cancel.text
    response = await api.get(f"/api/admin/events/{event_id}/orders.csv", headers=OPERATOR)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{event_id}-orders.csv"'
    )
    header, *rows = list(csv.reader(io.StringIO(response.text)))
    assert header == [
        "reference", "seat", "category", "price", "currency", "buyer_name", "buyer_email",
        "user_id", "created_at", "status",
    ]  # fmt: skip
    ref1, ref2 = first["reference"], second["reference"]
    assert [row[:8] + row[9:] for row in rows] == [
        [ref1, "A1", "Standard", "30", "EUR", "'=HYPERLINK(\"x\")", "", "ann", "confirmed"],
        [ref1, "BAL-A1", "Premium", "72.5", "EUR", "'=HYPERLINK(\"x\")", "", "ann", "confirmed"],
        [ref2, "A2", "Standard", "30", "EUR", "'@Bob", "bob@example.org", "bob", "cancelled"],
    ]  # fmt: skip
    assert rows[0][8] == first["created_at"]
    exported = (await api.get(f"/api/admin/events/{event_id}/orders.json", headers=OPERATOR)).json()
    shown = [(await api.get(f"/api/orders/{ref}", headers=OPERATOR)).json() for ref in (ref1, ref2)]
    assert exported == shown
    assert exported[1]["status"] == "cancelled"


async def _listening(api: httpx.AsyncClient, services: Services, event_id: str) -> None:
    """Read the dashboard once, and wait until the feed hears the changes it lists."""
    path = f"/api/admin/events/{event_id}/dashboard"
    assert (await api.get(path, headers=OPERATOR)).json()["changes"] == []

    async def listening() -> bool:
        return services.dashboard.feed.listening

    assert await poll_until(listening, within=2, interval=0.01)


@pytest.fixture
async def operator_api(
    make_settings: Callable[..., BookingSettings],
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    """An in-process booking service, and its services to look into."""
    app = create_app(make_settings())
    async with app.lifespan():
        services: Services = app.api.state.services

        async def connected() -> bool:
            return bool(services.publisher.connected and services.dashboard.feed.connected)

        assert await poll_until(connected, within=START_TIMEOUT, interval=0.01)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://booking") as http:
            yield http, services


async def test_dashboard_counts_holds_bookings_blocks_and_orders(
    operator_api: tuple[httpx.AsyncClient, Services],
) -> None:
    """After a hold, two orders (one cancelled) and a block, every figure is as expected,
    the changes listed since the dashboard was first read."""
    api, services = operator_api
    event_id = await _theatre(api)
    await _listening(api, services, event_id)
    ann = await start_session(api, "ann")
    await _hold(api, event_id, ann, "A1")
    await _buy(api, event_id, "bob", "A2", "BAL-A1")
    cancelled = await _buy(api, event_id, "cy", "BAL-A2")
    await api.post(f"/api/admin/orders/{cancelled['reference']}/cancel", headers=_as("di"))
    blocks = {"seat_ids": ["A3"], "blocked": True}
    await api.post(f"/api/admin/events/{event_id}/blocks", json=blocks, headers=_as("di"))
    path = f"/api/admin/events/{event_id}/dashboard"

    async def every_change_heard() -> bool:
        return len((await api.get(path, headers=OPERATOR)).json()["changes"]) == 9

    assert await poll_until(every_change_heard, within=2)
    data = (await api.get(path, headers=OPERATOR)).json()
    assert data["event"]["id"] == event_id
    assert "plan" not in data["event"]
    assert data["version"] == 10
    assert data["totals"] == {"seats": 5, "available": 1, "held": 1, "booked": 2, "blocked": 1}
    stalls, balcony = _counts(3, 0, 1, 1, 1), _counts(2, 1, 0, 1, 0)
    assert data["sections"] == [{"name": "Stalls", **stalls}, {"name": "Balcony", **balcony}]
    assert data["categories"] == [
        {"name": "Standard", "price": 30.0, **stalls},
        {"name": "Premium", "price": 72.5, **balcony},
    ]
    assert data["revenue"] == 102.5
    assert data["orders"] == {"confirmed": 1, "cancelled": 1}
    assert len(data["sales_per_minute"]) == 30
    assert sum(minute["seats"] for minute in data["sales_per_minute"]) == 2
    [lapsing] = data["lapsing_holds"]
    assert lapsing["seat_id"] == "A1"
    assert 35 < lapsing["seconds_left"] <= 40
    assert data["occupancy"] == {"A1": "held", "A2": "booked", "A3": "blocked", "BAL-A1": "booked"}
    assert data["connected"] == {"people": 0, "watching": 0, "edges": 0}
    newest = data["changes"][0]
    assert (newest["event_type"], newest["seat_id"], newest["version"]) == ("released", "A3", 10)
    assert [change["version"] for change in data["changes"]] == list(range(10, 1, -1))
    assert set(data["changes"][0]) == {
        "event_type", "seat_id", "user_id", "status", "timestamp", "version"
    }  # fmt: skip
    assert [(entry["who"], entry["action"]) for entry in data["audit"]] == [
        ("di", "block"), ("di", "cancel_order")
    ]  # fmt: skip
    unknown = await api.get("/api/admin/events/nope-0000/dashboard", headers=OPERATOR)
    assert assert_error(unknown, 404) == "No such event: nope-0000"


async def test_dashboard_order_counts_kept_by_the_order_scripts(
    operator_api: tuple[httpx.AsyncClient, Services],
) -> None:
    """Orders made before the dashboard is first read are counted then, from the orders;
    afterwards booking and cancelling keep the counts, through 26 orders and 10 cancels
    made at once while dashboards are read, to the tally of the orders' own statuses."""
    api, services = operator_api
    event = await create_event(api, "Hall", grid_plan_json(6, 10), {"Standard": 20.0})
    event_id = event["id"]
    path = f"/api/admin/events/{event_id}/dashboard"
    seats = [f"{row}{col}" for row in "ABCDEF" for col in range(1, 11)]
    pairs = [seats[n : n + 2] for n in range(0, len(seats), 2)]
    early = [await _buy(api, event_id, f"early-{n}", *pair) for n, pair in enumerate(pairs[:4])]
    cancel = f"/api/admin/orders/{early[0]['reference']}/cancel"
    assert (await api.post(cancel, headers=OPERATOR)).status_code == 200
    counts_key = event_key(event_id, "order_counts")
    assert not await services.redis.exists(counts_key)
    first = (await api.get(path, headers=OPERATOR)).json()["orders"]
    assert first == {"confirmed": 3, "cancelled": 1}

    async def read() -> dict[str, int]:
        response = await api.get(path, headers=OPERATOR)
        assert response.status_code == 200, response.text
        orders: dict[str, int] = response.json()["orders"]
        return orders

    made = await asyncio.gather(
        *(_buy(api, event_id, f"buyer-{n}", *pair) for n, pair in enumerate(pairs[4:])),
        *(read() for _ in range(10)),
    )
    orders = [order for order in made if "reference" in order]
    assert len(orders) == 26
    cancels = await asyncio.gather(
        *(
            api.post(f"/api/admin/orders/{order['reference']}/cancel", headers=OPERATOR)
            for order in orders[:10]
        ),
        *(read() for _ in range(10)),
    )
    assert all(response.status_code == 200 for response in cancels[:10])
    stored = await services.redis.hvals(event_key(event_id, "orders"))
    tally = Counter(orjson.loads(raw)["status"] for raw in stored)
    assert tally == {"confirmed": 19, "cancelled": 11}
    assert await read() == dict(tally)
