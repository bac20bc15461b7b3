"""Census: how many people are connected, across every edge that reports.

Each edge publishes its figures on ``edges.census`` every ``interval`` seconds
(``{"edge", "connections", "watchers": {event_id: n}, "interval", "timestamp"}``).
The census keeps each edge's latest report and forgets an edge that has been silent
for ``FORGET_AFTER`` of its intervals (stopped, crashed or cut off), so the figures
count only edges that are there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

__all__ = ["Census", "EdgeReport", "parse_report"]

# Intervals an edge may stay silent before its figures no longer count.
FORGET_AFTER = 3
# The longest interval an edge may claim, so a report cannot keep itself alive for ever.
MAX_INTERVAL = 60.0
_MAX_COUNT = 10_000_000


@dataclass(frozen=True, slots=True)
class EdgeReport:
    """One edge's latest figures: open WebSockets, and those watching each event."""

    edge: str
    connections: int
    watchers: dict[str, int]
    interval: float


def _count(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_COUNT
    return value if ok else None


def parse_report(payload: bytes) -> EdgeReport | None:
    """The report a census message carries, or None if it is malformed."""
    try:
        body = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(body, dict):
        return None
    edge, watchers, interval = body.get("edge"), body.get("watchers"), body.get("interval")
    connections = _count(body.get("connections"))
    if not isinstance(edge, str) or not 0 < len(edge) <= 200 or connections is None:
        return None
    if not isinstance(watchers, dict) or not isinstance(interval, int | float):
        return None
    counts = {str(event_id): _count(n) for event_id, n in watchers.items()}
    if not 0 < interval <= MAX_INTERVAL:
        return None
    kept = {event_id: n for event_id, n in counts.items() if n is not None}
    if len(kept) != len(counts):
        return None
    return EdgeReport(edge, connections, {k: n for k, n in kept.items() if n}, float(interval))


class Census:
    """The latest report of every edge heard from lately."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._reports: dict[str, tuple[EdgeReport, float]] = {}

    def note(self, report: EdgeReport) -> None:
        """Keep ``report`` as its edge's latest."""
        self._reports[report.edge] = (report, self._clock())

    def current(self) -> list[EdgeReport]:
        """The reports of the edges heard from within ``FORGET_AFTER`` of their intervals
        (older ones are forgotten now)."""
        now = self._clock()
        stale = [
            edge
            for edge, (report, heard) in self._reports.items()
            if now - heard > FORGET_AFTER * report.interval
        ]
        for edge in stale:
            del self._reports[edge]
        return [report for report, _ in self._reports.values()]

    def connected(self, event_id: str) -> dict[str, int]:
        """``{"people", "watching", "edges"}``: open WebSockets on every edge, those
        watching ``event_id``, and the edges reporting."""
        reports = self.current()
        return {
            "people": sum(report.connections for report in reports),
            "watching": sum(report.watchers.get(event_id, 0) for report in reports),
            "edges": len(reports),
        }
