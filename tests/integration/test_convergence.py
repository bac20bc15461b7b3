"""Convergence: a subscriber that missed events returns to the true state within 2 s."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest

from booking_service.seats import SeatStore
from shared.holders import holder_of
from tests.seat_api import Action, http_client, poll_until, seat_call, seats
from tests.servers import BookingProcess
from tests.subscriber import ReferenceSubscriber

# SPEC promise 4: back to the true state by itself within 2 s.
CONVERGE = 2.0

Subscribe = Callable[[str], Awaitable[ReferenceSubscriber]]


async def _converges(subscriber: ReferenceSubscriber, http: httpx.AsyncClient) -> bool:
    """Whether the subscriber's mirror reaches ``GET /api/seats`` within CONVERGE seconds."""

    async def same() -> bool:
        return subscriber.seats == await seats(http)

    return await poll_until(same, within=CONVERGE)


async def test_subscriber_follows_events_without_resync(
    start_booking: Callable[..., BookingProcess], subscribe: Subscribe
) -> None:
    """Events alone, applied by version, keep a subscriber's mirror equal to the seats."""
    booking = start_booking()
    subscriber = await subscribe(booking.url)
    async with http_client(booking.url) as http:
        steps: list[tuple[Action, str]] = [
            ("select", "A1"),
            ("book", "A1"),
            ("select", "B2"),
            ("release", "B2"),
        ]
        for action, seat_id in steps:
            assert (await seat_call(http, action, seat_id, user_id="u1")).status_code == 200
        assert await _converges(subscriber, http)
    assert subscriber.resyncs == 1


async def test_subscriber_converges_after_commit_without_publish(
    start_booking: Callable[..., BookingProcess],
    subscribe: Subscribe,
    direct_store: SeatStore,
) -> None:
    """Changes committed but never published reach subscribers through the heartbeat."""
    booking = start_booking()
    subscriber = await subscribe(booking.url)
    ghost = {"user_id": "ghost", "owner": "u:ghost", "holder": holder_of("u:ghost")}
    await direct_store.select("C3", **ghost)
    await direct_store.select("C4", **ghost)
    await direct_store.book("C4", owner="u:ghost")
    async with http_client(booking.url) as http:
        assert await _converges(subscriber, http)
        mirrored = {seat["id"]: seat for seat in subscriber.seats}
        assert (mirrored["C3"]["held_by"], mirrored["C4"]["status"]) == ("ghost", 2)
    assert subscriber.resyncs > 1


@pytest.mark.slow
async def test_subscriber_converges_after_kill9_mid_burst(
    start_booking: Callable[..., BookingProcess], subscribe: Subscribe
) -> None:
    """kill -9 of a booking process mid-burst: subscribers converge to the survivor's seats."""
    doomed, survivor = start_booking(), start_booking()
    subscriber = await subscribe(survivor.url)
    seat_ids = [f"{row}{col}" for row in "DEFGH" for col in range(1, 11)]
    async with http_client(doomed.url, connections=len(seat_ids)) as http:

        async def hold_and_book(seat_id: str) -> None:
            for action in ("select", "book"):
                response = await seat_call(http, action, seat_id, user_id=f"fan-{seat_id}")
                assert response.status_code == 200

        burst = [asyncio.create_task(hold_and_book(seat_id)) for seat_id in seat_ids]
        await asyncio.wait(burst, return_when=asyncio.FIRST_COMPLETED)
        doomed.kill9()
        results = await asyncio.gather(*burst, return_exceptions=True)
    failed = [result for result in results if isinstance(result, httpx.TransportError)]
    assert failed, "the kill came after the burst: nothing was interrupted"
    assert all(r is None or isinstance(r, httpx.TransportError) for r in results), results
    async with http_client(survivor.url) as http:
        assert await _converges(subscriber, http)
        assert any(seat["status"] != 0 for seat in subscriber.seats)
