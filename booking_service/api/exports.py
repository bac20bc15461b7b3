"""Operator routes exporting an event's orders: ``orders.csv`` and ``orders.json``."""

from __future__ import annotations

from typing import Any, cast

from fastapi import APIRouter
from starlette.responses import Response

from booking_service.api.admin import Operator
from booking_service.api.responses import json_response
from booking_service.events.keys import event_key
from booking_service.exports import orders_csv, sorted_orders
from booking_service.seats import redis_errors
from booking_service.services import Services

__all__ = ["router"]

router = APIRouter(prefix="/api/admin/events", tags=["operator"])


async def _orders(services: Services, event_id: str) -> list[dict[str, Any]]:
    event = await services.events.get(event_id)
    with redis_errors():
        stored = cast("list[bytes]", await services.redis.hvals(event_key(event.id, "orders")))
    return sorted_orders(stored)


@router.get(
    "/{event_id}/orders.csv",
    summary="The event's orders as CSV, one row per seat (operator)",
    response_class=Response,
)
async def export_csv(event_id: str, services: Operator) -> Response:
    body = orders_csv(await _orders(services, event_id))
    disposition = f'attachment; filename="{event_id}-orders.csv"'
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )


@router.get("/{event_id}/orders.json", summary="The event's orders as JSON (operator)")
async def export_json(event_id: str, services: Operator) -> Response:
    orders = await _orders(services, event_id)
    disposition = f'attachment; filename="{event_id}-orders.json"'
    return json_response(orders, headers={"Content-Disposition": disposition})
