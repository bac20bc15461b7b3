"""``GET /metrics``: every figure of ``booking_service.metrics`` for Prometheus.

The active holds per event are read from Redis for each scrape; should Redis not answer,
the scrape still shows everything else (and the Redis error is counted).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from booking_service.errors import StoreUnavailable
from booking_service.metrics import ACTIVE_HOLDS, CONTENT_TYPE, exposition
from booking_service.services import Services, services_of

__all__ = ["router"]

router = APIRouter()


async def _note_active_holds(services: Services) -> None:
    for store in services.events.stores():
        try:
            ACTIVE_HOLDS.labels(store.event_id).set(await store.held_count())
        except StoreUnavailable:
            return


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    services = services_of(request)
    await _note_active_holds(services)
    body = exposition(services.settings.prometheus_multiproc_dir)
    return Response(body, media_type=CONTENT_TYPE)
