"""The booking service application: assembles routes, handlers and the lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from redis.asyncio import Redis

from booking_service.api import health, seats, session
from booking_service.api.handlers import install_handlers
from booking_service.errors import StoreUnavailable
from booking_service.events import EventPublisher, run_heartbeat
from booking_service.seats import SeatStore
from booking_service.services import Services
from booking_service.sessions import SessionSigner, load_or_create_secret
from booking_service.sweeper import run_sweeper
from shared.config import BookingSettings
from shared.logging import configure_logging

__all__ = ["app_from_environment", "create_app"]

logger = logging.getLogger(__name__)


def _build_services(settings: BookingSettings) -> Services:
    redis = Redis.from_url(settings.redis_url, socket_connect_timeout=1, socket_timeout=2)
    secret = (
        settings.session_secret.encode()
        if settings.session_secret
        else load_or_create_secret(settings.data_dir)
    )
    return Services(
        settings=settings,
        redis=redis,
        store=SeatStore(redis, settings.venue(), hold_ms=settings.hold_ms),
        publisher=EventPublisher(settings.nats_servers(), name="booking-service"),
        signer=SessionSigner(secret),
    )


@asynccontextmanager
async def _running(services: Services) -> AsyncIterator[None]:
    """Start NATS, the sweeper and the heartbeat; stop them in reverse order."""
    try:
        created = await services.store.initialise()
        logger.info("venue ready", extra={"seats_created": created})
    except StoreUnavailable:
        logger.warning("redis unreachable at start; the venue is created once it answers")
    services.publisher.start()
    tasks = [
        asyncio.create_task(run_sweeper(services.store, services.publisher), name="sweeper"),
        asyncio.create_task(
            run_heartbeat(
                services.store, services.publisher, interval=services.settings.heartbeat_seconds
            ),
            name="heartbeat",
        ),
    ]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await services.publisher.close()
        await services.redis.aclose()


def create_app(settings: BookingSettings) -> FastAPI:
    """The booking service for these settings; background work runs during its lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = _build_services(settings)
        app.state.services = services
        async with _running(services):
            yield

    app = FastAPI(
        title="Seat booking service",
        version="1.0",
        summary="Atomic seat holds and bookings for one venue, with events on NATS.",
        lifespan=lifespan,
    )
    install_handlers(app)
    for module in (seats, session, health):
        app.include_router(module.router)
    return app


def app_from_environment() -> FastAPI:
    """Factory for uvicorn workers: settings and logging from the environment."""
    settings = BookingSettings()
    configure_logging(settings.log_level, service="booking-service")
    return create_app(settings)
