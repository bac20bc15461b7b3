"""One event's seat store: sale states and blocks, checked inside the scripts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson
import pytest
from redis.asyncio import Redis

from booking_service.errors import SalesNotOpen, SeatNotBlockable, SeatNotForSale, SeatNotFound
from booking_service.events.keys import event_key
from booking_service.seats import SeatStore
from shared.plans import SeatLayout, grid_plan
from shared.venue_digest import digest_of
from tests.servers import RedisServer


@pytest.fixture
async def store(redis_server: RedisServer) -> AsyncIterator[SeatStore]:
    """A 2 x 3 hall as event ``gig`` on the test Redis, its seats created."""
    client = Redis.from_url(redis_server.url)
    layout = SeatLayout.from_plan(grid_plan(2, 3))
    seat_store = SeatStore(client, "gig", layout, hold_ms=30_000, max_holds=6, cooldown_ms=0)
    await seat_store.initialise()
    yield seat_store
    await client.aclose()


async def _set_state(redis_server: RedisServer, state: str) -> None:
    client = Redis.from_url(redis_server.url)
    await client.set(event_key("gig", "state"), state)
    await client.aclose()


async def _seats(store: SeatStore) -> dict[str, dict[str, object]]:
    snapshot = await store.snapshot()
    return {seat["id"]: seat for seat in orjson.loads(snapshot.seats_json)}


@pytest.mark.parametrize(
    ("state", "sentence"),
    [
        ("scheduled", "Sales for this event have not started yet"),
        ("closed", "Sales for this event are closed"),
    ],
)
async def test_seat_store_refuses_selling_outside_sales_but_releases(
    store: SeatStore, redis_server: RedisServer, state: str, sentence: str
) -> None:
    """A scheduled or closed event refuses select and book with its sentence; release works."""
    await store.select("A1", user_id="u1", owner="u1", holder="h1")
    await _set_state(redis_server, state)
    for attempt in (
        store.select("A2", user_id="u1", owner="u1", holder="h1"),
        store.book("A1", owner="u1"),
    ):
        with pytest.raises(SalesNotOpen, match=sentence):
            await attempt
    released = await store.release("A1", owner="u1")
    assert released.seat["status"] == 0


async def test_seat_store_blocked_seat_is_not_for_sale(store: SeatStore) -> None:
    """A blocked seat stays status 0 with ``blocked: true`` last, and select refuses it."""
    changes = await store.block(["A1", "A2", "A1"], blocked=True)
    assert [change.seat_id for change in changes] == ["A1", "A2"]
    assert [change.version for change in changes] == [2, 3]
    assert changes[0].seat_json == (
        b'{"id":"A1","row":0,"col":0,"status":0,"category":"Standard","blocked":true}'
    )
    with pytest.raises(SeatNotForSale, match="Seat A1 is not for sale"):
        await store.select("A1", user_id="u1", owner="u1", holder="h1")
    unblocked = await store.block(["A1", "B1"], blocked=False)
    assert [change.seat_id for change in unblocked] == ["A1"]
    assert "blocked" not in unblocked[0].seat
    assert (await store.select("A1", user_id="u1", owner="u1", holder="h1"))[-1].changed


async def test_seat_store_block_is_all_or_nothing(store: SeatStore) -> None:
    """A held or booked seat, or an unknown one, refuses the whole block and changes nothing."""
    await store.select("A3", user_id="u1", owner="u1", holder="h1")
    await store.select("B3", user_id="u1", owner="u1", holder="h1")
    await store.book("B3", owner="u1")
    before = await store.snapshot()
    with pytest.raises(SeatNotBlockable, match="Seat A3 is held"):
        await store.block(["A1", "A3"], blocked=True)
    with pytest.raises(SeatNotBlockable, match="Seat B3 is booked"):
        await store.block(["A1", "B3"], blocked=True)
    with pytest.raises(SeatNotFound, match="Seat Z9 does not exist"):
        await store.block(["A1", "Z9"], blocked=True)
    assert await store.snapshot() == before


async def test_seat_store_digest_counts_blocks(store: SeatStore) -> None:
    """The kept digest equals the digest of the seats with their blocks, and differs by them."""
    unblocked = (await store.snapshot()).digest
    await store.block(["B2"], blocked=True)
    snapshot = await store.snapshot()
    assert snapshot.digest == digest_of((await _seats(store)).values())
    assert snapshot.digest != unblocked
    await store.block(["B2"], blocked=False)
    assert (await store.snapshot()).digest == unblocked
