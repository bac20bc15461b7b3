"""docker-compose.yml really run: the whole system in containers on a Docker engine.

One compose project for the module, on stand-in base images (scripts/stand-in-images.sh:
no registry is needed), torn down with its volumes at the end. The first run builds the
stand-ins (minutes); later runs reuse them and the cached image layers. The shell
scripts include test_frontend.sh, whose browser probe is the two-browser check: a hold
in one Chromium page shows in the other, then its release.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.compose import ComposeStack, docker_engine, stand_in_images
from tests.e2e.test_scripts import SHELL_TESTS
from tests.servers import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
# /stats names one entry per upstream address NGINX was given, and `edge` is one name
# for every replica, so the script's check that /stats shows two edges cannot hold;
# test_compose_scales_edges_to_four checks the spread on the edges themselves.
COMPOSE_SHELL_TESTS = [script for script in SHELL_TESTS if script != "test_nginx.sh"]
# How long NGINX may take to see new edges: it looks the service name up every 5 s.
SPREAD_SECONDS = 12.0
# WebSockets opened per try, below NGINX's 20 per address: each goes to a random edge,
# and with 16 over 4 edges one edge is left without any in under 5 % of tries.
SPREAD_VIEWERS = 16


@pytest.fixture(scope="module")
def compose_stack() -> Iterator[ComposeStack]:
    reason = docker_engine()
    if reason is not None:
        pytest.skip(f"no Docker engine can run here: {reason}")
    stack = ComposeStack(stand_in_images())
    try:
        yield stack.up()
    except Exception:
        stack.logs_path(ARTIFACTS)
        raise
    finally:
        stack.down()
        leftovers = stack.leftovers()
        assert not leftovers, f"compose down left {leftovers}"


def _health(stack: ComposeStack) -> dict[str, object]:
    response = httpx.get(stack.base_url + "/health", timeout=5)
    body: dict[str, object] = response.json()
    return body


def test_compose_services_become_healthy(compose_stack: ComposeStack) -> None:
    """Every container passes its healthcheck; through NGINX, Redis and NATS are ok."""
    compose_stack.wait_healthy()
    assert len(compose_stack.containers("edge")) == 2
    health = _health(compose_stack)
    assert (health["redis"], health["nats"]) == ("ok", "ok")


@pytest.mark.parametrize("script", COMPOSE_SHELL_TESTS)
def test_compose_shell_script_passes(compose_stack: ComposeStack, script: str) -> None:
    """Each shell test script exits 0 against the compose stack, with no failed check."""
    result = compose_stack.run(script, ARTIFACTS_DIR=str(ARTIFACTS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 failed" in result.stdout


async def _subscribe(url: str) -> dict[str, Any]:
    """One WebSocket through NGINX: its SUBSCRIBE_ACK's data, within 5 s."""
    async with connect(url, open_timeout=5, compression=None) as viewer:
        await asyncio.wait_for(viewer.recv(), 5)
        await viewer.send(json.dumps({"type": "SUBSCRIBE", "data": {"user_id": "compose-signed"}}))
        async with asyncio.timeout(5):
            while (frame := json.loads(await viewer.recv()))["type"] != "SUBSCRIBE_ACK":
                pass
    assert frame["data"]["success"], frame
    session: dict[str, Any] = frame["data"]["data"]
    return session


def test_compose_edges_sign_sessions(compose_stack: ComposeStack) -> None:
    """With the booking service paused, an edge still starts a session (it holds the
    signing secret), and the booking service accepts that session's token."""
    ws_url = compose_stack.base_url.replace("http", "ws", 1) + "/ws"
    compose_stack.compose("pause", "booking-service")
    try:
        session = asyncio.run(_subscribe(ws_url))
    finally:
        compose_stack.compose("unpause", "booking-service")
    compose_stack.wait_healthy()
    headers = {"X-Session-Token": session["session_token"]}
    api = compose_stack.base_url + "/api"
    seats = httpx.get(f"{api}/seats", timeout=5).json()
    free = next(seat["id"] for seat in seats if seat["status"] == 0)
    for action in ("select", "release"):
        response = httpx.post(
            f"{api}/seats/{action}",
            json={"seat_id": free},
            headers=headers,
            timeout=5,
        )
        assert response.status_code == 200, response.text
        assert response.json()["user_id"] == session["user_id"] == "compose-signed"


async def _open_viewers(url: str, count: int) -> list[ClientConnection]:
    """``count`` WebSockets through NGINX, each past its WELCOME."""
    viewers = []
    for _ in range(count):
        viewer = await connect(url, open_timeout=5, compression=None)
        await asyncio.wait_for(viewer.recv(), 5)
        viewers.append(viewer)
    return viewers


async def _clients_per_edge(addresses: list[str]) -> list[int]:
    """``clients_connected`` from each edge container's own /health."""
    async with httpx.AsyncClient(timeout=2) as client:
        replies = [await client.get(f"http://{address}:3000/health") for address in addresses]
    return [reply.json()["clients_connected"] for reply in replies]


async def _spread(ws_url: str, addresses: list[str]) -> list[int]:
    """Open SPREAD_VIEWERS WebSockets, count them on each edge, close them; again until
    all have some (until NGINX's next look-up, new edges get none)."""
    deadline = time.monotonic() + SPREAD_SECONDS
    while True:
        viewers = await _open_viewers(ws_url, SPREAD_VIEWERS)
        try:
            counts = await _clients_per_edge(addresses)
            if not all(counts):
                await asyncio.sleep(0.3)
                counts = await _clients_per_edge(addresses)
        finally:
            for viewer in viewers:
                await viewer.close()
        if all(counts) or time.monotonic() > deadline:
            return counts
        await asyncio.sleep(0.5)


def test_compose_scales_edges_to_four(compose_stack: ComposeStack) -> None:
    """With --scale edge=4, WebSockets reach all four edges, with no reload of NGINX."""
    compose_stack.scale("edge", 4)
    addresses = compose_stack.addresses("edge")
    assert len(addresses) == 4
    ws_url = compose_stack.base_url.replace("http", "ws", 1) + "/ws"
    counts = asyncio.run(_spread(ws_url, addresses))
    assert all(counts), f"{SPREAD_VIEWERS} WebSockets over 4 edges: {counts}"


def test_compose_redis_restart_keeps_bookings(compose_stack: ComposeStack) -> None:
    """After Redis restarts, a booking made before it is still there and new holds work."""
    api = compose_stack.base_url + "/api"
    body = {"seat_id": "J10", "user_id": "compose-keeper"}
    for action in ("select", "book"):
        response = httpx.post(f"{api}/seats/{action}", json=body, timeout=5)
        assert response.status_code == 200, response.text
    compose_stack.compose("restart", "redis")
    compose_stack.wait_healthy()
    deadline = time.monotonic() + 30
    while _health(compose_stack).get("redis") != "ok":
        assert time.monotonic() < deadline, "the booking service never saw Redis again"
        time.sleep(0.5)
    seats = httpx.get(f"{api}/seats", timeout=5).json()
    assert next(seat for seat in seats if seat["id"] == "J10")["status"] == 2
    held = httpx.post(f"{api}/seats/select", json={"seat_id": "J9", "user_id": "u"}, timeout=5)
    assert held.status_code == 200, held.text
