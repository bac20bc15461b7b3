"""Recording operator actions in the event's audit log, as the operator routes do.

Who acted is the ``X-Operator`` header (``operator`` when absent; 1-64 printable
characters, else a 400), from where the ``X-Real-IP`` header NGINX sets, else the
peer's address. Each entry is announced on NATS, so every process's live dashboards
show it at once.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from booking_service.dashboard.audit import Actor, AuditAction
from booking_service.errors import InvalidRequest
from booking_service.operator import operator_name
from booking_service.services import Services

__all__ = ["actor_of", "audited"]


def actor_of(request: Request) -> Actor:
    """Who sent the request; InvalidRequest for an ``X-Operator`` that is no name."""
    who = operator_name(request.headers.get("x-operator"))
    if who is None:
        raise InvalidRequest("X-Operator must be 1-64 printable characters")
    address = request.headers.get("x-real-ip") or (
        request.client.host if request.client is not None else ""
    )
    return Actor(who, address)


async def audited(
    services: Services,
    actor: Actor,
    event_id: str,
    action: AuditAction,
    detail: dict[str, Any],
) -> None:
    """Append the action to the event's audit log and tell every process's dashboards."""
    await services.audit.record(event_id, actor, action, detail)
    await services.publisher.publish_audit(event_id)
