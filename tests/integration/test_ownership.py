"""Ownership: only the holder of a seat can book or release it, and a booking is final."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.seat_api import assert_error, seat_call, seats_by_id, start_session


async def _assert_untouchable(
    api: httpx.AsyncClient, seat_id: str, attempts: list[dict[str, Any]]
) -> None:
    """Every book and release attempt below answers 409 and leaves the venue unchanged."""
    before = await seats_by_id(api)
    for attempt in attempts:
        for action in ("book", "release"):
            assert_error(await seat_call(api, action, seat_id, **attempt), 409)
    assert await seats_by_id(api) == before


async def test_tokenless_hold_refuses_other_users(api: httpx.AsyncClient) -> None:
    """A tokenless user cannot book or release another tokenless user's hold."""
    assert (await seat_call(api, "select", "A1", user_id="u1")).status_code == 200
    await _assert_untouchable(api, "A1", [{"user_id": "u2"}, {"user_id": "U1"}])
    assert (await seats_by_id(api))["A1"]["held_by"] == "u1"
    assert (await seat_call(api, "book", "A1", user_id="u1")).status_code == 200


async def test_tokenless_hold_refuses_a_select_by_another_user(api: httpx.AsyncClient) -> None:
    """Selecting a seat held by someone else is a 409 that keeps the first holder."""
    assert (await seat_call(api, "select", "A1", user_id="u1")).status_code == 200
    error = assert_error(await seat_call(api, "select", "A1", user_id="u2"), 409)
    assert "A1" in error
    assert (await seats_by_id(api))["A1"]["held_by"] == "u1"


@pytest.mark.parametrize("in_header", [False, True], ids=["body-token", "header-token"])
async def test_session_hold_refuses_tokenless_same_user_and_other_sessions(
    api: httpx.AsyncClient, in_header: bool
) -> None:
    """A session's hold cannot be booked or released by its user_id alone or another session."""
    token = await start_session(api, "u1")
    other = await start_session(api, "u1")
    selected = await seat_call(api, "select", "B2", token=token, token_in_header=in_header)
    assert selected.status_code == 200
    assert selected.json()["seat"]["held_by"] == "u1"
    await _assert_untouchable(
        api, "B2", [{"user_id": "u1"}, {"token": other}, {"token": other, "user_id": "u1"}]
    )
    booked = await seat_call(api, "book", "B2", token=token, token_in_header=in_header)
    assert booked.status_code == 200


async def test_session_hold_is_not_taken_over_by_select(api: httpx.AsyncClient) -> None:
    """Another session or the tokenless same user selecting a session's hold gets 409."""
    token = await start_session(api, "u1")
    assert (await seat_call(api, "select", "B3", token=token)).status_code == 200
    other = await start_session(api, "u1")
    assert_error(await seat_call(api, "select", "B3", token=other), 409)
    assert_error(await seat_call(api, "select", "B3", user_id="u1"), 409)
    assert (await seat_call(api, "release", "B3", token=token)).status_code == 200


async def test_session_token_overrides_body_user_id(api: httpx.AsyncClient) -> None:
    """With a token, a different user_id in the body is ignored: the session acts."""
    token = await start_session(api, "alice")
    selected = await seat_call(api, "select", "C1", user_id="mallory", token=token)
    assert selected.status_code == 200
    assert selected.json()["user_id"] == "alice"
    assert (await seats_by_id(api))["C1"]["held_by"] == "alice"
    await _assert_untouchable(api, "C1", [{"user_id": "mallory"}, {"user_id": "alice"}])
    released = await seat_call(api, "release", "C1", user_id="mallory", token=token)
    assert released.status_code == 200
    assert (await seats_by_id(api))["C1"]["status"] == 0


@pytest.mark.parametrize("in_header", [False, True], ids=["body-token", "header-token"])
async def test_session_invalid_token_is_a_clear_400(
    api: httpx.AsyncClient, in_header: bool
) -> None:
    """A token we did not sign is refused with 400 and a sentence about the session."""
    token = await start_session(api, "u1")
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (forged, "not-a-token"):
        response = await seat_call(api, "select", "C2", token=bad, token_in_header=in_header)
        assert "session" in assert_error(response, 400).lower()
    assert (await seats_by_id(api))["C2"]["status"] == 0


async def test_session_required_when_tokenless_writes_are_off(
    make_client: Callable[..., Any],
) -> None:
    """With ALLOW_TOKENLESS_WRITES off, tokenless writes get 401 and token writes work."""
    async with make_client(allow_tokenless_writes=False) as api:
        for action in ("select", "book", "release"):
            response = await seat_call(api, action, "D1", user_id="u1")
            assert "session" in assert_error(response, 401).lower()
        assert (await seats_by_id(api))["D1"]["status"] == 0
        token = await start_session(api, "u1")
        assert (await seat_call(api, "select", "D1", token=token)).status_code == 200
        assert (await seat_call(api, "book", "D1", token=token)).status_code == 200


async def test_release_frees_the_seat_for_others(api: httpx.AsyncClient) -> None:
    """After its holder releases a seat, another user can hold it."""
    assert (await seat_call(api, "select", "E1", user_id="u1")).status_code == 200
    released = await seat_call(api, "release", "E1", user_id="u1")
    assert released.status_code == 200
    assert "released" in released.json()["message"]
    assert_error(await seat_call(api, "release", "E1", user_id="u1"), 409)
    assert (await seat_call(api, "select", "E1", user_id="u2")).status_code == 200
    assert (await seats_by_id(api))["E1"]["held_by"] == "u2"


async def test_book_without_hold_is_refused(api: httpx.AsyncClient) -> None:
    """Booking an available seat that nobody holds answers 409 and books nothing."""
    assert_error(await seat_call(api, "book", "E2", user_id="u1"), 409)
    assert (await seats_by_id(api))["E2"]["status"] == 0


async def test_booked_seat_is_final_even_for_the_booker(api: httpx.AsyncClient) -> None:
    """Select, book and release of a booked seat all answer 409, for anyone."""
    token = await start_session(api, "u3")
    assert (await seat_call(api, "select", "F1", user_id="u1")).status_code == 200
    assert (await seat_call(api, "book", "F1", user_id="u1")).status_code == 200
    before = await seats_by_id(api)
    assert before["F1"]["status"] == 2
    everyone: list[dict[str, Any]] = [{"user_id": "u1"}, {"user_id": "u2"}, {"token": token}]
    for who in everyone:
        for action in ("select", "book", "release"):
            assert_error(await seat_call(api, action, "F1", **who), 409)
    assert await seats_by_id(api) == before
