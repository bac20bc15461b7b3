"""The sweeper: releases each lapsed hold of every event within moments of its deadline.

One sweeper per process goes over all events the process knows, every round.

Any number of booking processes may sweep at once: the release script is atomic, so
each lapse is released, and announced as ``auto_released``, by exactly one of them.
A failed round (Redis refusing writes, a lost connection, a bug) is logged and tried
again after a short, growing pause of at most ``RETRY_LIMIT``: the sweeper never
stops, and catches up within moments of Redis accepting writes again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

from booking_service.changes import ChangePublisher
from booking_service.metrics import SWEEPER_LAG
from booking_service.seats import SeatStore
from booking_service.supervisor import FailureStreak

__all__ = ["Stores", "run_sweeper"]

logger = logging.getLogger(__name__)

# The seat stores of the events to go over, read afresh each round.
Stores = Callable[[], Iterable[SeatStore]]

BATCH = 256
# Holds taken by other processes are noticed at least this often (seconds): with
# holds longer than this, every deadline is known before it falls due.
MAX_IDLE = 0.2
RETRY_FIRST = 0.05
RETRY_LIMIT = 0.5


async def run_sweeper(
    events: Callable[[], Iterable[SeatStore]], publisher: ChangePublisher
) -> None:
    """Sweep until cancelled, sleeping until the next known deadline in between.

    ``events()`` gives the stores of the events to sweep, read afresh each round. An event
    whose sweep fails holds up no other: on a Redis Cluster, a shard failing over leaves
    the others' holds lapsing on time.
    """
    failures = FailureStreak("sweep", first=RETRY_FIRST, limit=RETRY_LIMIT)
    while True:
        delay, failure = MAX_IDLE, None
        for store in events():
            try:
                delay = min(delay, await _sweep_once(store, publisher))
            except Exception as exc:
                failure = failure or exc
        if failure is None:
            failures.succeeded()
        else:
            delay = min(delay, failures.failed(failure))
        await asyncio.sleep(delay)


async def _sweep_once(store: SeatStore, publisher: ChangePublisher) -> float:
    """Release and announce one event's due holds; how long to wait before its next round."""
    sweep = await store.expire_due(limit=BATCH)
    if sweep.lag_ms is not None:
        SWEEPER_LAG.set(sweep.lag_ms / 1000)
    for change in sweep.released:
        logger.info(
            "hold lapsed",
            extra={
                "event": change.event_id,
                "seat": change.seat_id,
                "user": change.user_id,
                "version": change.version,
            },
        )
        await publisher.publish_change(change)
    if len(sweep.released) == BATCH:
        return 0
    delay = MAX_IDLE
    if sweep.next_deadline_ms is not None:
        delay = min(delay, (sweep.next_deadline_ms - sweep.now_ms) / 1000)
    return max(delay, 0.001)
