"""The venue digest: kept by the scripts with every change, served in snapshots and heartbeats."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson

from booking_service.events.keys import event_key
from shared.venue_digest import EMPTY_DIGEST, digest_of
from tests.changes import ChangeCollector
from tests.seat_api import Action, http_client, seat_call, start_session
from tests.servers import BookingProcess, RedisServer

DIGEST_KEY = event_key("main", "digest")
SEAT_KEY = event_key("main", "seats")


async def _venue(http: httpx.AsyncClient) -> dict[str, Any]:
    response = await http.get("/api/venue")
    assert response.status_code == 200, response.text
    venue: dict[str, Any] = response.json()
    return venue


async def _random_mix(http: httpx.AsyncClient, *, steps: int, seed: int) -> None:
    """Selects, books and releases by two sessions and two tokenless users on 20 seats."""
    rng = random.Random(seed)
    owners: list[dict[str, Any]] = [
        {"token": await start_session(http, "fan")},
        {"token": await start_session(http, "fan")},
        {"user_id": "fan"},
        {"user_id": "other"},
    ]
    seat_ids = [f"{row}{col}" for row in "AB" for col in range(1, 11)]
    actions: list[Action] = ["select", "select", "select", "release", "book"]
    for _ in range(steps):
        await seat_call(http, rng.choice(actions), rng.choice(seat_ids), **rng.choice(owners))


def _digest_at(initial: dict[str, Any], changes: list[dict[str, Any]], version: int) -> str:
    """The digest of the venue after applying every event up to ``version``."""
    seats = dict(initial)
    for event in sorted(changes, key=lambda e: int(e["version"])):
        if event["version"] <= version:
            seats[event["seat_id"]] = event["seat"]
    return digest_of(seats.values())


async def test_venue_digest_matches_the_seats_after_random_operations(
    start_booking: Callable[..., BookingProcess], changes: ChangeCollector
) -> None:
    """After a random mix with lapses, /api/venue and every heartbeat carry the seats' digest."""
    booking = start_booking(HOLD_SECONDS="0.5", REHOLD_COOLDOWN_SECONDS="0")
    async with http_client(booking.url) as http:
        start = await _venue(http)
        assert start["digest"] == digest_of(start["seats"])
        initial = {seat["id"]: seat for seat in start["seats"]}
        await _random_mix(http, steps=60, seed=7)
        await changes.wait_for(lambda c: bool(c.of_type("auto_released")), within=3)
        await _random_mix(http, steps=60, seed=8)
        end = await _venue(http)
        assert end["digest"] == digest_of(end["seats"])
        assert end["digest"] != start["digest"]
        await changes.wait_for_versions(start["version"] + 1, end["version"])
        await changes.wait_for_beat_after(time.time())
    # A beat may overtake the event of a lapse committed just before it: check the beats
    # up to the last version whose changes have all arrived.
    complete = end["version"]
    while changes.has_versions(start["version"] + 1, complete + 1):
        complete += 1
    beats = [
        r.payload
        for r in changes.heartbeats
        if start["version"] <= r.payload["version"] <= complete
    ]
    assert len({beat["version"] for beat in beats}) > 1
    for beat in beats:
        assert beat["interval"] == 0.5
        assert beat["digest"] == _digest_at(initial, changes.changes, beat["version"]), beat


async def test_venue_digest_rebuilt_when_its_key_is_missing(
    start_booking: Callable[..., BookingProcess],
    redis_server: RedisServer,
    changes: ChangeCollector,
) -> None:
    """With its key deleted (and a seat left in an old key order), a restart rebuilds it."""
    first = start_booking()
    async with http_client(first.url) as http:
        await _random_mix(http, steps=40, seed=3)
        before = await _venue(http)
    first.stop()
    with redis_server.admin_client() as client:
        client.delete(DIGEST_KEY)
        old_style = {"status": 0, "col": 9, "id": "J10", "row": 9}
        client.hset(SEAT_KEY, "J10", orjson.dumps(old_style))
    second = start_booking()
    restarted = time.time()
    async with http_client(second.url) as http:
        after = await _venue(http)
        assert after["version"] == before["version"]
        assert after["digest"] == before["digest"] == digest_of(after["seats"])
        assert after["digest"] != EMPTY_DIGEST
        seats = orjson.loads((await http.get("/api/seats")).content)
        assert list(seats[-1]) == ["id", "row", "col", "status"]
    await changes.wait_for(lambda c: any(beat.at > restarted for beat in c.heartbeats), within=3)
    beat = next(beat for beat in changes.heartbeats if beat.at > restarted)
    assert (beat.payload["version"], beat.payload["digest"]) == (after["version"], after["digest"])


async def test_venue_digest_rebuild_restores_the_hold_counts(
    start_booking: Callable[..., BookingProcess], redis_server: RedisServer
) -> None:
    """Counts lost with the digest are rebuilt from the holds: the cap still holds after."""
    first = start_booking()
    async with http_client(first.url) as http:
        for col in range(1, 7):
            assert (await seat_call(http, "select", f"C{col}", user_id="u1")).status_code == 200
    first.stop()
    with redis_server.admin_client() as client:
        client.delete(DIGEST_KEY, event_key("main", "counts"))
    second = start_booking()
    async with http_client(second.url) as http:
        assert (await seat_call(http, "select", "C7", user_id="u1")).status_code == 409
        assert (await seat_call(http, "release", "C1", user_id="u1")).status_code == 200
        assert (await seat_call(http, "select", "C7", user_id="u1")).status_code == 200
