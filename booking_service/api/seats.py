"""Seat reads: the seed's ``GET /api/seats`` and the versioned ``GET /api/venue`` snapshot.

The writes (select, book, release) are in ``commands``.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from booking_service.api.responses import json_response
from booking_service.services import services_of

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["seats"])

_UNAVAILABLE: dict[int | str, dict[str, Any]] = {503: {"description": "Redis unreachable"}}


@router.get("/seats", summary="All seats, in layout order", responses=_UNAVAILABLE)
async def list_seats(request: Request) -> Response:
    snapshot = await services_of(request).store.snapshot()
    return Response(snapshot.seats_json, media_type="application/json")


@router.get(
    "/venue",
    summary="The whole venue at one version, for subscribers that missed events",
    responses=_UNAVAILABLE,
)
async def venue(request: Request) -> Response:
    services = services_of(request)
    snapshot = await services.store.snapshot()
    store = services.store
    body: dict[str, Any] = {
        "venue_id": store.venue_id,
        "version": snapshot.version,
        "digest": snapshot.digest,
    }
    if store.layout.grid_shape is not None:
        body["rows"], body["cols"] = store.layout.grid_shape
    body["hold_seconds"] = services.settings.hold_seconds
    body["seats"] = orjson.Fragment(snapshot.seats_json)
    return json_response(body)
