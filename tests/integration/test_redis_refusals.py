"""Redis refusing commands (NOREPLICAS, OOM, READONLY, WRONGTYPE): 503s, then a prompt catch-up."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from booking_service.changes import ChangePublisher
from booking_service.events.keys import event_key
from booking_service.sweeper import Stores, run_sweeper
from tests.changes import ChangeCollector
from tests.seat_api import Action, assert_error, poll_until, seat_call, seats_by_id
from tests.servers import RedisServer

HOLD = 1.0
HELD = ["A1", "A2", "A3", "B1", "B2", "B3"]
# How soon after Redis accepts writes again every lapsed hold must be released.
CATCH_UP = 1.0
# Every background loop of a booking process, none of them restarted.
NO_RESTARTS = {"events": 0, "sweeper": 0, "heartbeat": 0, "operator feed": 0}

# CONFIG SET / REPLICAOF pairs that make Redis refuse writes, and undo it.
REFUSALS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "noreplicas": (
        ("CONFIG", "SET", "min-replicas-to-write", "1"),
        ("CONFIG", "SET", "min-replicas-to-write", "0"),
    ),
    "oom": (("CONFIG", "SET", "maxmemory", "1"), ("CONFIG", "SET", "maxmemory", "0")),
    "readonly": (("REPLICAOF", "127.0.0.1", "1"), ("REPLICAOF", "NO", "ONE")),
}
ALL_WRITES: tuple[tuple[Action, str], ...] = (("select", "A2"), ("book", "A1"), ("release", "A1"))
# Under OOM Redis lets a script that has already freed memory (book and release drop
# the hold first) finish its writes, so only select is refused.
REFUSED = {"noreplicas": ALL_WRITES, "oom": ALL_WRITES[:1], "readonly": ALL_WRITES}


@pytest.fixture
async def redis_admin(redis_server: RedisServer) -> AsyncIterator[Redis]:
    """A plain client on the test's Redis, for reconfiguring it under the service."""
    client = Redis.from_url(redis_server.admin_url)
    yield client
    await client.aclose()


async def _admin(client: Redis, command: tuple[str, ...]) -> None:
    """Run one administrative command (CONFIG SET, REPLICAOF) on the test's Redis."""
    await client.execute_command(*command)  # type: ignore[no-untyped-call]


async def _health(api: httpx.AsyncClient) -> httpx.Response:
    return await api.get("/health")


async def test_redis_refusing_writes_then_lapsed_holds_release_promptly(
    make_client: Callable[..., Any], redis_admin: Redis, changes: ChangeCollector
) -> None:
    """While Redis refuses writes selects get 503 and /health names the stuck sweeper; after,
    every hold that lapsed meanwhile is released within 1 s, with one auto_released each."""
    refuse, accept = REFUSALS["noreplicas"]
    async with make_client(hold_seconds=HOLD) as api:
        for seat_id in HELD:
            assert (await seat_call(api, "select", seat_id, user_id="fan")).status_code == 200
        await _admin(redis_admin, refuse)
        try:
            error = assert_error(await seat_call(api, "select", "C1", user_id="late"), 503)
            assert "unavailable" in error

            async def sweeper_stuck() -> bool:
                response = await _health(api)
                return response.status_code == 503 and "Sweeper" in response.json()["error"]

            assert await poll_until(sweeper_stuck, within=HOLD + 4)
            stuck = (await _health(api)).json()
            assert stuck["redis"] == "ok"
            assert stuck["sweeper_lag_seconds"] > 2
            assert not changes.of_type("auto_released"), "released while Redis refused writes"
            assert all(seat["status"] == 1 for seat in _of(await seats_by_id(api), HELD))
            assert_error(await seat_call(api, "select", "C1", user_id="late"), 503)
        finally:
            await _admin(redis_admin, accept)
        accepted = time.time()
        await changes.wait_for(
            lambda c: all(c.of_type("auto_released", seat_id) for seat_id in HELD),
            within=CATCH_UP + 2,
        )
        for seat_id in HELD:
            assert changes.of_type("auto_released", seat_id)[0].at <= accepted + CATCH_UP
        await changes.wait_for_beat_after(time.time())
        for seat_id in HELD:
            assert len(changes.of_type("auto_released", seat_id)) == 1, seat_id
        assert all(seat["status"] == 0 for seat in _of(await seats_by_id(api), HELD))
        healthy = await _health(api)
        assert healthy.status_code == 200, healthy.text
        assert healthy.json()["sweeper_lag_seconds"] == 0
        assert healthy.json()["task_restarts"] == NO_RESTARTS
        assert (await seat_call(api, "select", "C1", user_id="late")).status_code == 200


@pytest.mark.parametrize("refusal", REFUSALS)
async def test_redis_refusal_on_a_command_is_503_never_500(
    api: httpx.AsyncClient, redis_admin: Redis, refusal: str
) -> None:
    """Each write command Redis refuses answers 503 with a sentence; afterwards writes work."""
    refuse, accept = REFUSALS[refusal]
    assert (await seat_call(api, "select", "A1", user_id="u1")).status_code == 200
    await _admin(redis_admin, refuse)
    try:
        for action, seat_id in REFUSED[refusal]:
            error = assert_error(await seat_call(api, action, seat_id, user_id="u1"), 503)
            assert error == "The seat store is unavailable; try again shortly"
        assert (await api.get("/api/seats")).status_code == 200, "reads keep working"
    finally:
        await _admin(redis_admin, accept)
    assert (await seat_call(api, "book", "A1", user_id="u1")).status_code == 200


async def test_redis_error_on_reads_and_health_is_503(
    api: httpx.AsyncClient, redis_admin: Redis
) -> None:
    """A Redis error reply on the read routes and on /health is a 503 with a sentence."""
    seats_key, expiry_key = event_key("main", "seats"), event_key("main", "expiry")
    await redis_admin.delete(seats_key, expiry_key)
    await redis_admin.set(seats_key, "not a hash")
    await redis_admin.set(expiry_key, "not a sorted set")
    for path in ("/api/seats", "/api/venue"):
        assert "unavailable" in assert_error(await api.get(path), 503)
    assert_error(await seat_call(api, "select", "A1", user_id="u1"), 503)
    health = await _health(api)
    assert "Redis" in assert_error(health, 503)


def _of(seats: dict[str, dict[str, Any]], seat_ids: list[str]) -> list[dict[str, Any]]:
    return [seats[seat_id] for seat_id in seat_ids]


async def test_redis_refusal_window_keeps_heartbeats_going(
    make_client: Callable[..., Any], redis_admin: Redis, changes: ChangeCollector
) -> None:
    """Heartbeats go on while Redis refuses writes, since they only read the version."""
    refuse, accept = REFUSALS["noreplicas"]
    async with make_client():
        await _admin(redis_admin, refuse)
        try:
            since = time.time()
            await changes.wait_for_beat_after(since)
        finally:
            await _admin(redis_admin, accept)


async def test_redis_script_cache_flushed_sweeps_and_commands_go_on(
    make_client: Callable[..., Any], redis_admin: Redis, changes: ChangeCollector
) -> None:
    """After Redis loses its script cache, holds still lapse on time and commands still work."""
    async with make_client(hold_seconds=HOLD) as api:
        assert (await seat_call(api, "select", "A1", user_id="fan")).status_code == 200
        await _admin(redis_admin, ("SCRIPT", "FLUSH"))
        await changes.wait_for(lambda c: bool(c.of_type("auto_released", "A1")), within=HOLD + 2)
        await _admin(redis_admin, ("SCRIPT", "FLUSH"))
        assert (await seat_call(api, "select", "A2", user_id="fan")).status_code == 200
        assert (await _health(api)).json()["task_restarts"] == NO_RESTARTS


async def test_sweeper_task_that_dies_is_restarted_and_counted_in_health(
    make_client: Callable[..., Any], changes: ChangeCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sweeper loop that dies is restarted, /health counts it, and holds still lapse."""
    deaths: list[int] = []

    async def dies_once(stores: Stores, publisher: ChangePublisher) -> None:
        if not deaths:
            deaths.append(1)
            raise RuntimeError("a bug outside the sweep round")
        await run_sweeper(stores, publisher)

    monkeypatch.setattr("booking_service.app.run_sweeper", dies_once)
    async with make_client(hold_seconds=HOLD) as api:
        assert (await seat_call(api, "select", "A1", user_id="fan")).status_code == 200
        await changes.wait_for(lambda c: bool(c.of_type("auto_released", "A1")), within=HOLD + 2)
        health = await _health(api)
        assert health.status_code == 200, health.text
        assert health.json()["task_restarts"] == {**NO_RESTARTS, "sweeper": 1}
