"""Seat reads of the default event: the seed's ``GET /api/seats`` and ``GET /api/venue``.

They answer exactly what ``/api/events/{DEFAULT_EVENT}/seats`` and ``…/venue`` do, the
snapshot with the seed's ``venue_id`` (the default event's id) besides ``event_id``.
The writes (select, book, release) are in ``commands``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from booking_service.api.events import UNAVAILABLE, seat_list, venue_snapshot
from booking_service.services import services_of

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["seats"])


@router.get(
    "/seats", summary="All seats of the default event, in plan order", responses=UNAVAILABLE
)
async def list_seats(request: Request) -> Response:
    services = services_of(request)
    return await seat_list(await services.events.get(services.events.default_id))


@router.get(
    "/venue",
    summary="The default event's seats at one version, for subscribers that missed changes",
    responses=UNAVAILABLE,
)
async def venue(request: Request) -> Response:
    services = services_of(request)
    event = await services.events.get(services.events.default_id)
    return await venue_snapshot(event, seed=True)
