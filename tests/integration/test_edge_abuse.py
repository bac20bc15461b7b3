"""Hostile clients: impersonation, malformed and oversized frames, floods, slow readers."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.edge import EdgeClient
from tests.stack import EdgeStack

ALLOWED_ORIGIN = "http://tickets.example"


@pytest.fixture(scope="module")
def abuse_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EdgeStack]:
    """Two edges that only accept one browser origin and drop clients 16 KiB behind."""
    stack = EdgeStack(
        tmp_path_factory.mktemp("edge-abuse"),
        edge_env={
            "ALLOWED_ORIGINS": ALLOWED_ORIGIN,
            "SLOW_CLIENT_BYTES": "16384",
            "SEND_BUFFER_BYTES": "8192",
        },
    )
    try:
        yield stack.start()
    finally:
        stack.stop()


@pytest.fixture
async def abuse_api(abuse_stack: EdgeStack) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the abuse stack's booking service."""
    async with httpx.AsyncClient(base_url=abuse_stack.api, timeout=5) as http:
        yield http


async def venue_version(http: httpx.AsyncClient) -> int:
    version: int = (await http.get("/api/venue")).json()["version"]
    return version


async def seat(http: httpx.AsyncClient, seat_id: str) -> dict[str, Any]:
    seats: list[dict[str, Any]] = (await http.get("/api/seats")).json()
    return next(s for s in seats if s["id"] == seat_id)


async def test_claimed_user_id_cannot_touch_anothers_hold(
    abuse_stack: EdgeStack, abuse_api: httpx.AsyncClient
) -> None:
    """A second connection claiming the holder's user_id can neither book nor release the hold."""
    async with (
        EdgeClient.connect(abuse_stack.ws_url(0)) as victim,
        EdgeClient.connect(abuse_stack.ws_url(1)) as thief,
    ):
        await victim.subscribe(user_id="victim")
        assert (await victim.command("SELECT_SEAT", "A1"))["success"] is True
        await thief.subscribe(user_id="victim")
        for kind in ("BOOK_SEAT", "RELEASE_SEAT"):
            response = await thief.command(kind, "A1", user_id="victim")
            assert response["success"] is False, kind
        # Before any SUBSCRIBE, a command claiming the user is just as powerless.
        async with EdgeClient.connect(abuse_stack.ws_url(0)) as stranger:
            response = await stranger.command("BOOK_SEAT", "A1", user_id="victim")
            assert response["success"] is False
        held = await seat(abuse_api, "A1")
        assert (held["status"], held["held_by"]) == (1, "victim")
        assert (await victim.command("BOOK_SEAT", "A1"))["success"] is True


BAD_FRAMES: list[tuple[str | bytes, str]] = [
    ("not json", "not valid JSON"),
    ("[1, 2, 3]", "must be a JSON object"),
    ('"SUBSCRIBE"', "must be a JSON object"),
    ('{"data": {}}', "'type' is required"),
    ('{"type": 5}', "'type' is required"),
    ('{"type": "DROP_TABLES", "data": {}}', "Unknown message type"),
    ('{"type": "SELECT_SEAT", "data": []}', "'data' must be a JSON object"),
    ('{"type": "SELECT_SEAT", "data": {}}', "'seat_id' is required"),
    ('{"type": "SELECT_SEAT", "data": {"seat_id": 7}}', "'seat_id' is required"),
    ('{"type": "BOOK_SEAT", "data": {"seat_id": "A1; DROP"}}', "'seat_id' has an invalid format"),
    ('{"type": "SUBSCRIBE", "data": {"user_id": ["x"]}}', "'user_id' must be"),
    ('{"type": "SUBSCRIBE", "data": {"user_id": "no spaces"}}', "'user_id' has an invalid"),
    ('{"type": "SUBSCRIBE", "data": {"session_token": 12}}', "'session_token' must be"),
    (b'\xff\xfe{"type": "SUBSCRIBE"}', "not valid JSON"),
]


async def test_malformed_frames_get_errors_and_change_nothing(
    abuse_stack: EdgeStack, abuse_api: httpx.AsyncClient
) -> None:
    """Each malformed frame gets an ERROR naming the problem; the connection and seats stay."""
    before = await venue_version(abuse_api)
    async with EdgeClient.connect(abuse_stack.ws_url(1)) as client:
        for frame, sentence in BAD_FRAMES:
            await client.send_raw(frame)
            error = await client.expect("ERROR")
            assert sentence in error["error"], (frame, error)
        assert (await client.subscribe())["success"] is True
        assert not client.closed
    assert await venue_version(abuse_api) == before


async def test_oversized_frame_closes_with_1009(abuse_stack: EdgeStack) -> None:
    """A 1 MiB frame closes the connection with 1009 while a bystander is unaffected."""
    async with (
        EdgeClient.connect(abuse_stack.ws_url(0)) as bystander,
        EdgeClient.connect(abuse_stack.ws_url(0), max_size=None) as client,
    ):
        await client.expect("WELCOME")
        payload = '{"type": "SUBSCRIBE", "data": {"user_id": "' + "x" * (1 << 20) + '"}}'
        with contextlib.suppress(ConnectionClosed):
            await client.send_raw(payload)
        assert await client.wait_closed() == 1009
        assert (await bystander.subscribe())["success"] is True


async def test_flood_gets_an_error_then_close_1008(
    abuse_stack: EdgeStack, abuse_api: httpx.AsyncClient
) -> None:
    """A 1,000-message burst is told to slow down, then closed with 1008; others carry on."""
    before = await venue_version(abuse_api)
    async with (
        EdgeClient.connect(abuse_stack.ws_url(1)) as bystander,
        EdgeClient.connect(abuse_stack.ws_url(1)) as flooder,
    ):
        await bystander.subscribe()
        await bystander.expect("VENUE_STATE")
        frame = '{"type": "RELEASE_SEAT", "data": {"seat_id": "J9"}}'
        try:
            for _ in range(1000):
                await flooder.send_raw(frame)
        except ConnectionClosed:
            pass
        assert await flooder.wait_closed() == 1008
        errors = [f["data"]["error"] for f in flooder.frames if f["type"] == "ERROR"]
        assert errors
        assert all("Too many messages" in error for error in errors)
        responses = [f for f in flooder.frames if f["type"] == "RELEASE_SEAT_RESPONSE"]
        # The burst (40) plus what refilled while it was served; the rest was refused.
        assert 0 < len(responses) < 100
        assert (await bystander.command("SELECT_SEAT", "J10"))["success"] is True
        await bystander.wait_for(lambda: bystander.statuses()["J10"] == 1, what="J10 held")
    assert await venue_version(abuse_api) == before + 1


async def test_foreign_origin_is_refused(abuse_stack: EdgeStack) -> None:
    """A browser origin missing from ALLOWED_ORIGINS is refused with 403; a listed one is not."""
    with pytest.raises(InvalidStatus) as refused:
        async with connect(abuse_stack.ws_url(0), origin="http://evil.example"):  # type: ignore[arg-type]
            pass
    assert refused.value.response.status_code == 403
    async with EdgeClient.connect(abuse_stack.ws_url(0), origin=ALLOWED_ORIGIN) as client:
        await client.expect("WELCOME")


async def test_stalled_reader_is_dropped_without_delaying_others(
    abuse_stack: EdgeStack, abuse_api: httpx.AsyncClient
) -> None:
    """A client that stops reading is disconnected once 16 KiB behind; others get every update."""
    host, port = "127.0.0.1", abuse_stack.edges[0].port
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, port))
    sock.setblocking(False)
    async with (
        EdgeClient.connect(abuse_stack.ws_url(0)) as reader,
        connect(
            f"ws://{host}:{port}/ws", sock=sock, max_queue=1, compression=None, close_timeout=0.5
        ) as stalled,
    ):
        await reader.subscribe()
        await reader.expect("VENUE_STATE")
        session = (await abuse_api.post("/api/session", json={})).json()["session_token"]
        body = {"seat_id": "B5", "session_token": session}

        async def dropped() -> bool:
            stats = (await abuse_api.get(abuse_stack.edges[0].url + "/stats")).json()
            return bool(stats["slow_clients_dropped"] >= 1)

        changes = 0
        while not await dropped():
            assert changes < 4000, "the stalled client was never dropped"
            for action in ("select", "release"):
                (await abuse_api.post(f"/api/seats/{action}", json=body)).raise_for_status()
                changes += 1
        await reader.wait_for(lambda: reader.version is not None and reader.statuses()["B5"] == 0)
        assert reader.anomalies == []
        assert not reader.closed
        del stalled
