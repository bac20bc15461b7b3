"""Bursts: more requests in flight in one process than a default Redis pool allows."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

from redis.asyncio import Redis

from tests.seat_api import http_client, seat_call, seats
from tests.servers import BookingProcess, RedisServer

BURST = 300
STALL_MS = 600
# Keeps Redis busy for ARGV[1] ms, as a slow fsync or a long script would.
STALL = """
local function now() local t = redis.call('TIME') return t[1] * 1000 + t[2] / 1000 end
local until_ms = now() + tonumber(ARGV[1])
while now() < until_ms do end
return 1
"""


async def test_burst_while_redis_stalls_is_answered_not_refused(
    start_booking: Callable[..., BookingProcess], redis_server: RedisServer
) -> None:
    """300 selects in flight in one process while Redis stalls all get 200, none 503."""
    booking = start_booking(VENUE_ROWS="30")
    admin = Redis.from_url(redis_server.admin_url)
    async with http_client(booking.url, connections=BURST) as api:
        seat_ids = [seat["id"] for seat in await seats(api)][:BURST]
        stall = asyncio.create_task(admin.eval(STALL, 0, STALL_MS))
        # The stall has no event to wait on: give it a moment to reach Redis first.
        await asyncio.sleep(0.05)
        responses = await asyncio.gather(
            *(
                seat_call(api, "select", seat_id, user_id=f"fan{n}")
                for n, seat_id in enumerate(seat_ids)
            )
        )
        await stall
    await admin.aclose()
    assert Counter(response.status_code for response in responses) == {200: BURST}
