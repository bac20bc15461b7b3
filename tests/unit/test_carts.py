"""Cart values and refusals: the body the API shows and the sentences of a refused add."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from booking_service.carts import Cart, CartStore
from booking_service.errors import HoldLimitReached, SeatAlreadyBooked, SeatTaken
from booking_service.seats import SeatStore
from shared.messages import HoldsRequest
from shared.plans import SeatLayout, grid_plan


def _carts() -> CartStore:
    # No round trip happens until a script runs: this store never touches a socket.
    store = SeatStore(
        Redis(),
        "main",
        SeatLayout.from_plan(grid_plan(2, 2)),
        hold_ms=30_000,
        max_holds=6,
        cooldown_ms=0,
    )
    return CartStore(store, checkout_ms=300_000)


def test_cart_body_gives_the_deadline_in_seconds_and_ms() -> None:
    """A cart's body carries its seats, its deadline both ways and whether it was extended."""
    body = Cart("main", [{"id": "A1"}], 1_700_000_000_500, True).body()
    assert body == {
        "event_id": "main",
        "seats": [{"id": "A1"}],
        "expires_at": 1_700_000_000,
        "expires_at_ms": 1_700_000_000_500,
        "extended": True,
    }


def test_cart_body_of_an_empty_cart_has_no_deadline() -> None:
    """An empty cart has no seats and null deadlines."""
    body = Cart("main", [], None, False).body()
    assert body["seats"] == []
    assert body["expires_at"] is None
    assert body["expires_at_ms"] is None


@pytest.mark.parametrize(
    ("held_before", "sentence"),
    [
        (0, "Seat B1 was just taken by someone else; nothing was held"),
        (2, "Seat B1 was just taken by someone else — your other seats are still held"),
    ],
)
def test_cart_refusal_names_the_seat_in_the_way(held_before: int, sentence: str) -> None:
    """A taken seat is named, with whether the rest of the cart is still held."""
    error = _carts().refusal(b"taken", "B1", b"", held_before=held_before)
    assert isinstance(error, SeatTaken)
    assert str(error) == sentence
    assert error.seat_id == "B1"


def test_cart_refusals_reuse_the_seat_sentences() -> None:
    """Other refusals say what a single select says; the cap names no seat."""
    booked = _carts().refusal(b"booked", "A2", b"", held_before=0)
    assert isinstance(booked, SeatAlreadyBooked)
    assert str(booked) == "Seat A2 is already booked"
    cap = _carts().refusal(b"cap", "", b"", held_before=6)
    assert isinstance(cap, HoldLimitReached)
    assert cap.seat_id is None


def test_holds_request_needs_at_least_one_valid_seat_id() -> None:
    """seat_ids must be a non-empty list of seat ids."""
    assert HoldsRequest.model_validate_json(b'{"seat_ids": ["A1", "A2"]}').seat_ids == ["A1", "A2"]
    for body in (b'{"seat_ids": []}', b'{"seat_ids": ["A 1"]}', b'{"seat_ids": "A1"}'):
        with pytest.raises(ValueError, match="seat_ids"):
            HoldsRequest.model_validate_json(body)
