"""Supervision of the service's background loops (the sweeper, the heartbeat).

Two layers keep them running whatever goes wrong. Each loop catches every exception
of one round itself, reports it through a ``FailureStreak`` and tries again after a
growing pause. Should a loop end anyway (a bug outside its round), the ``Supervisor``
that owns its task logs it, counts a restart and runs it again. Only cancellation, at
shutdown, stops a supervised loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from booking_service.errors import StoreUnavailable

__all__ = ["FailureStreak", "Supervisor"]

logger = logging.getLogger(__name__)

Loop = Callable[[], Coroutine[Any, Any, None]]


class FailureStreak:
    """Paces and reports one loop's consecutive failures.

    The n-th failure in a row asks for a pause of ``first * 2**(n-1)`` seconds, never more
    than ``limit``. The first failure of a streak is logged (with its traceback unless it
    is the seat store being unavailable), later ones only at debug level, and the
    recovery once, so an outage neither floods the log nor goes unseen.
    """

    def __init__(self, what: str, *, first: float, limit: float) -> None:
        self._what = what
        self._first = first
        self._limit = limit
        self.failures = 0

    def failed(self, exc: Exception) -> float:
        """Record a failure; the pause (seconds) before the next attempt."""
        self.failures += 1
        if self.failures > 1:
            logger.debug("%s failed again: %r", self._what, exc, extra={"failures": self.failures})
        elif isinstance(exc, StoreUnavailable):
            logger.warning("%s failed: %s (%r)", self._what, exc, exc.__cause__)
        else:
            logger.error("%s failed", self._what, exc_info=exc)
        return min(self._limit, self._first * 2.0 ** (self.failures - 1))

    def succeeded(self) -> None:
        """Record a success, ending any streak."""
        if self.failures:
            logger.info("%s recovered", self._what, extra={"failures": self.failures})
            self.failures = 0


class Supervisor:
    """Owns named background tasks and restarts any whose loop ends, counting restarts."""

    # Pauses before restarting a loop that keeps ending (seconds).
    RESTART_FIRST = 0.05
    RESTART_LIMIT = 0.5
    # A loop that ran this long before it ended is restarted after the shortest pause.
    STABLE_SECONDS = 10.0

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []
        self._restarts: dict[str, int] = {}

    @property
    def restarts(self) -> dict[str, int]:
        """How many times each task's loop has been restarted since start."""
        return dict(self._restarts)

    def start(self, name: str, loop: Loop) -> None:
        """Run ``loop()`` as the task ``name``, again whenever it returns or raises."""
        self._restarts[name] = 0
        self._tasks.append(asyncio.create_task(self._supervise(name, loop), name=name))

    async def close(self) -> None:
        """Cancel every task and wait until each has ended.

        A cancellation can be lost: on Python 3.11, ``asyncio.wait_for`` (which redis-py
        uses for socket timeouts) returns the result instead of raising when the
        cancellation lands just as the awaited call completes, and the loop goes on. So
        cancel again until each task is done.
        """
        pending = set(self._tasks)
        while pending:
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=0.1)
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def _supervise(self, name: str, loop: Loop) -> None:
        clock = asyncio.get_running_loop().time
        quick_ends = 0
        while True:
            started = clock()
            try:
                await loop()
                logger.error("task %s returned; restarting it", name)
            except Exception:
                logger.exception("task %s died; restarting it", name)
            # Pause longer the more often in a row the loop ended right after its start.
            quick_ends = quick_ends + 1 if clock() - started < self.STABLE_SECONDS else 1
            self._restarts[name] += 1
            await asyncio.sleep(
                min(self.RESTART_LIMIT, self.RESTART_FIRST * 2.0 ** (quick_ends - 1))
            )
