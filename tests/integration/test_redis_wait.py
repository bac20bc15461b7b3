"""Acknowledged means replicated, on a single Redis: with REDIS_WAIT_REPLICAS=1 and no
replica, a write is made but answered 503, a refusal is answered as ever, and /health
names the master short of replicas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.event_api import OPERATOR
from tests.seat_api import assert_error, seat_call, start_session

WAITING = {"redis_wait_replicas": 1, "redis_wait_timeout_ms": 50}


async def test_unconfirmed_write_is_made_but_answered_503(make_client: Callable[..., Any]) -> None:
    """No replica confirms: select, hold and order answer 503 with a sentence; the seat is
    held all the same, a retried order is still 503, and a refusal stays a 409."""
    async with make_client() as http:
        # The default event is created while writes need no replica.
        assert (await http.get("/api/venue")).status_code == 200
    async with make_client(**WAITING) as http:
        error = assert_error(await seat_call(http, "select", "A1", user_id="ann"), 503)
        assert "no replica confirmed it" in error
        venue = (await http.get("/api/venue")).json()
        seat = next(seat for seat in venue["seats"] if seat["id"] == "A1")
        assert seat["held_by"] == "ann"
        assert_error(await seat_call(http, "book", "A2", user_id="ann"), 409)

        token = await start_session(http, "bob")
        headers = {"X-Session-Token": token, "Idempotency-Key": "once"}
        held = await http.post("/api/events/main/holds", json={"seat_ids": ["B1"]}, headers=headers)
        assert_error(held, 503)
        for _ in range(2):
            assert_error(await http.post("/api/events/main/orders", json={}, headers=headers), 503)
        orders = (await http.get("/api/orders", headers=headers)).json()["orders"]
        assert [order["status"] for order in orders] == ["confirmed"]

        health = await http.get("/health")
        assert health.status_code == 503, health.text
        assert health.json()["unreplicated"] == ["redis"]
        assert "fewer than 1 replica" in health.json()["error"]
        listed = await http.get("/api/admin/events", headers=OPERATOR)
        assert listed.status_code == 200, listed.text
