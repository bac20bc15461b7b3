"""Health route: 200 when Redis and NATS are reachable, the sweeper keeps up and every
Redis master has the replicas writes wait for.

Otherwise 503, with ``error`` naming what is wrong: Redis or NATS unreachable, the
sweeper more than ``MAX_SWEEPER_LAG`` seconds behind its oldest deadline in any event (Redis that
refuses writes, say), or masters (``unreplicated``) short of ``REDIS_WAIT_REPLICAS`` replicas
in sync, whose writes are refused until one is back (after a failover, say).
``task_restarts`` counts how often each background loop was restarted after it died;
``instance`` names the process that answered (host and pid), so that behind a load
balancer one can tell the processes apart.
"""

from __future__ import annotations

import asyncio
import os
import socket

from fastapi import APIRouter, Request
from redis.exceptions import RedisClusterException, RedisError
from starlette.responses import Response

from booking_service.api.responses import json_response
from booking_service.errors import StoreUnavailable
from booking_service.services import Services, services_of

__all__ = ["MAX_SWEEPER_LAG", "router"]

router = APIRouter(tags=["health"])

PING_TIMEOUT = 1.0
MAX_SWEEPER_LAG = 2.0


async def _sweeper_lag(services: Services) -> float | None:
    """Seconds the oldest unreleased deadline is overdue, or None if Redis does not answer."""
    try:
        if not await asyncio.wait_for(services.redis.ping(), PING_TIMEOUT):
            return None
        lags = [
            await asyncio.wait_for(store.overdue_seconds(), PING_TIMEOUT)
            for store in services.events.stores()
        ]
        return max(lags, default=0.0)
    except (RedisError, RedisClusterException, OSError, TimeoutError, StoreUnavailable):
        return None


async def _unreplicated(services: Services) -> list[str]:
    """The masters short of replicas; none when Redis does not answer (that is "down")."""
    try:
        return await asyncio.wait_for(services.events.replication.missing_replicas(), PING_TIMEOUT)
    except (RedisError, RedisClusterException, OSError, TimeoutError):
        return []


@router.get("/health", summary="Whether Redis and NATS are reachable and holds lapse on time")
async def health(request: Request) -> Response:
    services = services_of(request)
    lag = await _sweeper_lag(services)
    unreplicated = await _unreplicated(services) if lag is not None else []
    redis_ok, nats_ok = lag is not None, services.publisher.connected
    lagging = lag is not None and lag > MAX_SWEEPER_LAG
    body: dict[str, object] = {
        "status": "ok" if redis_ok and nats_ok and not lagging and not unreplicated else "degraded",
        "service": "booking-service",
        "instance": f"{socket.gethostname()}/{os.getpid()}",
        "redis": "ok" if redis_ok else "down",
        "nats": "ok" if nats_ok else "down",
        "hold_seconds": services.settings.hold_seconds,
        "sweeper_lag_seconds": None if lag is None else round(lag, 3),
        "task_restarts": services.supervisor.restarts,
        "unreplicated": unreplicated,
    }
    problems = []
    down = [name for name, ok in (("Redis", redis_ok), ("NATS", nats_ok)) if not ok]
    if down:
        problems.append(f"{' and '.join(down)} unreachable")
    if lagging:
        problems.append(f"Sweeper is {lag:.1f} s behind its oldest deadline")
    if unreplicated:
        wanted = services.events.replication.replicas
        problems.append(
            f"Redis {', '.join(unreplicated)} has fewer than {wanted} replica(s) in sync; "
            "writes there are refused"
        )
    if problems:
        body["error"] = "; ".join(problems)
        return json_response(body, 503)
    return json_response(body)
