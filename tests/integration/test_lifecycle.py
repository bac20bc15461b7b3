"""Lifecycle: the booking service shuts down promptly, whatever its background tasks do."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

from tests.seat_api import http_client, seat_call
from tests.servers import BookingProcess

SHUTDOWN = 3.0
# Only keeps a shutdown that hangs from hanging the suite; the bound asserted is SHUTDOWN.
HANG_LIMIT = 3 * SHUTDOWN


async def test_lifespan_shutdown_is_prompt(make_client: Callable[..., Any]) -> None:
    """Leaving the app's lifespan ends its sweeper and heartbeat within seconds, every time."""
    for round_ in range(8):
        async with asyncio.timeout(HANG_LIMIT):
            async with make_client(hold_seconds=1) as api:
                assert (await api.get("/api/seats")).status_code == 200
                # Different moments of the sweeper's cycle: asleep, or in the middle of a call.
                await asyncio.sleep(round_ * 0.013)
                started = time.monotonic()
            shutdown = time.monotonic() - started
        assert shutdown < SHUTDOWN, f"round {round_}: shutdown took {shutdown:.2f}s"


async def test_process_exits_cleanly_on_sigterm(
    start_booking: Callable[..., BookingProcess],
) -> None:
    """SIGTERM ends a busy booking process after a complete shutdown, within seconds."""
    booking = start_booking(HOLD_SECONDS="1")
    async with http_client(booking.url) as http:
        for seat_id in ("A1", "A2", "A3"):
            assert (await seat_call(http, "select", seat_id, user_id="u1")).status_code == 200
    assert booking.process is not None
    booking.process.terminate()
    try:
        returncode = booking.process.wait(SHUTDOWN + 2)
    except subprocess.TimeoutExpired:
        returncode = None
    # uvicorn re-raises the signal once shut down, so either exit status is clean.
    assert returncode in (0, -signal.SIGTERM), booking.log_tail()
    assert "Application shutdown complete" in booking.log_tail()
