"""The operator feed: the census always, seat changes only while a dashboard wants them."""

from __future__ import annotations

import asyncio

import nats
import orjson

from booking_service.dashboard.feed import LINGER, OperatorFeed
from tests.seat_api import poll_until
from tests.servers import NatsServer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _change(event_id: str, version: int) -> bytes:
    body = {"event_id": event_id, "event_type": "held", "seat_id": "A1", "user_id": "u"}
    return orjson.dumps({**body, "status": 1, "timestamp": "t", "version": version, "seat": {}})


async def test_feed_listens_to_changes_only_while_wanted(nats_server: NatsServer) -> None:
    """No change is heard until a dashboard is read; then they are kept, newest first,
    heartbeats aside, while a socket watches or the read lingers; then they are dropped."""
    clock = Clock()
    feed = OperatorFeed([nats_server.url], default_event="main", clock=clock)
    heard: list[str | None] = []
    feed.on_change = heard.append
    feed.start()
    runner = asyncio.create_task(feed.run())
    booking = await nats.connect(nats_server.url)
    edge = await nats.connect(nats_server.edge_url)
    try:

        async def connected() -> bool:
            return feed.connected

        assert await poll_until(connected, within=5, interval=0.01)
        await booking.publish("events.jazz-0001.held", _change("jazz-0001", 2))
        census = {"edge": "e:1", "connections": 4, "watchers": {"main": 3}, "interval": 2}
        await edge.publish("edges.census", orjson.dumps(census))
        await edge.flush()

        async def counted() -> bool:
            return feed.census.connected("main")["people"] == 4

        assert await poll_until(counted, within=2, interval=0.01)
        assert not feed.listening
        assert feed.recent_changes("jazz-0001") == []

        async def listening() -> bool:
            return feed.listening

        feed.read()
        assert await poll_until(listening, within=2, interval=0.01)
        for version in (3, 4):
            await booking.publish("events.jazz-0001.held", _change("jazz-0001", version))
        await booking.publish("events.jazz-0001.heartbeat", b'{"version": 4}')
        await booking.flush()

        async def kept() -> bool:
            return len(feed.recent_changes("jazz-0001")) == 2

        assert await poll_until(kept, within=2, interval=0.01)
        assert [c["version"] for c in feed.recent_changes("jazz-0001")] == [4, 3]
        assert heard[-2:] == ["jazz-0001", "jazz-0001"]
        feed.watched(1)
        clock.now += LINGER + 1
        feed.watched(1)
        await asyncio.sleep(0.05)
        assert feed.listening
        feed.watched(0)

        async def stopped() -> bool:
            return not feed.listening

        assert await poll_until(stopped, within=2, interval=0.01)
        assert feed.recent_changes("jazz-0001") == []
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        await feed.close()
        await booking.close()
        await edge.close()
