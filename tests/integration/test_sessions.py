"""Sessions over HTTP: start, resume, expiry and transparent renewal of tokens."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx

from shared.holders import holder_of
from shared.session_tokens import read_claims
from tests.seat_api import assert_error, poll_until, seat_call, seats_by_id

SESSION_KEYS = ["session_token", "session_id", "user_id", "holder", "expires_at"]
NOT_VALID = "The session token is not valid; start a new session"


async def _start(http: httpx.AsyncClient, user_id: str = "u1") -> dict[str, Any]:
    response = await http.post("/api/session", json={"user_id": user_id})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _resume(http: httpx.AsyncClient, token: str) -> httpx.Response:
    return await http.post("/api/session/resume", json={"session_token": token})


def _expiry(token: str) -> int:
    claims = read_claims(token.partition(".")[0]) or {}
    expires_at: int = claims["exp"]
    return expires_at


async def test_session_start_names_holder_and_expiry(api: httpx.AsyncClient) -> None:
    """POST /api/session answers token, session id, user id, holder tag and a 7-day expiry."""
    before = int(time.time())
    session = await _start(api)
    assert list(session) == SESSION_KEYS
    assert session["holder"] == holder_of(f"s:{session['session_id']}")
    assert before + 604800 <= session["expires_at"] <= int(time.time()) + 604800
    assert _expiry(session["session_token"]) == session["expires_at"]
    selected = await seat_call(api, "select", "A1", token=session["session_token"])
    assert "session_token" not in selected.json(), "a fresh token needs no renewal"


async def test_session_resume_resigns_a_valid_token(
    make_client: Callable[..., Any],
) -> None:
    """Resuming a valid token gives a new token of the same session that still owns its holds."""
    async with make_client(session_ttl_seconds=100) as api:
        session = await _start(api)
        assert (await seat_call(api, "select", "A1", token=session["session_token"])).is_success
        await asyncio.sleep(1.01)  # the expiry is in whole seconds: let one pass
        response = await _resume(api, session["session_token"])
        assert response.status_code == 200, response.text
        resumed = response.json()
        assert list(resumed) == SESSION_KEYS
        for key in ("session_id", "user_id", "holder"):
            assert resumed[key] == session[key]
        assert resumed["session_token"] != session["session_token"]
        assert resumed["expires_at"] > session["expires_at"]
        booked = await seat_call(api, "book", "A1", token=resumed["session_token"])
        assert booked.status_code == 200, booked.text


async def test_session_resume_refuses_a_forged_token(api: httpx.AsyncClient) -> None:
    """A token that was not signed by us, or was altered, cannot be resumed."""
    token = (await _start(api))["session_token"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for forged in ("e30.e30", tampered, "garbage"):
        assert assert_error(await _resume(api, forged), 400) == NOT_VALID


async def test_session_resume_refuses_a_bad_body(api: httpx.AsyncClient) -> None:
    """Resume without a token, with extra fields or not as JSON is a clear 4xx."""
    assert "session_token" in assert_error(await api.post("/api/session/resume", json={}), 400)
    extra = {"session_token": "x", "user_id": "u1"}
    assert_error(await api.post("/api/session/resume", json=extra), 400)
    form = await api.post("/api/session/resume", data={"session_token": "x"})
    assert_error(form, 415)


async def test_session_expired_token_is_refused_everywhere(
    make_client: Callable[..., Any],
) -> None:
    """Once its TTL has passed a token is refused by commands and resume like a forged one."""
    async with make_client(session_ttl_seconds=1) as api:
        session = await _start(api)
        token = session["session_token"]
        assert (await seat_call(api, "select", "A1", token=token)).status_code == 200
        await asyncio.sleep(max(0.0, session["expires_at"] - time.time()) + 0.05)
        for action in ("select", "book", "release"):
            assert assert_error(await seat_call(api, action, "A1", token=token), 400) == NOT_VALID
        assert assert_error(await _resume(api, token), 400) == NOT_VALID
        assert (await seats_by_id(api))["A1"]["status"] == 1


async def test_session_token_renewed_in_command_replies_past_half_life(
    make_client: Callable[..., Any],
) -> None:
    """Past half its lifetime, a command reply carries a renewed token of the same session."""
    async with make_client(session_ttl_seconds=2) as api:
        session = await _start(api)
        token = session["session_token"]
        replies: list[dict[str, Any]] = []

        async def renewed() -> bool:
            reply = await seat_call(api, "select", "A1", token=token)
            assert reply.status_code == 200, reply.text
            replies.append(reply.json())
            return "session_token" in replies[-1]

        assert await poll_until(renewed, within=1.5)
        new_token = replies[-1]["session_token"]
        assert _expiry(new_token) > session["expires_at"]
        booked = await seat_call(api, "book", "A1", token=new_token)
        assert booked.status_code == 200, booked.text
        tokenless = await seat_call(api, "select", "A2", user_id="u1")
        assert "session_token" not in tokenless.json()
