"""Outages: bookings survive kill -9 of Redis; Redis or NATS away and back needs no restart."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.changes import ChangeCollector
from tests.seat_api import assert_error, http_client, poll_until, seat_call, seats_by_id
from tests.servers import BookingProcess, NatsServer, RedisServer

# How long a booking process may take to notice that Redis or NATS is back.
RECOVERY = 10.0


async def _healthy(http: httpx.AsyncClient) -> bool:
    return (await http.get("/health")).status_code == 200


async def test_bookings_survive_redis_kill9(
    start_booking: Callable[..., BookingProcess], redis_server: RedisServer
) -> None:
    """Twenty acknowledged bookings are still booked after Redis is killed and restarted."""
    booking = start_booking()
    booked = [f"{row}{col}" for row in "AB" for col in range(1, 11)]
    async with http_client(booking.url) as http:
        for seat_id in booked:
            for action in ("select", "book"):
                response = await seat_call(http, action, seat_id, user_id=f"fan-{seat_id}")
                assert response.status_code == 200, response.text
        redis_server.kill9()
        redis_server.start()
        # Each pooled connection that died with Redis fails one request (503, "try again
        # shortly") before it is replaced: the first full read is the answer.
        current: dict[str, Any] = {}

        async def read_seats() -> bool:
            response = await http.get("/api/seats")
            if response.status_code == 200:
                current.update((seat["id"], seat) for seat in response.json())
            return response.status_code == 200

        assert await poll_until(read_seats, within=RECOVERY)
    assert {seat_id for seat_id, seat in current.items() if seat["status"] == 2} == set(booked)
    assert all(current[seat_id]["booked_by"] == f"fan-{seat_id}" for seat_id in booked)
    assert booking.alive
    # A booking process starting now finds the venue and must not reset it.
    async with http_client(start_booking().url) as http:
        assert await seats_by_id(http) == current


async def test_redis_outage_answers_503_then_recovers(
    start_booking: Callable[..., BookingProcess], redis_server: RedisServer
) -> None:
    """While Redis is down, writes, reads and /health answer 503; afterwards all work again."""
    booking = start_booking()
    async with http_client(booking.url) as http:
        redis_server.stop()
        assert_error(await seat_call(http, "select", "A1", user_id="u1"), 503)
        assert_error(await http.get("/api/seats"), 503)
        assert "Redis" in assert_error(await http.get("/health"), 503)
        redis_server.start()
        assert await poll_until(lambda: _healthy(http), within=RECOVERY)
        assert (await seat_call(http, "select", "A1", user_id="u1")).status_code == 200
        assert (await seats_by_id(http))["A1"]["held_by"] == "u1"
    assert booking.alive


async def test_nats_outage_keeps_writes_working_then_recovers(
    start_booking: Callable[..., BookingProcess],
    nats_server: NatsServer,
    changes: ChangeCollector,
) -> None:
    """Without NATS, writes succeed and /health is 503 naming NATS; once back, beats resume."""
    booking = start_booking()
    async with http_client(booking.url) as http:
        nats_server.stop()
        assert await poll_until(lambda: _not_healthy(http), within=RECOVERY)
        assert "NATS" in assert_error(await http.get("/health"), 503)
        assert (await seat_call(http, "select", "A1", user_id="u1")).status_code == 200
        assert (await seat_call(http, "book", "A1", user_id="u1")).status_code == 200
        nats_server.start()
        restarted = time.time()
        assert await poll_until(lambda: _healthy(http), within=RECOVERY)
        await changes.wait_for(
            lambda c: any(beat.at > restarted for beat in c.heartbeats), within=RECOVERY
        )
        assert (await seats_by_id(http))["A1"]["status"] == 2
    assert booking.alive


async def _not_healthy(http: httpx.AsyncClient) -> bool:
    return not await _healthy(http)
