"""Redis Cluster fit: every script and multi-key call stays on one slot, global keys apart."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis, RedisCluster
from redis.commands.core import AsyncScript
from redis.crc import key_slot

from booking_service.auto_pipeline import BatchedScript
from booking_service.events.keys import EVENTS_KEY, KEY_NAMES, ORDERS_KEY, event_key, script_keys
from booking_service.lua_scripts import Scripts
from booking_service.redis_client import connect_redis
from booking_service.replication import Replication
from shared.config import BookingSettings

EVENT_IDS = ["main", "jazz-night-3f9a", "a", "x" * 40]
# read_order_counts writes only counts it can make again from the orders.
READS = {
    "read_cart",
    "read_venue",
    "read_version",
    "read_overdue",
    "read_order_counts",
    "expire_holds",
}


@pytest.mark.parametrize("event_id", EVENT_IDS)
def test_event_keys_share_one_slot(event_id: str) -> None:
    """Every key of an event (all a script or pipeline of it receives) hashes to one slot."""
    keys = [*script_keys(event_id), *(event_key(event_id, name) for name in KEY_NAMES)]
    assert len({key_slot(key.encode()) for key in keys}) == 1


def test_global_keys_carry_no_event_tag() -> None:
    """The events set and the order index are their own keys, never passed to a script."""
    assert "{" not in EVENTS_KEY
    assert "{" not in ORDERS_KEY
    assert EVENTS_KEY not in script_keys("main")
    assert ORDERS_KEY not in script_keys("main")


def test_connect_redis_chooses_cluster_from_the_settings() -> None:
    """Several URLs or REDIS_CLUSTER give a RedisCluster client; one URL a plain Redis."""
    nodes = "redis://booking:pw@127.0.0.1:7000,redis://booking:pw@127.0.0.1:7001"
    assert isinstance(connect_redis(BookingSettings(redis_url=nodes)), RedisCluster)
    assert isinstance(connect_redis(BookingSettings(redis_cluster=True)), RedisCluster)
    assert isinstance(connect_redis(BookingSettings()), Redis)


@pytest.mark.parametrize("replicas", [0, 1])
def test_scripts_wait_for_replicas_only_on_confirmed_writes(replicas: int) -> None:
    """With replicas asked for, each write script waits for them; reads and the sweep
    never do, and with none asked no script does."""
    redis = Redis()
    scripts = Scripts.register(redis, Replication(redis, replicas=replicas, timeout_ms=100))
    waiting = {
        name
        for name in Scripts.__dataclass_fields__
        if not isinstance(getattr(scripts, name), AsyncScript | BatchedScript)
    }
    writes = set(Scripts.__dataclass_fields__) - READS
    assert waiting == (writes if replicas else set())
