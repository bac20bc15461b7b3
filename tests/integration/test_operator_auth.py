"""The operator area: every stranger gets the same 401, on every path and entry point."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.event_api import ADMIN_TOKEN, OPERATOR
from tests.operator_socket import OperatorSocket
from tests.seat_api import http_client
from tests.servers import BookingProcess, NginxServer

# Routes with and without a route behind them; each is asked with every method it might take.
PATHS = [
    ("GET", "/api/admin"),
    ("GET", "/api/admin/"),
    ("GET", "/api/admin/events"),
    ("POST", "/api/admin/events"),
    ("POST", "/api/admin/events/main/state"),
    ("POST", "/api/admin/events/main/blocks"),
    ("GET", "/api/admin/events/main/dashboard"),
    ("GET", "/api/admin/events/main/audit"),
    ("GET", "/api/admin/events/main/orders.csv"),
    ("POST", "/api/admin/orders/ABCDEFGH/cancel"),
    ("GET", "/api/admin/live"),
    ("GET", "/api/admin/no-such-thing"),
    ("DELETE", "/api/admin/events/nowhere/anything"),
]
STRANGERS = [
    {},
    {"Authorization": "Bearer not-the-operator-token"},
    {"Authorization": f"Basic {ADMIN_TOKEN}"},
    {"Authorization": "Bearer"},
    {"Authorization": f"Bearer {ADMIN_TOKEN}x"},
]
# Headers whose values may differ between two answers without telling anything.
_VARYING = {"date"}


@pytest.fixture
def entry_points(
    start_booking: Callable[..., BookingProcess], tmp_path: Path
) -> Iterator[dict[str, str]]:
    """The booking service's own port and NGINX in front of it."""
    booking = start_booking(ADMIN_TOKEN=ADMIN_TOKEN)
    nginx = NginxServer(
        tmp_path / "nginx",
        booking=booking.url.removeprefix("http://"),
        edges=["127.0.0.1:9"],
        api_burst=len(PATHS) * len(STRANGERS) * 2,
    )
    nginx.start()
    try:
        yield {"booking": booking.url, "nginx": nginx.url}
    finally:
        nginx.stop()


def _shape(response: httpx.Response) -> tuple[int, bytes, tuple[tuple[str, str], ...]]:
    headers = tuple(sorted((k, v) for k, v in response.headers.items() if k not in _VARYING))
    return response.status_code, response.content, headers


async def test_operator_area_refuses_every_stranger_alike(entry_points: dict[str, str]) -> None:
    """Missing and wrong tokens get the same 401 on every /api/admin path, whether a route
    exists there or not, byte for byte and header for header, on each entry point."""
    for name, url in entry_points.items():
        async with http_client(url) as http:
            answers = {
                _shape(await http.request(method, path, headers=headers, json={}))
                for method, path in PATHS
                for headers in STRANGERS
            }
        assert len(answers) == 1, (name, answers)
        [(status, body, headers)] = answers
        assert (status, body) == (401, b'{"error":"Authentication required"}'), name
        assert ("www-authenticate", "Bearer") in headers, name


async def test_operator_area_with_the_token_routes_and_404s(entry_points: dict[str, str]) -> None:
    """With the token a real route answers and a path without one is a plain 404."""
    for url in entry_points.values():
        async with http_client(url) as http:
            assert (await http.get("/api/admin/events", headers=OPERATOR)).status_code == 200
            missing = await http.get("/api/admin/no-such-thing", headers=OPERATOR)
            assert missing.status_code == 404
            assert missing.json() == {"error": "Not Found"}


@pytest.mark.parametrize("first", [{"type": "AUTH", "token": "wrong"}, {"type": "WATCH"}, "{"])
async def test_operator_live_socket_refuses_strangers(
    entry_points: dict[str, str], first: dict[str, str] | str
) -> None:
    """A first frame without the right token gets ERROR "Authentication required" and 1008,
    through NGINX as on the service's own port; the right one gets WELCOME."""
    for url in entry_points.values():
        async with OperatorSocket.connect(url) as socket:
            await socket.send(first)
            error = await socket.next("ERROR")
            assert error == {"type": "ERROR", "error": "Authentication required"}
            assert await socket.wait_closed() == 1008
        async with OperatorSocket.connect(url) as socket:
            welcome = await socket.login(ADMIN_TOKEN)
            assert [event["id"] for event in welcome["events"]] == ["main"]
            assert welcome["events"][0]["counts"]["available"] == 100


@pytest.mark.parametrize("path", ["/api/admin", "/api/admin/events", "/api/admin/no-such-thing"])
async def test_operator_area_refuses_a_websocket_handshake_off_the_live_socket(
    entry_points: dict[str, str], path: str
) -> None:
    """A WebSocket handshake to any operator path but the live socket gets the same 401
    as every stranger's request, through NGINX as on the service's own port."""
    for name, url in entry_points.items():
        with pytest.raises(InvalidStatus) as refused:
            async with connect(url.replace("http", "ws", 1) + path, open_timeout=5):
                pass
        response = refused.value.response
        assert (response.status_code, response.body) == (
            401,
            b'{"error":"Authentication required"}',
        ), name
        assert response.headers["WWW-Authenticate"] == "Bearer", name
