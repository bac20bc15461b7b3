"""Edges do not believe forged state: invalid NATS changes are dropped and resynced, and a
venue that differs from the store at the same version is corrected by the digest."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import nats
import orjson
import pytest
import redis.asyncio as aioredis
from nats.aio.client import Client

from booking_service.events.keys import event_key
from shared.timestamps import iso_time
from shared.venue_digest import digest_of
from tests.edge import EdgeClient
from tests.stack import EdgeStack

SEATS_KEY = event_key("main", "seats")


@pytest.fixture
async def publisher(edge_stack: EdgeStack) -> AsyncIterator[Client]:
    """A NATS connection as the booking service's account, which may publish seat changes."""
    client = await nats.connect(edge_stack.nats.url)
    yield client
    await client.close()


async def edge_stats(edge_stack: EdgeStack, edge: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=edge_stack.edges[edge].url) as http:
        stats: dict[str, Any] = (await http.get("/stats")).json()
    return stats


async def stats_reach(
    edge_stack: EdgeStack, edge: int, done: Callable[[dict[str, Any]], bool], *, within: float
) -> None:
    """Wait until the edge's /stats (cached for 1 s) satisfies ``done``."""
    deadline = time.monotonic() + within
    while not done(await edge_stats(edge_stack, edge)):
        assert time.monotonic() < deadline, "the edge's /stats never got there"
        await asyncio.sleep(0.1)


def forged(version: int, seat_id: str, seat: dict[str, Any]) -> bytes:
    """A seats.booked change as a forger would publish it."""
    return orjson.dumps(
        {
            "event_type": "booked",
            "seat_id": seat_id,
            "user_id": "forger",
            "status": 2,
            "timestamp": iso_time(),
            "expires_at": None,
            "version": version,
            "seat": seat,
        }
    )


async def test_invalid_event_on_nats_is_not_shown_and_the_edge_resyncs(
    edge_stack: EdgeStack, publisher: Client
) -> None:
    """Forged next-version changes for an unknown seat or a mismatched seat never reach clients."""
    async with EdgeClient.connect(edge_stack.ws_url(0)) as client:
        await client.subscribe()
        await client.expect("VENUE_STATE")
        version = client.version
        assert version is not None
        before = await edge_stats(edge_stack, 0)
        booked = {"id": "D4", "row": 3, "col": 3, "status": 2, "booked_by": "forger"}
        await publisher.publish("seats.booked", forged(version + 1, "Z99", booked))
        await publisher.publish("seats.booked", forged(version + 1, "D3", booked))
        await publisher.flush()
        await stats_reach(
            edge_stack,
            0,
            lambda s: (
                s["invalid_changes"] >= before["invalid_changes"] + 2
                and s["resyncs"] > before["resyncs"]
            ),
            within=5.0,
        )
        async with httpx.AsyncClient(base_url=edge_stack.api) as api:
            real = await api.post("/api/seats/select", json={"seat_id": "D5", "user_id": "u-real"})
        assert real.status_code == 200, real.text
        await client.wait_for(lambda: client.statuses()["D5"] == 1, what="the real change")
        updates = [f["data"] for f in client.frames if f["type"] == "SEAT_UPDATE"]
        assert [u["seat_id"] for u in updates] == ["D5"]
        assert updates[0]["version"] == version + 1
        assert client.statuses()["D3"] == client.statuses()["D4"] == 0
        assert client.anomalies == []


async def test_store_change_without_event_is_corrected_by_the_digest(
    edge_stack: EdgeStack, publisher: Client
) -> None:
    """A seat changed in Redis without a change (same version) reaches clients within 2 s of a
    heartbeat whose digest is the store's."""
    async with EdgeClient.connect(edge_stack.ws_url(1)) as client:
        await client.subscribe()
        await client.expect("VENUE_STATE")
        store = aioredis.from_url(edge_stack.redis.url)
        seat = {"id": "E7", "row": 4, "col": 6, "status": 2, "booked_by": "backdoor"}
        try:
            await store.hset(SEATS_KEY, "E7", orjson.dumps(seat))
        finally:
            await store.aclose()
        async with httpx.AsyncClient(base_url=edge_stack.api) as api:
            truth = (await api.get("/api/venue")).json()
        assert truth["version"] == client.version
        assert client.statuses()["E7"] == 0
        heartbeat = {
            "event_type": "heartbeat",
            "version": truth["version"],
            "digest": digest_of(truth["seats"]),
            "interval": 0.5,
            "timestamp": iso_time(),
        }
        await publisher.publish("seats.heartbeat", orjson.dumps(heartbeat))
        await publisher.flush()
        started = time.monotonic()
        await client.wait_for(lambda: client.statuses()["E7"] == 2, within=2.0, what="E7 booked")
        assert time.monotonic() - started < 2.0
        assert client.anomalies == []
