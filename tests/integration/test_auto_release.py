"""Auto-release: a hold lapses HOLD_SECONDS after it was taken, never early, never twice."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from tests.changes import ChangeCollector
from tests.seat_api import http_client, seat_call, seats_by_id
from tests.servers import BookingProcess

HOLD = 1.0
# How late everyone may see a lapse (SPEC promise 3).
LATE = 0.5


async def test_hold_auto_releases_on_time(
    start_booking: Callable[..., BookingProcess], changes: ChangeCollector
) -> None:
    """Holds with staggered deadlines each lapse no earlier than HOLD and within 0.5 s of it."""
    booking = start_booking(HOLD_SECONDS=str(HOLD))
    taken: dict[str, tuple[float, float]] = {}
    async with http_client(booking.url) as http:
        for index, seat_id in enumerate(("A1", "B2", "C3", "D4", "E5", "F6")):
            before = time.time()
            response = await seat_call(http, "select", seat_id, user_id=f"u{index}")
            taken[seat_id] = (before, time.time())
            assert response.status_code == 200
            # Deadlines 30 ms apart: the sweeper must meet each one, and a sweep made for
            # one deadline must not take the next hold early.
            await asyncio.sleep(0.03)
        await changes.wait_for(
            lambda c: all(c.of_type("auto_released", seat_id) for seat_id in taken),
            within=HOLD + 3,
        )
        for index, (seat_id, (before, after)) in enumerate(taken.items()):
            [lapse] = changes.of_type("auto_released", seat_id)
            assert lapse.at >= before + HOLD, f"{seat_id} released early"
            assert lapse.at <= after + HOLD + LATE, f"{seat_id} released late"
            assert lapse.payload["user_id"] == f"u{index}"
            assert lapse.payload["status"] == 0
        current = await seats_by_id(http)
        assert all(current[seat_id]["status"] == 0 for seat_id in taken)
        assert all("held_by" not in current[seat_id] for seat_id in taken)


async def test_hold_booked_or_released_in_time_never_auto_releases(
    start_booking: Callable[..., BookingProcess], changes: ChangeCollector
) -> None:
    """A hold booked or released before its deadline gets no auto_released event."""
    booking = start_booking(HOLD_SECONDS=str(HOLD))
    async with http_client(booking.url) as http:
        for seat_id in ("A1", "A2", "A3"):
            assert (await seat_call(http, "select", seat_id, user_id="u1")).status_code == 200
        assert (await seat_call(http, "book", "A1", user_id="u1")).status_code == 200
        assert (await seat_call(http, "release", "A2", user_id="u1")).status_code == 200
        # A3 lapses after A1's and A2's deadlines: once its lapse is seen, theirs are past.
        await changes.wait_for(lambda c: bool(c.of_type("auto_released", "A3")), within=HOLD + 3)
        await changes.wait_for_beat_after(time.time())
        assert [r.payload["seat_id"] for r in changes.of_type("auto_released")] == ["A3"]
        assert (await seats_by_id(http))["A1"]["status"] == 2


async def test_hold_reselected_keeps_its_own_deadline(
    start_booking: Callable[..., BookingProcess], changes: ChangeCollector
) -> None:
    """A seat released and held again lapses HOLD after the new hold, not the old one."""
    booking = start_booking(HOLD_SECONDS=str(HOLD))
    async with http_client(booking.url) as http:
        assert (await seat_call(http, "select", "B1", user_id="first")).status_code == 200
        assert (await seat_call(http, "release", "B1", user_id="first")).status_code == 200
        await asyncio.sleep(HOLD / 2)
        before = time.time()
        assert (await seat_call(http, "select", "B1", user_id="second")).status_code == 200
        await changes.wait_for(lambda c: bool(c.of_type("auto_released", "B1")), within=HOLD + 3)
        [lapse] = changes.of_type("auto_released", "B1")
        assert lapse.payload["user_id"] == "second"
        assert lapse.at >= before + HOLD


async def test_hold_expired_cannot_be_booked(
    start_booking: Callable[..., BookingProcess], changes: ChangeCollector
) -> None:
    """Once its hold lapsed, the former holder's book answers 409 and the seat stays free."""
    booking = start_booking(HOLD_SECONDS=str(HOLD))
    async with http_client(booking.url) as http:
        assert (await seat_call(http, "select", "C1", user_id="slow")).status_code == 200
        await changes.wait_for(lambda c: bool(c.of_type("auto_released", "C1")), within=HOLD + 3)
        assert (await seat_call(http, "book", "C1", user_id="slow")).status_code == 409
        assert (await seats_by_id(http))["C1"]["status"] == 0


@pytest.mark.slow
async def test_book_racing_its_own_expiry_is_booked_xor_released(
    start_booking: Callable[..., BookingProcess], changes: ChangeCollector
) -> None:
    """A book sent around the deadline either books (no lapse) or is refused (one lapse)."""
    booking = start_booking(HOLD_SECONDS=str(HOLD))
    rows = ("A", "B", "C")
    # Books sent from 8 ms before to 3 ms after each deadline race the sweeper (a request
    # takes a few ms to reach Redis); one 30 ms early must book, one 30 ms late must not.
    offsets = [-0.030, *((index * 0.4 - 8) / 1000 for index in range(28)), 0.030]
    outcomes: dict[str, int] = {}
    async with http_client(booking.url, connections=len(offsets)) as http:

        async def one_round(seat_id: str, user_id: str, offset: float) -> None:
            held = await seat_call(http, "select", seat_id, user_id=user_id)
            assert held.status_code == 200
            deadline = held.json()["seat"]["expires_at_ms"] / 1000
            await asyncio.sleep(max(0.0, deadline + offset - time.time()))
            sent = time.time()
            status = (await seat_call(http, "book", seat_id, user_id=user_id)).status_code
            # Redis shares this machine's clock: a book answered before the deadline
            # must have booked, one sent after it must have been refused.
            if time.time() < deadline:
                assert status == 200, f"{seat_id} refused before its deadline"
            if sent >= deadline:
                assert status == 409, f"{seat_id} booked after its deadline"
            outcomes[seat_id] = status

        for group, row in enumerate(rows):
            await asyncio.gather(
                *(
                    one_round(f"{row}{col}", f"u{col}", offsets[group * 10 + col - 1])
                    for col in range(1, 11)
                )
            )
        lapsed = sorted(seat_id for seat_id, status in outcomes.items() if status == 409)
        await changes.wait_for(
            lambda c: all(c.of_type("auto_released", seat_id) for seat_id in lapsed)
        )
        await changes.wait_for_beat_after(time.time())
        current = await seats_by_id(http)
    assert set(outcomes.values()) == {200, 409}, outcomes
    for seat_id, status in outcomes.items():
        lapses = len(changes.of_type("auto_released", seat_id))
        if status == 200:
            assert (current[seat_id]["status"], lapses) == (2, 0), seat_id
        else:
            assert status == 409, seat_id
            assert (current[seat_id]["status"], lapses) == (0, 1), seat_id
