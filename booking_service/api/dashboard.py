"""Operator routes of the dashboard: its figures, the audit log and the live socket."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket
from starlette.responses import Response

from booking_service.api.admin import Operator
from booking_service.api.responses import json_response
from booking_service.dashboard.connection import OperatorConnection
from booking_service.services import Services

__all__ = ["AUDIT_LISTED", "router"]

# Audit entries GET .../audit lists, newest first.
AUDIT_LISTED = 200

router = APIRouter(prefix="/api/admin", tags=["operator"])


@router.get("/events/{event_id}/dashboard", summary="The event's dashboard figures (operator)")
async def dashboard(event_id: str, services: Operator) -> Response:
    event = await services.events.get(event_id)
    return json_response(await services.dashboard.data(event))


@router.get("/events/{event_id}/audit", summary="The event's audit log, newest first (operator)")
async def audit(event_id: str, services: Operator) -> Response:
    event = await services.events.get(event_id)
    return json_response(await services.audit.recent(event.id, AUDIT_LISTED))


@router.websocket("/live")
async def live(websocket: WebSocket) -> None:
    """DASHBOARD frames pushed as the watched event changes (``dashboard.connection``)."""
    services: Services = websocket.app.state.services
    connection = OperatorConnection(
        websocket,
        services.live,
        services.operator,
        max_bytes=services.settings.live_max_message_bytes,
    )
    await connection.run()
