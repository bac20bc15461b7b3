"""The booking service application: assembles routes, handlers and the lifespan."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib import resources
from typing import Any, cast

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.datastructures import Headers
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from booking_service.api import (
    admin,
    dashboard,
    events,
    exports,
    health,
    holds,
    metrics,
    orders,
    seats,
    sessions,
)
from booking_service.api.commands import SeatCommands, command_route, openapi_paths
from booking_service.api.handlers import install_handlers
from booking_service.api.responses import is_operator_path, operator_refusal
from booking_service.changes import ChangePublisher, run_heartbeat
from booking_service.dashboard.audit import AuditLog
from booking_service.dashboard.board import Dashboard
from booking_service.dashboard.feed import OperatorFeed
from booking_service.dashboard.live import LiveBoard
from booking_service.errors import StoreUnavailable
from booking_service.events.registry import EventRegistry
from booking_service.metrics import observe_request
from booking_service.operator import OperatorToken
from booking_service.redis_client import connect_redis
from booking_service.services import Services
from booking_service.session_secret import load_or_create_secret
from booking_service.session_signer import SessionSigner
from booking_service.supervisor import Supervisor
from booking_service.sweeper import run_sweeper
from shared.config import BookingSettings
from shared.logging import configure_logging

__all__ = ["BookingApp", "app_from_environment", "create_app", "websocket_protocol"]

logger = logging.getLogger(__name__)


def _build_services(settings: BookingSettings) -> Services:
    redis = connect_redis(settings)
    secret = (
        settings.session_secret.encode()
        if settings.session_secret
        else load_or_create_secret(settings.data_dir)
    )
    events = EventRegistry(redis, settings)
    audit = AuditLog(redis)
    feed = OperatorFeed(settings.nats_servers(), default_event=settings.default_event)
    dashboard = Dashboard(redis, feed)
    return Services(
        settings=settings,
        redis=redis,
        events=events,
        publisher=ChangePublisher(
            settings.nats_servers(), name="booking-service", default_event=settings.default_event
        ),
        signer=SessionSigner(secret, ttl_seconds=settings.session_ttl_seconds),
        operator=OperatorToken.from_settings(settings),
        supervisor=Supervisor(),
        audit=audit,
        dashboard=dashboard,
        live=LiveBoard(events, dashboard),
    )


@asynccontextmanager
async def _running(services: Services) -> AsyncIterator[None]:
    """Load the events, start NATS (changes out, the operator feed in), the event refresh,
    the sweeper and the heartbeat; stop them in reverse order."""
    events, publisher, supervisor = services.events, services.publisher, services.supervisor
    try:
        await events.refresh()
        logger.info("events ready", extra={"events": len(events.known())})
    except StoreUnavailable:
        logger.warning("redis unreachable at start; the events load once it answers")
    publisher.start()
    services.dashboard.feed.start()
    interval = services.settings.heartbeat_seconds
    supervisor.start("events", events.run)
    supervisor.start("operator feed", services.dashboard.feed.run)
    supervisor.start("sweeper", lambda: run_sweeper(events.stores, publisher))
    supervisor.start(
        "heartbeat", lambda: run_heartbeat(events.stores, publisher, interval=interval)
    )
    # Start-up objects live as long as the process: keep them out of every collection,
    # so a full collection under load stays short.
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        await services.live.close()
        await supervisor.close()
        await services.dashboard.feed.close()
        await services.publisher.close()
        await services.redis.aclose()


class BookingApp:
    """The service's ASGI app: seat commands on their lean path, the rest through FastAPI.

    Every HTTP request under ``/api/admin`` proves the operator token before any routing,
    so a path without a route answers a stranger exactly as one with a route does (the
    live WebSocket proves it in its first frame instead, ``booking_service.dashboard.live``;
    a WebSocket handshake to any other operator path gets that same 401).
    Every HTTP request is counted in the request metrics: the seat commands by their
    lean path itself, the others here, under the name of the route that served them.
    """

    def __init__(self, api: FastAPI) -> None:
        self.api = api
        self.commands = SeatCommands(lambda: api.state.services)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket" and self._refused_handshake(scope):
                await operator_refusal()(scope, receive, send)
            else:
                await self.api(scope, receive, send)
            return
        path: str = scope["path"]
        route = command_route(path)
        if route is not None:
            await self.commands.serve(route, scope, receive, send)
        elif is_operator_path(path) and not self._operator_allowed(scope):
            await self._counted(operator_refusal(), scope, receive, send)
        else:
            await self._counted(self.api, scope, receive, send)

    @staticmethod
    async def _counted(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_noting_status)
        finally:
            # The router leaves the route it matched in the scope.
            operation = getattr(scope.get("route"), "name", None) or "unrouted"
            observe_request(operation, status, time.perf_counter() - started)

    def _refused_handshake(self, scope: Scope) -> bool:
        """Whether a WebSocket handshake is to an operator path with no socket behind it."""
        return is_operator_path(scope["path"]) and not any(
            route.matches(scope)[0] is Match.FULL for route in self.api.router.routes
        )

    def _operator_allowed(self, scope: Scope) -> bool:
        services: Services = self.api.state.services
        return services.operator.allows(Headers(scope=scope).get("authorization"))

    def lifespan(self) -> AbstractAsyncContextManager[None]:
        """The lifespan for callers that drive the app without a server (tests)."""
        return cast(AbstractAsyncContextManager[None], self.api.router.lifespan_context(self.api))


def _openapi(api: FastAPI) -> dict[str, Any]:
    if api.openapi_schema is None:
        schema = get_openapi(
            title=api.title,
            version=api.version,
            summary=api.summary,
            description=api.description,
            routes=api.routes,
        )
        schema["paths"] = {**openapi_paths(), **schema["paths"]}
        api.openapi_schema = schema
    return api.openapi_schema


def websocket_protocol() -> str:
    """The edges' WebSocket protocol in Markdown, as ``/docs`` shows it beside the REST calls."""
    return resources.files("shared").joinpath("websocket_protocol.md").read_text("utf-8")


def create_app(settings: BookingSettings) -> BookingApp:
    """The booking service for these settings; background work runs during its lifespan."""

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        services = _build_services(settings)
        api.state.services = services
        async with _running(services):
            yield

    api = FastAPI(
        title="Seat booking service",
        version="1.0",
        summary="Atomic seat holds and bookings for any number of events, with changes on NATS.",
        description=websocket_protocol(),
        lifespan=lifespan,
    )
    install_handlers(api)
    for module in (
        seats, events, holds, orders, admin, dashboard, exports, sessions, health, metrics
    ):  # fmt: skip
        api.include_router(module.router)
    api.openapi = lambda: _openapi(api)  # type: ignore[method-assign]
    return BookingApp(api)


def app_from_environment() -> BookingApp:
    """Factory for uvicorn workers: settings and logging from the environment."""
    settings = BookingSettings()
    configure_logging(settings.log_level, service="booking-service")
    return create_app(settings)
