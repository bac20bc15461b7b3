"""Seat ids, user ids and token lengths: one rule each, matched against the whole value."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.identifiers import SESSION_TOKEN_MAX_LENGTH, is_seat_id, is_user_id
from shared.messages import SeatRequest, SessionRequest


@pytest.mark.parametrize(
    "seat_id", ["A1", "J10", "ZZ999", "AAA1", "a1", "A0", "BAL-A1", "B101-12_3", "x" * 32]
)
def test_identifiers_accept_seat_ids(seat_id: str) -> None:
    """One to 32 letters, digits, ``_`` or ``-`` make a seat id."""
    assert is_seat_id(seat_id)


@pytest.mark.parametrize(
    "seat_id", ["A1\n", "A1 ", " A1", "A 1", "A1\nB2", "", "x" * 33, "é", "A.1", "../x"]
)
def test_identifiers_refuse_seat_ids_with_anything_around_them(seat_id: str) -> None:
    """A trailing newline or space, or any other extra character, makes no seat id."""
    assert not is_seat_id(seat_id)


@pytest.mark.parametrize("user_id", ["u1\n", "u1 ", "a b", "", "x" * 65])
def test_identifiers_refuse_user_ids_that_do_not_match_whole(user_id: str) -> None:
    """A user id must match as a whole and be at most 64 characters."""
    assert not is_user_id(user_id)
    assert is_user_id("x" * 64)


@pytest.mark.parametrize("seat_id", ["A1\n", "A1 "])
def test_identifiers_rest_bodies_refuse_a_seat_id_with_trailing_whitespace(seat_id: str) -> None:
    """The REST body models apply the same seat-id and user-id rules."""
    with pytest.raises(ValidationError):
        SeatRequest.model_validate({"seat_id": seat_id})
    with pytest.raises(ValidationError):
        SessionRequest.model_validate({"user_id": "u1\n"})


def test_identifiers_token_length_limit_is_the_models() -> None:
    """The REST model refuses a token one character over the shared limit."""
    SeatRequest.model_validate({"seat_id": "A1", "session_token": "t" * SESSION_TOKEN_MAX_LENGTH})
    with pytest.raises(ValidationError):
        SeatRequest.model_validate(
            {"seat_id": "A1", "session_token": "t" * (SESSION_TOKEN_MAX_LENGTH + 1)}
        )


def test_identifiers_rest_bodies_accept_multi_zone_seat_ids() -> None:
    """The REST body model takes the ids of multi-zone plans, such as BAL-A1."""
    assert SeatRequest.model_validate({"seat_id": "BAL-A1"}).seat_id == "BAL-A1"
