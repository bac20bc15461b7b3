"""Fixtures: real Redis and NATS per test, the booking service in-process or as processes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from booking_service.app import create_app
from shared.config import BookingSettings
from tests.changes import ChangeCollector
from tests.event_api import ADMIN_TOKEN
from tests.seat_api import poll_until
from tests.servers import START_TIMEOUT, BookingProcess, NatsServer, RedisServer
from tests.stack import EdgeStack

SECRET = "test-secret-0123456789abcdef-0123456789"


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis", appendonly=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path / "nats")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def booking_env(
    redis_server: RedisServer, nats_server: NatsServer, tmp_path: Path
) -> dict[str, str]:
    """Environment for booking-service processes against this test's Redis and NATS."""
    return {
        "REDIS_URL": redis_server.url,
        "NATS_URL": nats_server.url,
        "DATA_DIR": str(tmp_path / "data"),
        "SESSION_SECRET": SECRET,
        "LOG_LEVEL": "info",
    }


@pytest.fixture
def make_settings(booking_env: dict[str, str]) -> Callable[..., BookingSettings]:
    """Settings for an in-process booking service (operator token ``ADMIN_TOKEN``);
    keyword arguments override fields."""

    def make(**overrides: Any) -> BookingSettings:
        values: dict[str, Any] = {
            "redis_url": booking_env["REDIS_URL"],
            "nats_url": booking_env["NATS_URL"],
            "data_dir": Path(booking_env["DATA_DIR"]),
            "session_secret": SECRET,
            "admin_token": ADMIN_TOKEN,
            **overrides,
        }
        return BookingSettings(**values)

    return make


@pytest.fixture
def make_client(
    make_settings: Callable[..., BookingSettings],
) -> Callable[..., Any]:
    """Async context manager factory: an httpx client on an in-process booking service."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def client(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(make_settings(**overrides))
        async with app.lifespan():
            # Changes published before the first NATS connection are dropped by design:
            # tests that count changes start once the publisher is connected (and the
            # operator feed, which keeps the dashboard's recent changes, subscribed).
            services = app.api.state.services

            async def connected() -> bool:
                return bool(services.publisher.connected and services.dashboard.feed.connected)

            assert await poll_until(connected, within=START_TIMEOUT, interval=0.01)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://booking") as http:
                yield http

    return client


@pytest.fixture
async def api(make_client: Callable[..., Any]) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process booking service with default settings."""
    async with make_client() as http:
        yield http


@pytest.fixture
async def changes(nats_server: NatsServer) -> AsyncIterator[ChangeCollector]:
    """A NATS subscriber recording every seat event of this test."""
    collector = await ChangeCollector().connect(nats_server.edge_url)
    yield collector
    await collector.close()
    assert not collector.violations, collector.violations


@pytest.fixture
def start_booking(
    booking_env: dict[str, str], tmp_path: Path
) -> Iterator[Callable[..., BookingProcess]]:
    """Start ``python -m booking_service`` processes; all are stopped after the test."""
    started: list[BookingProcess] = []

    def start(*, ready_path: str = "/health", **env: str) -> BookingProcess:
        name = f"booking-{len(started) + 1}"
        process = BookingProcess(tmp_path / "logs", {**booking_env, **env}, name=name)
        started.append(process)
        process.start(ready_path=ready_path)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture(scope="module")
def edge_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EdgeStack]:
    """Redis, NATS, a booking service (2 s holds) and two edges, shared by a test module."""
    stack = EdgeStack(tmp_path_factory.mktemp("edge-stack"), booking_env={"HOLD_SECONDS": "2"})
    try:
        yield stack.start()
    finally:
        stack.stop()


@pytest.fixture
def make_edge_stack(tmp_path: Path) -> Iterator[Callable[..., EdgeStack]]:
    """Start a fresh EdgeStack for one test (keyword arguments go to EdgeStack)."""
    started: list[EdgeStack] = []

    def make(**options: Any) -> EdgeStack:
        stack = EdgeStack(tmp_path / f"stack-{len(started) + 1}", **options)
        started.append(stack)
        return stack.start()

    yield make
    for stack in started:
        stack.stop()
