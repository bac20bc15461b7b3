"""Order routes: book the cart as one order, exactly once; read and cancel orders.

``POST /api/events/{id}/orders`` books every seat of the session's cart and writes its
order in one script, honouring ``Idempotency-Key`` (the same key from the same session
always answers with the same order: 201 the first time, 200 after). ``GET
/api/orders/{reference}`` shows an order to the session that made it or the operator
(anyone else gets the 404 of an unknown order); ``GET /api/orders`` lists the session's
orders, newest first. ``POST /api/admin/orders/{reference}/cancel`` (operator) makes its
seats available again, marks it cancelled and records it in the event's audit log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from booking_service.api.admin import Operator
from booking_service.api.audit import actor_of, audited
from booking_service.api.bodies import documented_body, read_body
from booking_service.api.commands import identify, identity_of
from booking_service.api.responses import json_response
from booking_service.dashboard.audit import AuditAction
from booking_service.errors import InvalidRequest, OperatorRequired, OrderNotFound
from booking_service.orders import OrderStore, owner_of, public_order
from booking_service.services import services_of
from shared.identifiers import (
    BUYER_NAME_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    EMAIL_PATTERN,
    SESSION_TOKEN_MAX_LENGTH,
    USER_ID_PATTERN,
    is_idempotency_key,
)

__all__ = ["OrderRequest", "router"]

router = APIRouter(tags=["orders"])

_ERROR = {"description": '{"error": "<sentence>"}'}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The order (an Idempotency-Key used before: the order it made)"},
    201: {"description": "The order just made"},
    400: {**_ERROR, "description": "Invalid body, session token or Idempotency-Key"},
    401: {**_ERROR, "description": "A session token is required"},
    404: {**_ERROR, "description": "Unknown event or order"},
    409: {**_ERROR, "description": "Empty cart, a lapsed hold (named), sales not open"},
    503: {**_ERROR, "description": "Redis unreachable"},
}
SessionHeader = Annotated[str | None, Header(alias="X-Session-Token")]
UserQuery = Annotated[str | None, Query(pattern=USER_ID_PATTERN)]


class OrderRequest(BaseModel):
    """Body of ``POST /api/events/{id}/orders``: the buyer's optional name and e-mail."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str | None = Field(None, min_length=1, max_length=BUYER_NAME_MAX_LENGTH)
    email: str | None = Field(None, max_length=EMAIL_MAX_LENGTH, pattern=EMAIL_PATTERN)
    user_id: str | None = Field(None, pattern=USER_ID_PATTERN)
    session_token: str | None = Field(None, min_length=1, max_length=SESSION_TOKEN_MAX_LENGTH)


@router.post(
    "/api/events/{event_id}/orders",
    summary="Book every seat of your cart as one order, exactly once per Idempotency-Key",
    responses=_RESPONSES,
    status_code=201,
    openapi_extra=documented_body(OrderRequest, required=False),
)
async def create_order(
    event_id: str,
    request: Request,
    x_session_token: SessionHeader = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Response:
    services = services_of(request)
    body = await read_body(
        request, OrderRequest, limit=services.settings.max_body_bytes, empty_ok=True
    )
    if idempotency_key is not None and not is_idempotency_key(idempotency_key):
        raise InvalidRequest("Idempotency-Key must be 1-64 letters, digits or ._~:-")
    event = await services.events.get(event_id)
    who = identity_of(services, body, x_session_token)
    placed = await OrderStore(services.redis).place(
        event.store,
        owner=who.owner,
        buyer={"user_id": who.user_id, "name": body.name, "email": body.email},
        prices=event.info.prices,
        currency=event.info.currency,
        idempotency_key=idempotency_key,
    )
    await services.publisher.publish_changes(placed.changes)
    return json_response(placed.order, status_code=201 if placed.created else 200)


@router.get("/api/orders/{reference}", summary="One order", responses=_RESPONSES)
async def get_order(
    reference: str,
    request: Request,
    x_session_token: SessionHeader = None,
    user_id: UserQuery = None,
) -> Response:
    services = services_of(request)
    _, raw = await OrderStore(services.redis).find(reference)
    authorization = request.headers.get("authorization")
    if authorization is not None:
        try:
            services.operator.check(authorization)
        except OperatorRequired:
            raise OrderNotFound(f"No order {reference}") from None
        return json_response(public_order(raw))
    who = identify(services, x_session_token, user_id)
    if owner_of(raw) != who.owner:
        raise OrderNotFound(f"No order {reference}")
    return json_response(public_order(raw))


@router.get("/api/orders", summary="Your orders on every event, newest first")
async def list_orders(
    request: Request, x_session_token: SessionHeader = None, user_id: UserQuery = None
) -> Response:
    services = services_of(request)
    who = identify(services, x_session_token, user_id)
    event_ids = [event.id for event in services.events.known()]
    orders = await OrderStore(services.redis).of_owner(event_ids, owner=who.owner)
    return json_response({"orders": orders})


@router.post(
    "/api/admin/orders/{reference}/cancel",
    tags=["operator"],
    summary="Cancel an order: its seats become available again (operator)",
    responses={**_RESPONSES, 409: {**_ERROR, "description": "Cancelled already"}},
)
async def cancel_order(reference: str, request: Request, services: Operator) -> Response:
    actor = actor_of(request)
    orders = OrderStore(services.redis)
    event_id, _ = await orders.find(reference)
    event = await services.events.get(event_id)
    order, changes = await orders.cancel(event.store, reference)
    await services.publisher.publish_changes(changes)
    seat_ids = [seat["id"] for seat in order["seats"]]
    detail = {"reference": order["reference"], "seat_ids": seat_ids}
    await audited(services, actor, event.id, AuditAction.CANCEL_ORDER, detail)
    return json_response(order)
