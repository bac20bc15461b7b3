"""Services: what the routes work with, built once per application."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from booking_service.changes import ChangePublisher
from booking_service.dashboard.audit import AuditLog
from booking_service.dashboard.board import Dashboard
from booking_service.dashboard.live import LiveBoard
from booking_service.events.registry import EventRegistry
from booking_service.operator import OperatorToken
from booking_service.redis_client import RedisClient
from booking_service.session_signer import SessionSigner
from booking_service.supervisor import Supervisor
from shared.config import BookingSettings

__all__ = ["Services", "services_of"]


@dataclass(frozen=True)
class Services:
    """The settings, Redis client, event registry, change publisher, session signer,
    operator token, the supervisor of the background loops, and the operator's audit
    log, dashboard and live board."""

    settings: BookingSettings
    redis: RedisClient
    events: EventRegistry
    publisher: ChangePublisher
    signer: SessionSigner
    operator: OperatorToken
    supervisor: Supervisor
    audit: AuditLog
    dashboard: Dashboard
    live: LiveBoard


def services_of(request: Request) -> Services:
    """The services of the application serving this request."""
    services: Services = request.app.state.services
    return services
