"""Health route: 200 when Redis and NATS are both reachable, else 503 naming what is down."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from redis.exceptions import RedisError
from starlette.responses import Response

from booking_service.api.responses import json_response
from booking_service.services import services_of

__all__ = ["router"]

router = APIRouter(tags=["health"])

PING_TIMEOUT = 1.0


@router.get("/health", summary="Whether Redis and NATS are reachable")
async def health(request: Request) -> Response:
    services = services_of(request)
    try:
        redis_ok = bool(await asyncio.wait_for(services.redis.ping(), PING_TIMEOUT))
    except (RedisError, OSError, TimeoutError):
        redis_ok = False
    nats_ok = services.publisher.connected
    body: dict[str, object] = {
        "status": "ok" if redis_ok and nats_ok else "degraded",
        "service": "booking-service",
        "redis": "ok" if redis_ok else "down",
        "nats": "ok" if nats_ok else "down",
        "hold_seconds": services.settings.hold_seconds,
    }
    down = [name for name, ok in (("Redis", redis_ok), ("NATS", nats_ok)) if not ok]
    if down:
        body["error"] = f"{' and '.join(down)} unreachable"
        return json_response(body, 503)
    return json_response(body)
