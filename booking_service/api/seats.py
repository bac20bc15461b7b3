"""Seat routes: the seed's ``/api/seats`` calls and the versioned ``/api/venue`` snapshot."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from booking_service.api.bodies import read_body
from booking_service.api.responses import json_response
from booking_service.errors import InvalidRequest, SessionRequired
from booking_service.seats import Change, SeatStore
from booking_service.services import Services, services_of
from booking_service.sessions import Identity
from shared.messages import SeatRequest

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["seats"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Invalid body"},
    404: {"description": "Unknown seat"},
    409: {"description": "The seat's state forbids it"},
    503: {"description": "Redis unreachable"},
}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": SeatRequest.model_json_schema()}},
    }
}

Operation = Callable[[SeatStore, str, Identity], Awaitable[Change]]


@router.get("/seats", summary="All seats, in layout order", responses={503: _ERRORS[503]})
async def list_seats(request: Request) -> Response:
    snapshot = await services_of(request).store.snapshot()
    return Response(snapshot.seats_json, media_type="application/json")


@router.get(
    "/venue",
    summary="The whole venue at one version, for subscribers that missed events",
    responses={503: _ERRORS[503]},
)
async def venue(request: Request) -> Response:
    services = services_of(request)
    snapshot = await services.store.snapshot()
    layout = services.store.venue
    return json_response(
        {
            "venue_id": layout.venue_id,
            "version": snapshot.version,
            "rows": layout.rows,
            "cols": layout.cols,
            "hold_seconds": services.settings.hold_seconds,
            "seats": orjson.Fragment(snapshot.seats_json),
        }
    )


def _identity(services: Services, request: Request, body: SeatRequest) -> Identity:
    """Who the request acts as: its session if it carries a token, else its user id."""
    token = body.session_token or request.headers.get("x-session-token")
    if token:
        return services.signer.verify(token)
    if not services.settings.allow_tokenless_writes:
        raise SessionRequired("A session token is required; get one from POST /api/session")
    if body.user_id is None:
        raise InvalidRequest("Field 'user_id' is required without a session token")
    return Identity.tokenless(body.user_id)


async def _perform(request: Request, operation: Operation, done: str) -> Response:
    services = services_of(request)
    body = await read_body(request, SeatRequest, limit=services.settings.max_body_bytes)
    identity = _identity(services, request, body)
    change = await operation(services.store, body.seat_id, identity)
    if change.changed:
        await services.publisher.publish_change(change)
    seat = orjson.loads(change.seat_json)
    return json_response(
        {
            "success": True,
            "message": f"Seat {change.seat_id} {done} successfully",
            "seat_id": change.seat_id,
            "user_id": change.user_id,
            "version": change.version,
            "expires_at": seat.get("expires_at"),
            "seat": seat,
        }
    )


async def _select(store: SeatStore, seat_id: str, who: Identity) -> Change:
    return await store.select(seat_id, user_id=who.user_id, owner=who.owner)


async def _book(store: SeatStore, seat_id: str, who: Identity) -> Change:
    return await store.book(seat_id, owner=who.owner)


async def _release(store: SeatStore, seat_id: str, who: Identity) -> Change:
    return await store.release(seat_id, owner=who.owner)


@router.post(
    "/seats/select",
    summary="Hold a seat for HOLD_SECONDS",
    openapi_extra=_BODY,
    responses=_ERRORS,
)
async def select_seat(request: Request) -> Response:
    return await _perform(request, _select, "selected")


@router.post("/seats/book", summary="Book a seat you hold", openapi_extra=_BODY, responses=_ERRORS)
async def book_seat(request: Request) -> Response:
    return await _perform(request, _book, "booked")


@router.post(
    "/seats/release", summary="Release a seat you hold", openapi_extra=_BODY, responses=_ERRORS
)
async def release_seat(request: Request) -> Response:
    return await _perform(request, _release, "released")
