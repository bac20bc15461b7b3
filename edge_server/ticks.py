"""Tick: one event's seat changes that are due for its watchers but not yet sent.

Changes are sent per tick, not one by one, so that a burst costs one write per watcher
instead of one per change. A ``Tick`` promises:

- The first change after a quiet period goes out at once (``add`` answers 0): at low
  rates nothing waits.
- A change that comes within the window after the last send waits for the window to
  end; every change that arrives meanwhile goes out with it, in the order added.
- It keeps the commit time of each change it was given with one (unix seconds, as the
  booking service stamped it), handed back by ``take`` so the send can be timed.
- The window adapts to load: it is ``cost_factor`` times what the last send took,
  within ``min_window`` and ``max_window`` seconds, so sending takes at most about
  ``1 / (1 + cost_factor)`` of the time however fast changes come, and a change waits
  at most ``max_window``.

It does no I/O and takes the time as an argument, so it can be tested on its own.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["Tick"]

MIN_WINDOW = 0.002
# A send to 5,000 viewers costs tens of milliseconds (a system call each), so the window
# must be able to grow that far, or sending would take the whole loop.
MAX_WINDOW = 0.1
# Sending may take two thirds of the loop: a change that comes during a send waits for
# it and then for the window, so a shorter window is what keeps a busy on-sale quick,
# and the third left over still reads commands and connections at any rate.
COST_FACTOR = 0.5


class Tick:
    """The changes waiting for the end of the window, and when it ends."""

    __slots__ = (
        "_changes",
        "_committed",
        "_cost_factor",
        "_max",
        "_min",
        "_quiet_at",
        "_version",
    )

    def __init__(
        self,
        *,
        min_window: float = MIN_WINDOW,
        max_window: float = MAX_WINDOW,
        cost_factor: float = COST_FACTOR,
    ) -> None:
        self._min = min_window
        self._max = max_window
        self._cost_factor = cost_factor
        self._changes: list[bytes] = []
        self._committed: list[float] = []
        self._version = 0
        # When the window after the last send ends; a change from then on goes at once.
        self._quiet_at = float("-inf")

    def __bool__(self) -> bool:
        return bool(self._changes)

    def add(
        self, changes: list[bytes], version: int, now: float, *, committed: Sequence[float] = ()
    ) -> float:
        """Gather ``changes`` (payloads in version order, the last at ``version``, committed
        at the times ``committed``); the seconds until the tick is due, 0 if it is due now."""
        self._changes.extend(changes)
        self._committed.extend(committed)
        self._version = version
        return max(0.0, self._quiet_at - now)

    def take(self) -> tuple[list[bytes], int, list[float]] | None:
        """The gathered changes, the version of the last one and the commit times given
        with them, or None if there are none; the tick is empty afterwards."""
        if not self._changes:
            return None
        changes, self._changes = self._changes, []
        committed, self._committed = self._committed, []
        return changes, self._version, committed

    def sent(self, now: float, cost: float) -> None:
        """A send ended at ``now`` after ``cost`` seconds: the next window starts."""
        window = min(self._max, max(self._min, cost * self._cost_factor))
        self._quiet_at = now + window
