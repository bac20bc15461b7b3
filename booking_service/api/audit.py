"""Recording operator actions in the event's audit log, as the operator routes do.

Who acted is the ``X-Operator`` header (``operator`` when absent; 1-64 printable
characters, else a 400), from where the ``X-Real-IP`` header NGINX sets, else the
peer's address. Each entry is announced on NATS, so every process's live dashboards
show it at once. An entry is written after its action succeeded.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request

from booking_service.dashboard.audit import Actor, AuditAction
from booking_service.errors import InvalidRequest, StoreUnavailable
from booking_service.operator import operator_name
from booking_service.services import Services

__all__ = ["actor_of", "audited"]

logger = logging.getLogger(__name__)


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
    """Append the action to the event's audit log and tell every process's dashboards.

    The action has happened by now, so its answer stays a success even if Redis fails
    here: the entry then goes to the error log in full instead.
    """
    try:
        await services.audit.record(event_id, actor, action, detail)
    except StoreUnavailable:
        entry = {"who": actor.who, "address": actor.address, "action": action.value}
        logger.error(
            "audit entry not written", extra={"event": event_id, **entry, "detail": detail}
        )
        return
    await services.publisher.publish_audit(event_id)
