"""The sweeper: releases each lapsed hold within moments of its deadline.

Any number of booking processes may sweep at once: the release script is atomic, so
each lapse is released, and announced as ``auto_released``, by exactly one of them.
"""

from __future__ import annotations

import asyncio
import logging

from booking_service.errors import StoreUnavailable
from booking_service.events import EventPublisher
from booking_service.seats import SeatStore

__all__ = ["run_sweeper"]

logger = logging.getLogger(__name__)

BATCH = 256
# Holds taken by other processes are noticed at least this often (seconds): with
# holds longer than this, every deadline is known before it falls due.
MAX_IDLE = 0.2
RETRY_AFTER_ERROR = 0.5


async def run_sweeper(store: SeatStore, publisher: EventPublisher) -> None:
    """Sweep until cancelled, sleeping until the next known deadline in between."""
    while True:
        try:
            sweep = await store.expire_due(limit=BATCH)
        except StoreUnavailable:
            logger.debug("sweep skipped: redis unreachable")
            await asyncio.sleep(RETRY_AFTER_ERROR)
            continue
        for change in sweep.released:
            logger.info(
                "hold lapsed",
                extra={"seat": change.seat_id, "user": change.user_id, "version": change.version},
            )
            await publisher.publish_change(change)
        if len(sweep.released) == BATCH:
            continue
        delay = MAX_IDLE
        if sweep.next_deadline_ms is not None:
            delay = min(delay, (sweep.next_deadline_ms - sweep.now_ms) / 1000)
        await asyncio.sleep(max(delay, 0.001))
