"""Write calls accept only bodies declared as JSON, so other sites' pages cannot send them."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.seat_api import assert_error, seat_call, seats

SEAT_BODY = json.dumps({"seat_id": "A1", "user_id": "u1"}).encode()
SESSION_BODY = json.dumps({"user_id": "u1"}).encode()
WRITES = {
    "/api/seats/select": SEAT_BODY,
    "/api/seats/book": SEAT_BODY,
    "/api/seats/release": SEAT_BODY,
    "/api/session": SESSION_BODY,
}
REFUSED_TYPES = {
    "text-plain": "text/plain",
    "form": "application/x-www-form-urlencoded",
    "multipart": "multipart/form-data; boundary=x",
    "json-lookalike": "application/jsonp",
    "missing": None,
}


@pytest.mark.parametrize("path", WRITES)
@pytest.mark.parametrize("content_type", REFUSED_TYPES.values(), ids=REFUSED_TYPES.keys())
async def test_write_without_json_type_is_415(
    api: httpx.AsyncClient, path: str, content_type: str | None
) -> None:
    """A write whose body is not declared as JSON answers 415 and changes no seat."""
    assert (await seat_call(api, "select", "A2", user_id="u1")).status_code == 200
    before = await seats(api)
    headers = {"content-type": content_type} if content_type else {}
    response = await api.post(path, content=WRITES[path], headers=headers)
    assert assert_error(response, 415) == "Content-Type must be application/json"
    assert "session_token" not in response.json()
    assert await seats(api) == before


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON"])
async def test_write_json_type_with_parameters_is_accepted(
    api: httpx.AsyncClient, content_type: str
) -> None:
    """The JSON media type is matched case-insensitively and may carry parameters."""
    headers = {"content-type": content_type}
    response = await api.post("/api/seats/select", content=SEAT_BODY, headers=headers)
    assert response.status_code == 200, response.text
    response = await api.post("/api/session", content=SESSION_BODY, headers=headers)
    assert response.status_code == 201, response.text


async def test_session_without_any_body_needs_no_type(api: httpx.AsyncClient) -> None:
    """POST /api/session with no body at all starts a session under a made-up user id."""
    response = await api.post("/api/session")
    assert response.status_code == 201, response.text
    assert response.json()["user_id"].startswith("user-")
