"""Services: what the routes work with, built once per application."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis
from starlette.requests import Request

from booking_service.events import EventPublisher
from booking_service.seats import SeatStore
from booking_service.session_signer import SessionSigner
from shared.config import BookingSettings

__all__ = ["Services", "services_of"]


@dataclass(frozen=True)
class Services:
    """The settings, Redis client, seat store, event publisher and session signer."""

    settings: BookingSettings
    redis: Redis
    store: SeatStore
    publisher: EventPublisher
    signer: SessionSigner


def services_of(request: Request) -> Services:
    """The services of the application serving this request."""
    services: Services = request.app.state.services
    return services
