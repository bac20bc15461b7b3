"""Operator routes under ``/api/admin``: create events, set their sale state, block seats.

Setting a state and blocking or unblocking seats each append an entry to the event's
audit log (``booking_service.api.audit``).

Every call needs ``Authorization: Bearer <operator token>`` (``booking_service.operator``);
without it the answer is a 401 with ``WWW-Authenticate: Bearer`` and nothing changes.
Bodies are JSON, checked as the public ones are (a 400 names the field, a 415 for a body
not declared as JSON); a new event's body may carry a whole plan, up to MAX_PLAN_BYTES.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from starlette.responses import Response

from booking_service.api.audit import actor_of, audited
from booking_service.api.bodies import documented_body, read_body
from booking_service.api.events import info_body
from booking_service.api.responses import json_response
from booking_service.dashboard.audit import AuditAction
from booking_service.dashboard.board import event_listing
from booking_service.errors import InvalidRequest
from booking_service.events.info import EventState
from booking_service.events.plans import PlanSource
from booking_service.events.registry import EventSpec
from booking_service.services import Services, services_of
from shared.identifiers import SEAT_ID_PATTERN
from shared.plans import PlanError, SeatLayout, parse_plan, shipped_plan

__all__ = ["NewEvent", "router"]


def _operator(request: Request) -> Services:
    services = services_of(request)
    services.operator.check(request.headers.get("authorization"))
    return services


Operator = Annotated[Services, Depends(_operator)]

_REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Invalid body"},
    401: {"description": "Missing or wrong operator token"},
    404: {"description": "No such event"},
    415: {"description": "Body not JSON"},
    503: {"description": "Redis unreachable"},
}

router = APIRouter(prefix="/api/admin", tags=["operator"], responses=_REFUSALS)


class NewEvent(BaseModel):
    """Body of ``POST /api/admin/events``; ``plan`` is plan JSON or a shipped plan's name."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    plan: str | dict[str, Any]
    prices: dict[str, Annotated[float, Field(ge=0)]]
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])
    hold_seconds: float | None = Field(None, gt=0, le=3600)
    starts_at: AwareDatetime | None = None
    state: EventState = EventState.ON_SALE


class StateChange(BaseModel):
    """Body of ``POST /api/admin/events/{id}/state``."""

    model_config = ConfigDict(extra="forbid")

    state: EventState


class BlockChange(BaseModel):
    """Body of ``POST /api/admin/events/{id}/blocks``: block (or unblock) all the seats or none."""

    model_config = ConfigDict(extra="forbid")

    seat_ids: list[Annotated[str, Field(pattern=SEAT_ID_PATTERN)]] = Field(
        min_length=1, max_length=100_000
    )
    blocked: bool


def _plan_source(plan: str | dict[str, Any], services: Services) -> PlanSource:
    """The plan a new event asks for; InvalidRequest naming the place if it is refused."""
    try:
        if isinstance(plan, str):
            shipped, layout = shipped_plan(plan, services.settings.plans_dir)
            return PlanSource(plan, shipped.to_json(), layout)
        parsed, layout = parse_plan(plan)
    except PlanError as exc:
        raise InvalidRequest(f"Field 'plan' is refused: {exc}") from None
    return PlanSource(parsed.name, parsed.to_json(), layout)


def _check_prices(prices: dict[str, float], layout: SeatLayout) -> None:
    missing = [name for name in layout.categories if name not in prices]
    if missing:
        raise InvalidRequest(f"Field 'prices' has no price for category {missing[0]!r}")
    unknown = [name for name in prices if name not in layout.categories]
    if unknown:
        raise InvalidRequest(f"Field 'prices' names category {unknown[0]!r}, which the plan lacks")


@router.get("/events", summary="Every event, whatever its state, with its seat counts")
async def list_events(services: Operator) -> Response:
    # The operator sees every event and state as Redis has them now, not up to a
    # refresh interval ago.
    return json_response(await event_listing(services.events))


@router.post(
    "/events",
    summary="Create an event on a plan (plan JSON or a shipped plan's name)",
    status_code=201,
    openapi_extra=documented_body(NewEvent),
)
async def create_event(request: Request, services: Operator) -> Response:
    body = await read_body(request, NewEvent, limit=services.settings.max_plan_bytes)
    # A big plan takes a while to check: off the event loop, so seat calls go on.
    plan = await asyncio.to_thread(_plan_source, body.plan, services)
    _check_prices(body.prices, plan.layout)
    spec = EventSpec(
        name=body.name,
        plan=plan,
        prices=body.prices,
        currency=body.currency,
        hold_seconds=body.hold_seconds or services.settings.hold_seconds,
        starts_at=body.starts_at,
        state=body.state,
    )
    event = await services.events.create(spec)
    return json_response(info_body(event), 201)


@router.post(
    "/events/{event_id}/state",
    summary="Set an event's sale state: scheduled, on_sale or closed",
    openapi_extra=documented_body(StateChange),
)
async def set_state(event_id: str, request: Request, services: Operator) -> Response:
    await services.events.get(event_id)
    actor = actor_of(request)
    body = await read_body(request, StateChange, limit=services.settings.max_body_bytes)
    event = await services.events.set_state(event_id, body.state)
    await audited(services, actor, event.id, AuditAction.STATE, {"state": body.state.value})
    return json_response(info_body(event))


@router.post(
    "/events/{event_id}/blocks",
    summary="Block seats (house seats, out of sale) or unblock them, all or none",
    responses={409: {"description": "A seat is held or booked"}},
    openapi_extra=documented_body(BlockChange),
)
async def block_seats(event_id: str, request: Request, services: Operator) -> Response:
    event = await services.events.get(event_id)
    actor = actor_of(request)
    body = await read_body(request, BlockChange, limit=services.settings.max_plan_bytes)
    changes = await event.store.block(body.seat_ids, blocked=body.blocked)
    await services.publisher.publish_changes(changes)
    action = AuditAction.BLOCK if body.blocked else AuditAction.UNBLOCK
    await audited(services, actor, event.id, action, {"seat_ids": body.seat_ids})
    snapshot = await event.store.snapshot()
    blocked = [seat["id"] for seat in orjson.loads(snapshot.seats_json) if seat.get("blocked")]
    return json_response({"blocked": blocked, "version": snapshot.version})
