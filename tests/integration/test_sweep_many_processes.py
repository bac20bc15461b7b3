"""Several booking processes sweep the same venue: each lapse is announced exactly once."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AsyncExitStack

import pytest

from tests.changes import ChangeCollector
from tests.seat_api import http_client, seat_call, seats, venue_version
from tests.servers import BookingProcess

HOLDS = 30


@pytest.mark.slow
async def test_sweep_by_three_processes_releases_each_hold_once(
    start_booking: Callable[..., BookingProcess], changes: ChangeCollector
) -> None:
    """30 holds taken through three sweeping processes lapse with one auto_released each."""
    processes = [start_booking(HOLD_SECONDS="1") for _ in range(3)]
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(http_client(process.url, connections=HOLDS))
            for process in processes
        ]
        start = await venue_version(clients[0])
        seat_ids = [f"{row}{col}" for row in "ABC" for col in range(1, 11)]
        responses = await asyncio.gather(
            *(
                seat_call(clients[index % 3], "select", seat_id, user_id=f"u{index}")
                for index, seat_id in enumerate(seat_ids)
            )
        )
        assert all(response.status_code == 200 for response in responses)
        await changes.wait_for(lambda c: len(c.of_type("auto_released")) >= HOLDS, within=4)
        await changes.wait_for_beat_after(time.time())
        lapses = Counter(r.payload["seat_id"] for r in changes.of_type("auto_released"))
        assert lapses == dict.fromkeys(seat_ids, 1)
        # One version per hold and one per lapse: no process released a seat twice.
        assert await venue_version(clients[1]) == start + 2 * HOLDS
        assert {seat["status"] for seat in await seats(clients[2])} == {0}
