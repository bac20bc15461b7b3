"""Public event routes: the events on offer, each one's plan, seats and snapshot.

The seat writes of an event (``POST /api/events/{id}/seats/select|book|release``) are
served by ``commands``, on the lean path. An unknown event is a 404
``{"error": "No such event: X"}``.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from booking_service.api.responses import json_response
from booking_service.events.info import EventState
from booking_service.events.registry import Event
from booking_service.services import services_of

__all__ = ["PLAN_CACHE_CONTROL", "UNAVAILABLE", "router", "seat_list", "venue_snapshot"]

router = APIRouter(prefix="/api/events", tags=["events"])

UNAVAILABLE: dict[int | str, dict[str, Any]] = {503: {"description": "Redis unreachable"}}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such event"},
    **UNAVAILABLE,
}
# A plan never changes once its event exists; clients revalidate with If-None-Match.
PLAN_CACHE_CONTROL = "public, max-age=300"
_LISTED = (EventState.SCHEDULED, EventState.ON_SALE)


def info_body(event: Event) -> dict[str, Any]:
    """The event's description as the API shows it (EventInfo's keys, in order)."""
    return event.info.model_dump(mode="json")


async def seat_list(event: Event) -> Response:
    """Every seat of the event, in plan order."""
    snapshot = await event.store.snapshot()
    return Response(snapshot.seats_json, media_type="application/json")


async def venue_snapshot(event: Event, *, seed: bool = False) -> Response:
    """The event's seats at one version, with its digest and hold time (and grid size).

    With ``seed``, the body also carries the seed's ``venue_id`` and its key order.
    """
    snapshot = await event.store.snapshot()
    body: dict[str, Any] = {"venue_id": event.id} if seed else {}
    body |= {"event_id": event.id, "version": snapshot.version, "digest": snapshot.digest}
    shape = event.store.layout.grid_shape
    if shape is not None:
        body["rows"], body["cols"] = shape
    body["hold_seconds"] = event.info.hold_seconds
    body["seats"] = orjson.Fragment(snapshot.seats_json)
    return json_response(body)


@router.get("", summary="The events on sale or scheduled", responses=UNAVAILABLE)
async def list_events(request: Request) -> Response:
    events = services_of(request).events
    return json_response([info_body(e) for e in events.known() if e.info.state in _LISTED])


@router.get("/{event_id}", summary="One event with its plan", responses=_RESPONSES)
async def get_event(event_id: str, request: Request) -> Response:
    event = await services_of(request).events.get(event_id)
    return json_response({**info_body(event), "plan": orjson.Fragment(event.plan_json)})


@router.get(
    "/{event_id}/plan",
    summary="The event's seating plan (pretix JSON), cacheable by its ETag",
    responses={304: {"description": "The plan is the one named in If-None-Match"}, **_RESPONSES},
)
async def get_plan(event_id: str, request: Request) -> Response:
    event = await services_of(request).events.get(event_id)
    headers = {"ETag": event.etag, "Cache-Control": PLAN_CACHE_CONTROL}
    # If-None-Match compares weakly: W/"x" matches "x".
    wanted = {
        tag.strip().removeprefix("W/")
        for tag in request.headers.get("if-none-match", "").split(",")
    }
    if event.etag in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    return Response(event.plan_json, media_type="application/json", headers=headers)


@router.get(
    "/{event_id}/seats", summary="All seats of the event, in plan order", responses=_RESPONSES
)
async def list_event_seats(event_id: str, request: Request) -> Response:
    return await seat_list(await services_of(request).events.get(event_id))


@router.get(
    "/{event_id}/venue",
    summary="The event's seats at one version, for subscribers that missed changes",
    responses=_RESPONSES,
)
async def event_venue(event_id: str, request: Request) -> Response:
    return await venue_snapshot(await services_of(request).events.get(event_id))
