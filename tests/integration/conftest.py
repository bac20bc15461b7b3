"""Fixtures of the integration tests: a direct seat store, reference subscribers and a
Redis Cluster."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from booking_service.seats import SeatStore
from shared.config import BookingSettings
from shared.plans import SeatLayout, grid_plan
from tests.cluster import RedisClusterServers
from tests.servers import NatsServer, RedisServer
from tests.subscriber import ReferenceSubscriber


@pytest.fixture
async def direct_store(
    redis_server: RedisServer, make_settings: Callable[..., BookingSettings]
) -> AsyncIterator[SeatStore]:
    """The booking service's SeatStore on the test Redis, with no NATS and no publishing.

    Calling it is exactly what a booking process killed right after its commit leaves
    behind: a changed seat and a bumped version that nobody announced.
    """
    settings = make_settings()
    client = Redis.from_url(settings.redis_url)
    yield SeatStore(
        client,
        settings.default_event,
        SeatLayout.from_plan(grid_plan(settings.venue_rows, settings.venue_cols)),
        hold_ms=settings.hold_ms,
        max_holds=settings.max_holds_per_session,
        cooldown_ms=settings.rehold_cooldown_ms,
    )
    await client.aclose()


@pytest.fixture
async def subscribe(
    nats_server: NatsServer,
) -> AsyncIterator[Callable[[str], Awaitable[ReferenceSubscriber]]]:
    """Start reference subscribers resyncing from a booking service URL; closed afterwards."""
    started: list[ReferenceSubscriber] = []

    async def start(snapshot_url: str) -> ReferenceSubscriber:
        subscriber = ReferenceSubscriber(snapshot_url)
        started.append(subscriber)
        return await subscriber.connect(nats_server.edge_url)

    yield start
    for subscriber in started:
        await subscriber.close()


@pytest.fixture
def redis_cluster(tmp_path: Path) -> Iterator[RedisClusterServers]:
    """A Redis Cluster of 3 masters and 3 replicas for this test (about 8 s to form)."""
    cluster = RedisClusterServers(tmp_path / "cluster").start()
    yield cluster
    cluster.stop()
