"""The booking service's Redis client: one Redis, or a Redis Cluster, from the settings.

``REDIS_CLUSTER=true``, or a ``REDIS_URL`` naming several nodes (comma-separated), gives
redis-py's asyncio ``RedisCluster``: it discovers every node from those it is given,
routes each command to the master of its keys' slot and follows failovers. Otherwise the
client is a plain ``Redis``, exactly as before. Both offer the same commands, scripts and
pipelines to the rest of the service; every key a script or a multi-key command touches
shares one event's hash tag, so each call lives on one slot.
"""

from __future__ import annotations

from redis.asyncio import Redis, RedisCluster
from redis.asyncio.cluster import ClusterNode
from redis.asyncio.connection import parse_url

from booking_service.redis_packing import HiredisPackedConnection
from shared.config import BookingSettings

__all__ = ["RedisClient", "connect_redis"]

RedisClient = Redis | RedisCluster

# A command that cannot connect or answer within these fails fast (a 503), so a dead
# node costs a request no more than this before the client looks for its successor.
CONNECT_TIMEOUT = 1.0
COMMAND_TIMEOUT = 2.0


def connect_redis(settings: BookingSettings) -> RedisClient:
    """The client ``settings`` ask for; it connects on first use.

    A cluster's nodes all take the account of the first URL. ``REDIS_MAX_CONNECTIONS``
    bounds the connections per node.
    """
    urls = settings.redis_urls()
    if not settings.uses_redis_cluster:
        # For redis:// URLs; unix:// and rediss:// keep the connection class of their kind.
        return Redis.from_url(
            urls[0],
            connection_class=HiredisPackedConnection,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=COMMAND_TIMEOUT,
            max_connections=settings.redis_max_connections,
        )
    account = parse_url(urls[0])
    nodes = []
    for url in urls:
        options = parse_url(url)
        nodes.append(ClusterNode(str(options.get("host", "localhost")), options.get("port", 6379)))
    return RedisCluster(
        startup_nodes=nodes,
        # While one shard fails over, the others go on serving their events.
        require_full_coverage=False,
        ssl=urls[0].startswith("rediss://"),
        username=account.get("username"),
        password=account.get("password"),
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_timeout=COMMAND_TIMEOUT,
        max_connections=settings.redis_max_connections,
    )
