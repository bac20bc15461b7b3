"""The stack as ``./start-all.sh`` runs it, tried as a hostile visitor and as the seed's clients."""

from __future__ import annotations

import asyncio
import socket
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from tests.script_stack import ScriptStack

ACCOUNTS = ("redis-booking", "nats-booking", "nats-edge")


def _ws_url(stack: ScriptStack) -> str:
    return stack.base_url.replace("http://", "ws://") + "/ws"


def _environment(pid: int) -> dict[str, str]:
    """The environment a process was started with."""
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    pairs = (entry.split(b"=", 1) for entry in raw.split(b"\0") if b"=" in entry)
    return {key.decode(): value.decode() for key, value in pairs}


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.3)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_start_all_keeps_credentials_private(script_stack: ScriptStack) -> None:
    """Passwords live in 0600 files, reach each service in its URL, are never shown or logged."""
    directory = script_stack.credentials_dir
    assert directory.stat().st_mode & 0o777 == 0o700
    for path in directory.iterdir():
        assert path.stat().st_mode & 0o777 == 0o600, path
    passwords = [script_stack.password(account) for account in ACCOUNTS]
    booking = _environment(script_stack.pid(f"booking-service-{script_stack.booking_ports[0]}"))
    assert booking["REDIS_URL"].startswith(f"redis://booking:{passwords[0]}@")
    assert booking["NATS_URL"].startswith(f"nats://booking:{passwords[1]}@")
    edge = _environment(script_stack.pid(f"edge-server-{script_stack.edge_ports[0]}"))
    assert edge["NATS_URL"].startswith(f"nats://edge:{passwords[2]}@")
    logs = [
        path.read_text(errors="replace") for path in (script_stack.directory / "logs").iterdir()
    ]
    for password in passwords:
        assert password not in script_stack.start_output
        assert not any(password in log for log in logs)


def test_start_all_redis_and_nats_refuse_anonymous_clients(script_stack: ScriptStack) -> None:
    """Without a password, Redis answers NOAUTH and NATS refuses the connection."""
    with socket.create_connection(("127.0.0.1", script_stack.ports["REDIS_PORT"]), 5) as redis:
        redis.sendall(b"PING\r\n")
        assert redis.recv(100).startswith(b"-NOAUTH")
    with socket.create_connection(("127.0.0.1", script_stack.ports["NATS_PORT"]), 5) as nats:
        reader = nats.makefile("rb")
        assert orjson.loads(reader.readline().removeprefix(b"INFO "))["auth_required"] is True
        nats.sendall(b'CONNECT {"verbose": false}\r\nPING\r\n')
        assert reader.readline().startswith(b"-ERR 'Authorization Violation'")


async def test_websocket_from_a_foreign_page_is_refused(script_stack: ScriptStack) -> None:
    """Through NGINX, a WebSocket from another site's page gets 403; our page's origin gets 101."""
    with pytest.raises(InvalidStatus) as refused:
        async with connect(_ws_url(script_stack), origin=Origin("http://evil.example")):
            pass
    assert refused.value.response.status_code == 403
    port = script_stack.ports["HTTP_PORT"]
    for page in (f"http://localhost:{port}", f"http://127.0.0.1:{port}"):
        async with connect(_ws_url(script_stack), origin=Origin(page)) as accepted:
            assert orjson.loads(await accepted.recv())["type"] == "WELCOME"


async def test_websockets_per_address_are_limited(script_stack: ScriptStack) -> None:
    """NGINX lets one address open 20 WebSockets; the 21st is refused with 429."""
    async with AsyncExitStack() as opened:
        for _ in range(20):
            client = await opened.enter_async_context(connect(_ws_url(script_stack)))
            assert orjson.loads(await client.recv())["type"] == "WELCOME"
        with pytest.raises(InvalidStatus) as refused:
            async with connect(_ws_url(script_stack)):
                pass
        assert refused.value.response.status_code == 429


def test_page_carries_the_seed_names(script_stack: ScriptStack) -> None:
    """The page, its stylesheet and its script carry what the seed's test_nginx.sh greps for."""
    base = script_stack.base_url
    assert "Concert Seat Booking" in httpx.get(base + "/", timeout=5).text.split("</title>")[0]
    assert "seat-map" in httpx.get(base + "/styles.css", timeout=5).text
    assert "class SeatBookingApp" in httpx.get(base + "/app.js", timeout=5).text
    health = httpx.get(base + "/nginx-health", timeout=5)
    assert health.json() == {"status": "healthy", "service": "nginx"}


async def test_status_floods_are_rate_limited(script_stack: ScriptStack) -> None:
    """A burst of /stats and of /health from one address gets 429s after the first ones."""
    async with httpx.AsyncClient(base_url=script_stack.base_url, timeout=10) as http:
        for path in ("/stats", "/health"):
            responses = await asyncio.gather(*(http.get(path) for _ in range(60)))
            codes = [response.status_code for response in responses]
            assert 200 in codes, path
            assert codes.count(429) >= 20, (path, codes)
            refused = next(r for r in responses if r.status_code == 429)
            assert "Too many requests" in refused.json()["error"]


def test_start_all_stops_what_it_started_when_a_late_step_fails(tmp_path: Path) -> None:
    """When NGINX fails to start, start-all.sh exits non-zero and leaves nothing running."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    nginx = fake_bin / "nginx"
    nginx.write_text("#!/bin/sh\necho 'nginx: cannot start' >&2\nexit 1\n")
    nginx.chmod(0o755)
    stack = ScriptStack(tmp_path / "stack")
    result = stack.run("start-all.sh", PATH=f"{fake_bin}:{stack.env['PATH']}")
    assert result.returncode != 0
    assert "nginx exited" in result.stderr
    assert "redis ready" in result.stdout
    assert "edge-server" in result.stdout
    assert not list((stack.directory / "run").glob("*.pid"))
    assert not any(_listening(port) for port in stack.all_ports)
