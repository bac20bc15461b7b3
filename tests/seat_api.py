"""Calls of the booking service's REST API as the tests make them, and checks of replies."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, Literal

import httpx

from tests.servers import BookingProcess

__all__ = [
    "Action",
    "assert_error",
    "http_client",
    "poll_until",
    "process_clients",
    "seat_call",
    "seats",
    "seats_by_id",
    "start_session",
    "venue_version",
]

Action = Literal["select", "book", "release"]

Seat = dict[str, Any]


async def seat_call(
    http: httpx.AsyncClient,
    action: Action,
    seat_id: str,
    *,
    user_id: str | None = None,
    token: str | None = None,
    token_in_header: bool = False,
) -> httpx.Response:
    """POST ``/api/seats/<action>``; a token goes in the body or the X-Session-Token header."""
    body: dict[str, Any] = {"seat_id": seat_id}
    if user_id is not None:
        body["user_id"] = user_id
    headers: dict[str, str] = {}
    if token is not None:
        if token_in_header:
            headers["X-Session-Token"] = token
        else:
            body["session_token"] = token
    return await http.post(f"/api/seats/{action}", json=body, headers=headers)


async def start_session(http: httpx.AsyncClient, user_id: str) -> str:
    """A new session's token for ``user_id`` (``POST /api/session``)."""
    response = await http.post("/api/session", json={"user_id": user_id})
    assert response.status_code == 201, response.text
    token: str = response.json()["session_token"]
    return token


async def seats(http: httpx.AsyncClient) -> list[Seat]:
    """``GET /api/seats``, which must answer 200."""
    response = await http.get("/api/seats")
    assert response.status_code == 200, response.text
    listed: list[Seat] = response.json()
    return listed


async def seats_by_id(http: httpx.AsyncClient) -> dict[str, Seat]:
    """Every seat keyed by its id."""
    return {seat["id"]: seat for seat in await seats(http)}


async def venue_version(http: httpx.AsyncClient) -> int:
    """The venue's current version (``GET /api/venue``)."""
    response = await http.get("/api/venue")
    assert response.status_code == 200, response.text
    version: int = response.json()["version"]
    return version


def assert_error(response: httpx.Response, status: int) -> str:
    """Check the reply is ``status`` with a JSON ``{"error": <sentence>}``; return the sentence."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json"), response.headers
    error = response.json().get("error")
    assert isinstance(error, str), response.text
    assert len(error.strip()) > 3, response.text
    return error


@asynccontextmanager
async def http_client(base_url: str, *, connections: int = 10) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client on a booking process that may open ``connections`` at once."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10) as http:
        yield http


async def process_clients(
    stack: AsyncExitStack, processes: Sequence[BookingProcess], *, connections: int
) -> list[httpx.AsyncClient]:
    """One client per booking process, each able to open ``connections`` at once."""
    return [
        await stack.enter_async_context(http_client(process.url, connections=connections))
        for process in processes
    ]


async def poll_until(
    check: Callable[[], Awaitable[bool]], *, within: float, interval: float = 0.05
) -> bool:
    """Call ``check`` until it is true, for at most ``within`` seconds; whether it became true."""
    deadline = time.monotonic() + within
    while True:
        if await check():
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(interval)
