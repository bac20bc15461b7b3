"""Cart routes: a session's holds on one event as one cart with one deadline.

``POST /api/events/{id}/holds`` adds seats, all or none; ``GET`` shows the cart;
``DELETE …/holds/{seat_id}`` gives one seat back; ``POST …/holds/checkout`` extends the
cart's deadline once; ``POST …/holds/best`` adds the best free seats for a group. The
session token comes in the body's ``session_token`` (POST) or the ``X-Session-Token``
header; without one, ``user_id`` (body or query) names a tokenless holder, as the seed's
seat calls do. Every reply is the cart after the call.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from starlette.responses import Response

from booking_service.api.bodies import documented_body, read_body
from booking_service.api.commands import identify, identity_of
from booking_service.api.responses import json_response
from booking_service.best_available import Group, chooser_of
from booking_service.carts import CartStore
from booking_service.errors import BookingError, HoldLimitReached, InvalidRequest, NoSeatsFit
from booking_service.events.keys import event_key
from booking_service.events.registry import Event
from booking_service.seats import Change, redis_errors
from booking_service.services import Services, services_of
from booking_service.session_signer import Identity
from shared.identifiers import USER_ID_PATTERN
from shared.messages import BestAvailableRequest, HoldsRequest

__all__ = ["BEST_AVAILABLE_ATTEMPTS", "router"]

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/events", tags=["carts"])

_ERROR = {"description": '{"error": "<sentence>"}'}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The cart: event_id, seats, expires_at(_ms), extended"},
    400: {**_ERROR, "description": "Invalid body or session token"},
    401: {**_ERROR, "description": "A session token is required"},
    404: {**_ERROR, "description": "Unknown seat or event"},
    409: {
        **_ERROR,
        "description": 'Refused; a seat in the way is named: {"error", "seat_id"}',
    },
    503: {**_ERROR, "description": "Redis unreachable"},
}
# How often one best-available call chooses again after losing its seats to other buyers.
BEST_AVAILABLE_ATTEMPTS = 8
# Response header: how many times the best-available call chose (1 without a race).
ATTEMPTS_HEADER = "Best-Available-Attempts"
SessionHeader = Annotated[str | None, Header(alias="X-Session-Token")]
UserQuery = Annotated[str | None, Query(pattern=USER_ID_PATTERN)]


def _carts(services: Services, event: Event) -> CartStore:
    return CartStore(event.store, checkout_ms=services.settings.checkout_ms)


async def _caller(
    request: Request, event_id: str, token: str | None, user_id: str | None
) -> tuple[Services, Event, Identity]:
    """The services, the event and who the call acts as (its token, else ``user_id``)."""
    services = services_of(request)
    event = await services.events.get(event_id)
    return services, event, identify(services, token, user_id)


async def _reply(
    services: Services,
    event: Event,
    who: Identity,
    changes: list[Change],
    *,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Publish the changes in version order, then answer with the cart as it is now
    (plus ``extra``'s fields)."""
    await services.publisher.publish_changes(changes)
    body = (await _carts(services, event).read(owner=who.owner)).body()
    body.update(extra or {})
    # A session in use never expires: past half its lifetime, hand out a new token.
    if services.signer.renewal_due(who):
        body["session_token"] = services.signer.renew(who).token
    return json_response(body, headers=headers)


@router.post(
    "/{event_id}/holds",
    summary="Add seats to your cart, all or none, until the cart's deadline",
    description="The first seat of an empty cart sets its deadline (now + the event's "
    "hold time); later seats take that deadline, never a later one. A seat in the way "
    "refuses the whole call and is named in `seat_id`; a cart over "
    "MAX_HOLDS_PER_SESSION seats in total is refused whole. Send the session token as "
    "`session_token` or the `X-Session-Token` header; without one, `user_id` names the "
    "holder.",
    responses=_RESPONSES,
    openapi_extra=documented_body(HoldsRequest),
)
async def add_holds(
    event_id: str, request: Request, x_session_token: SessionHeader = None
) -> Response:
    services = services_of(request)
    body = await read_body(request, HoldsRequest, limit=services.settings.max_body_bytes)
    if len(set(body.seat_ids)) != len(body.seat_ids):
        raise InvalidRequest("Field 'seat_ids' names a seat more than once")
    event = await services.events.get(event_id)
    who = identity_of(services, body, x_session_token)
    if len(body.seat_ids) > event.store.max_holds:
        raise HoldLimitReached(f"You can hold at most {event.store.max_holds} seats at a time")
    held = await _carts(services, event).add(
        body.seat_ids, user_id=who.user_id, owner=who.owner, holder=who.holder
    )
    return await _reply(services, event, who, held.changes)


@router.get("/{event_id}/holds", summary="Your cart on this event", responses=_RESPONSES)
async def get_holds(
    event_id: str,
    request: Request,
    x_session_token: SessionHeader = None,
    user_id: UserQuery = None,
) -> Response:
    services, event, who = await _caller(request, event_id, x_session_token, user_id)
    return await _reply(services, event, who, [])


@router.delete(
    "/{event_id}/holds/{seat_id}",
    summary="Give one seat of your cart back",
    responses=_RESPONSES,
)
async def delete_hold(
    event_id: str,
    seat_id: str,
    request: Request,
    x_session_token: SessionHeader = None,
    user_id: UserQuery = None,
) -> Response:
    services, event, who = await _caller(request, event_id, x_session_token, user_id)
    change = await event.store.release(seat_id, owner=who.owner)
    return await _reply(services, event, who, [change])


@router.post(
    "/{event_id}/holds/checkout",
    summary="Extend your cart's deadline once, to CHECKOUT_SECONDS from now",
    description="Every seat of the cart gets the new deadline (one `held` change each). "
    "A second call is refused: the extension happens once.",
    responses=_RESPONSES,
)
async def checkout(
    event_id: str,
    request: Request,
    x_session_token: SessionHeader = None,
    user_id: UserQuery = None,
) -> Response:
    services, event, who = await _caller(request, event_id, x_session_token, user_id)
    changes = await _carts(services, event).extend(owner=who.owner)
    return await _reply(services, event, who, changes)


@router.post(
    "/{event_id}/holds/best",
    summary="Add the best free seats for a group to your cart",
    description="Chooses `quantity` free seats side by side in one row (no aisle "
    "between them), nearest the stage, never leaving a single free seat on its own, "
    "and holds them as `POST …/holds` does; `seat_ids` names the seats chosen. "
    "`category` limits the choice to one category; `accessible` picks wheelchair and "
    "companion seats (wheelchair seats are picked only then); `allow_split` lets a "
    "group that fits in no row spread over neighbouring rows. Seats another buyer takes "
    f"meanwhile are chosen again, {BEST_AVAILABLE_ATTEMPTS} times in all (then 409 "
    f"`Seats are selling fast; please try again`); the `{ATTEMPTS_HEADER}` header says "
    "how many times. No fit is a 409 saying why; an unknown category a 400 naming it.",
    responses={**_RESPONSES, 200: {"description": "The cart and the chosen `seat_ids`"}},
    openapi_extra=documented_body(BestAvailableRequest),
)
async def add_best(
    event_id: str, request: Request, x_session_token: SessionHeader = None
) -> Response:
    services = services_of(request)
    body = await read_body(request, BestAvailableRequest, limit=services.settings.max_body_bytes)
    event = await services.events.get(event_id)
    who = identity_of(services, body, x_session_token)
    if body.quantity > event.store.max_holds:
        raise InvalidRequest(f"Field 'quantity' must be at most {event.store.max_holds}")
    chooser = await chooser_of(event.store.layout, event.plan_json)
    group = Group(body.quantity, body.category, body.accessible, body.allow_split)
    chooser.check(group)

    def choose(free: list[bool], attempt: int) -> list[str]:
        # After each lost race, choose among twice as many of the best windows.
        return chooser.choose(free, group, spread=2 ** (attempt - 1))

    try:
        best = await _carts(services, event).add_best(
            choose,
            attempts=BEST_AVAILABLE_ATTEMPTS,
            user_id=who.user_id,
            owner=who.owner,
            holder=who.holder,
        )
    except NoSeatsFit as exc:
        raise await _sale_refusal(services, event) or exc from None
    if best.attempts > 1:
        logger.info(
            "best available chose again",
            extra={"event": event.id, "attempts": best.attempts, "seats": len(best.seat_ids)},
        )
    return await _reply(
        services,
        event,
        who,
        best.changes,
        extra={"seat_ids": best.seat_ids},
        headers={ATTEMPTS_HEADER: str(best.attempts)},
    )


async def _sale_refusal(services: Services, event: Event) -> BookingError | None:
    """The refusal of the event's sale state (scheduled, closed), or None while on sale.

    Read from Redis, as the seat scripts read it: sales that are not open outrank
    "no seats fit", whatever this process last heard of the state.
    """
    with redis_errors():
        state = await services.redis.get(event_key(event.id, "state"))
    codes = {b"scheduled": b"not_started", b"closed": b"closed"}
    code = codes.get(state) if isinstance(state, bytes) else None
    return None if code is None else event.store.refusal(code, "")
