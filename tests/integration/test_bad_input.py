"""Bad input: every malformed, oversized or hostile request gets a clear 4xx, changing nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.seat_api import assert_error, seat_call, seats

# The holder every body below names, so a body that slipped through would change a seat.
HOLDER = {"seat_id": "A1", "user_id": "u1"}
MEGABYTE = 1 << 20
JSON_TYPE = {"content-type": "application/json"}


def _json(**fields: Any) -> bytes:
    return json.dumps(fields).encode()


BAD_BODIES: dict[str, tuple[bytes, int]] = {
    "missing-seat-id": (_json(user_id="u1"), 400),
    "missing-user-id": (_json(seat_id="A1"), 400),
    "extra-field": (_json(**HOLDER, admin=True), 400),
    "seat-id-number": (_json(seat_id=5, user_id="u1"), 400),
    "seat-id-null": (_json(seat_id=None, user_id="u1"), 400),
    "seat-id-object": (_json(seat_id={"id": "A1"}, user_id="u1"), 400),
    "user-id-list": (_json(seat_id="A1", user_id=[]), 400),
    "user-id-null": (_json(seat_id="A1", user_id=None), 400),
    "user-id-number": (_json(seat_id="A1", user_id=1), 400),
    "unknown-seat": (_json(seat_id="Z99", user_id="u1"), 404),
    "unknown-column": (_json(seat_id="A11", user_id="u1"), 404),
    "seat-id-path": (_json(seat_id="../../etc", user_id="u1"), 400),
    "unknown-seat-zero-column": (_json(seat_id="A0", user_id="u1"), 404),
    "seat-id-empty": (_json(seat_id="", user_id="u1"), 400),
    "unknown-seat-lowercase": (_json(seat_id="a1", user_id="u1"), 404),
    "seat-id-newline": (_json(seat_id="A1\n", user_id="u1"), 400),
    "not-json": (b"seat_id=A1&user_id=u1", 400),
    "truncated-json": (b'{"seat_id": "A1", "user_id": "u1"', 400),
    "json-array": (json.dumps([HOLDER]).encode(), 400),
    "json-string": (b'"A1"', 400),
    "json-null": (b"null", 400),
    "empty": (b"", 400),
    "invalid-utf8": (b'{"seat_id": "A1", "user_id": "\xff\xfe"}', 400),
    "script-user-id": (_json(seat_id="A1", user_id="<script>alert(1)</script>"), 400),
    "unicode-user-id": (_json(seat_id="A1", user_id="ユーザー"), 400),
    "nul-user-id": (_json(seat_id="A1", user_id="u1\x00"), 400),
    "sql-user-id": (_json(seat_id="A1", user_id="u1'; DROP TABLE seats;--"), 400),
    "long-user-id": (_json(seat_id="A1", user_id="u" * 65), 400),
    "huge-user-id": (_json(seat_id="A1", user_id="u" * 10_000), 413),
    "megabyte": (_json(**HOLDER, pad="x" * MEGABYTE), 413),
    "non-ascii-token": (_json(**HOLDER, session_token="é.é"), 400),
    "forged-token": (_json(**HOLDER, session_token="e30.e30"), 400),
    "empty-token": (_json(**HOLDER, session_token=""), 400),
}


@pytest.fixture
async def held(api: httpx.AsyncClient) -> AsyncIterator[list[dict[str, Any]]]:
    """A1 held by u1; yields every seat as it was, for comparison after the test."""
    assert (await seat_call(api, "select", "A1", user_id="u1")).status_code == 200
    before = await seats(api)
    yield before
    assert await seats(api) == before, "a rejected request changed a seat"


@pytest.mark.parametrize(("body", "status"), BAD_BODIES.values(), ids=BAD_BODIES.keys())
async def test_bad_body_is_a_clear_4xx_that_changes_nothing(
    api: httpx.AsyncClient, held: list[dict[str, Any]], body: bytes, status: int
) -> None:
    """Select, book and release with this body answer a JSON error, never 422 or 500."""
    for action in ("select", "book", "release"):
        response = await api.post(f"/api/seats/{action}", content=body, headers=JSON_TYPE)
        assert_error(response, status)


async def test_bad_body_streamed_without_length_is_413(
    api: httpx.AsyncClient, held: list[dict[str, Any]]
) -> None:
    """A megabyte streamed in chunks, with no Content-Length, is cut off with 413."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"seat_id": "A1", "user_id": "u1", "pad": "'
        for _ in range(64):
            yield b"x" * (MEGABYTE // 64)
        yield b'"}'

    response = await api.post("/api/seats/book", content=chunks(), headers=JSON_TYPE)
    assert "content-length" not in response.request.headers
    assert_error(response, 413)


@pytest.mark.parametrize(
    "token", [b"\xe9.\xe9", b"garbage", b"e30.e30"], ids=["latin-1", "garbage", "forged"]
)
async def test_bad_session_header_is_a_clear_400(
    api: httpx.AsyncClient, held: list[dict[str, Any]], token: bytes
) -> None:
    """A malformed X-Session-Token header answers 400 whatever bytes it holds."""
    for action in ("select", "book", "release"):
        response = await api.post(
            f"/api/seats/{action}", json=HOLDER, headers={b"X-Session-Token": token}
        )
        assert "session" in assert_error(response, 400).lower()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (_json(user_id="<script>"), 400),
        (_json(user_id=7), 400),
        (_json(user_id="u1", admin=True), 400),
        (b"[]", 400),
        (b"{", 400),
        (_json(user_id="u" * 10_000), 413),
    ],
    ids=["script", "number", "extra-field", "array", "not-json", "huge"],
)
async def test_bad_session_request_is_a_clear_4xx(
    api: httpx.AsyncClient, body: bytes, status: int
) -> None:
    """POST /api/session with a bad body answers a JSON error and issues no token."""
    response = await api.post("/api/session", content=body, headers=JSON_TYPE)
    assert_error(response, status)
    assert "session_token" not in response.json()


async def test_seat_id_must_match_exactly(
    api: httpx.AsyncClient,
) -> None:
    """Seat ids are exact: 'J10' exists, 'J010', 'j10' and 'K1' do not."""
    assert (await seat_call(api, "select", "J10", user_id="u1")).status_code == 200
    assert_error(await seat_call(api, "select", "J010", user_id="u1"), 404)
    assert_error(await seat_call(api, "select", "j10", user_id="u1"), 404)
    assert_error(await seat_call(api, "select", "K1", user_id="u1"), 404)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/nope", 404),
        ("POST", "/api/seats/steal", 404),
        ("GET", "/etc/passwd", 404),
        ("GET", "/api/seats/select", 405),
        ("DELETE", "/api/seats", 405),
    ],
)
async def test_unknown_route_is_a_json_error(
    api: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    """Unknown routes and methods answer 404 / 405 with a JSON error body."""
    assert_error(await api.request(method, path), status)


async def test_openapi_documents_the_seat_calls(api: httpx.AsyncClient) -> None:
    """GET /docs serves the API explorer and /openapi.json describes select, book, release."""
    docs = await api.get("/docs")
    assert docs.status_code == 200
    assert "text/html" in docs.headers["content-type"]
    schema = await api.get("/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for action in ("select", "book", "release"):
        assert "post" in paths[f"/api/seats/{action}"]
    assert "get" in paths["/api/seats"]
