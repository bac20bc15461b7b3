"""Accounts: only the booking service may publish seat events; Redis and NATS need passwords."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from functools import partial

import httpx
import nats
import orjson
import pytest
import redis

from tests.edge import EdgeClient
from tests.servers import BookingProcess, NatsServer, RedisServer
from tests.stack import EdgeStack


async def test_nats_edge_account_cannot_publish_seat_events(edge_stack: EdgeStack) -> None:
    """A seats.booked published with an edge's credentials is refused and reaches no browser."""
    refused: asyncio.Queue[Exception] = asyncio.Queue()

    async def on_error(exc: Exception) -> None:
        await refused.put(exc)

    async with (
        EdgeClient.connect(edge_stack.ws_url(0)) as first,
        EdgeClient.connect(edge_stack.ws_url(1)) as second,
        httpx.AsyncClient(base_url=edge_stack.api, timeout=5) as api,
    ):
        for client in (first, second):
            await client.subscribe()
            await client.expect("VENUE_STATE")
        assert first.version is not None
        forged_seat = {"id": "J1", "row": 9, "col": 0, "status": 2, "booked_by": "forger"}
        forged = {
            "event_type": "booked",
            "seat_id": "J1",
            "user_id": "forger",
            "status": 2,
            "version": first.version + 1,
            "seat": forged_seat,
        }
        forger = await nats.connect(edge_stack.nats.edge_url, error_cb=on_error)
        try:
            await forger.publish("seats.booked", orjson.dumps(forged))
            await forger.flush()
            error = await asyncio.wait_for(refused.get(), timeout=5)
        finally:
            await forger.close()
        assert "permissions violation" in str(error).lower()
        # A real change published after the forgery reaches both; the forgery reached neither.
        held = await api.post("/api/seats/select", json={"seat_id": "J2", "user_id": "real"})
        assert held.status_code == 200, held.text
        for client in (first, second):
            await client.wait_for(partial(_holds, client, "J2"), what="J2 held")
            assert client.statuses()["J1"] == 0
            assert not any(
                frame["type"] == "SEAT_UPDATE" and frame["data"].get("seat_id") == "J1"
                for frame in client.frames
            )


def _holds(client: EdgeClient, seat_id: str) -> bool:
    return client.statuses()[seat_id] == 1


def test_nats_refuses_anonymous_clients(nats_server: NatsServer) -> None:
    """A client without credentials is refused by NATS before it can subscribe or publish."""
    # The NATS protocol by hand: nats-py leaks the transport of a refused connection.
    with socket.create_connection(("127.0.0.1", nats_server.port), timeout=5) as anonymous:
        reader = anonymous.makefile("rb")
        info = orjson.loads(reader.readline().removeprefix(b"INFO "))
        assert info["auth_required"] is True
        anonymous.sendall(b'CONNECT {"verbose": false}\r\nSUB seats.> 1\r\nPING\r\n')
        assert reader.readline().startswith(b"-ERR 'Authorization Violation'")


def test_redis_refuses_anonymous_clients(redis_server: RedisServer) -> None:
    """Redis answers nothing without a password; the booking account cannot reconfigure it."""
    with socket.create_connection(("127.0.0.1", redis_server.port), timeout=5) as anonymous:
        anonymous.sendall(b"PING\r\n")
        assert anonymous.recv(100).startswith(b"-NOAUTH")
    with redis.Redis.from_url(redis_server.url) as booking:
        assert booking.ping()
        assert booking.eval("return redis.call('SET', KEYS[1], 'x')", 1, "k") == b"OK"
        with pytest.raises(redis.exceptions.NoPermissionError):
            booking.config_get("maxmemory")
    with redis_server.admin_client() as admin:
        assert "maxmemory" in admin.config_get("maxmemory")


def test_redis_credentials_are_private_files(redis_server: RedisServer) -> None:
    """The passwords live in 0600 files of a 0700 directory; the ACL file shows only hashes."""
    directory = redis_server.credentials.directory
    assert directory.stat().st_mode & 0o777 == 0o700
    for path in directory.iterdir():
        assert path.stat().st_mode & 0o777 == 0o600, path
    acl = (directory / "redis-users.acl").read_text()
    assert redis_server.credentials.password("redis-booking") not in acl


def test_service_logs_never_show_credentials(
    start_booking: Callable[..., BookingProcess],
    redis_server: RedisServer,
    nats_server: NatsServer,
) -> None:
    """The booking service logs its NATS connection without the user or the password."""
    booking = start_booking(LOG_LEVEL="debug")
    health = httpx.get(booking.url + "/health", timeout=5).json()
    assert (health["redis"], health["nats"]) == ("ok", "ok")
    log = booking.log_path.read_text()
    assert "nats connected" in log
    assert f"127.0.0.1:{nats_server.port}" in log
    for secret in (
        nats_server.credentials.password("nats-booking"),
        redis_server.credentials.password("redis-booking"),
    ):
        assert secret not in log
