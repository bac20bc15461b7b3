"""Counters an edge exposes at ``/stats``: plain integers, bumped on the hot path.

``/stats`` is answered from a ``CachedReport``: however often it is asked, the report
is built at most once per ``max_age``, so a flood of requests costs the fan-out loop
nothing but handing out the same dictionary again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shared.timestamps import iso_time

__all__ = ["STATS_MAX_AGE", "CachedReport", "Stats"]

STATS_MAX_AGE = 1.0


def _now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(slots=True)
class Stats:
    """What happened on this edge since it started; every field only ever grows."""

    connections_total: int = 0
    messages_in: int = 0
    messages_out: int = 0
    broadcasts: int = 0
    # Frames left unsent to clients whose connection was closing or being dropped.
    frames_dropped: int = 0
    slow_clients_dropped: int = 0
    rate_limited: int = 0
    abusive_clients_closed: int = 0
    resyncs: int = 0
    invalid_changes: int = 0
    # Carts read from the booking service (after SUBSCRIBE, BOOK_CART and changes).
    cart_reads: int = 0
    started: float = field(default_factory=time.monotonic)
    started_ms: int = field(default_factory=_now_ms)
    last_broadcast_ms: int | None = None

    def broadcast_sent(self, recipients: int, skipped: int = 0) -> None:
        """Count one broadcast to ``recipients`` clients, made now, that skipped
        ``skipped`` closing ones."""
        self.broadcasts += 1
        self.messages_out += recipients
        self.frames_dropped += skipped
        self.last_broadcast_ms = _now_ms()

    def report(
        self,
        *,
        clients: int,
        version: int | None,
        nats_connected: bool,
        watchers: dict[str, int] | None = None,
    ) -> dict[str, Any]:
        """The counters plus the live figures the caller knows, as ``/stats`` shows them:
        ``venue_version`` is the default event's, ``watchers`` the connections watching
        each event this edge keeps a mirror of (0 for one lingering after its last left).

        The seed's keys come too: ``total_clients`` (connected now), ``total_messages``
        (frames sent to clients), ``connected_at`` (when the edge started) and
        ``last_broadcast_time`` (None before the first broadcast), times in RFC 3339.
        """
        last = self.last_broadcast_ms
        return {
            "total_clients": clients,
            "total_messages": self.messages_out,
            "connected_at": iso_time(self.started_ms),
            "last_broadcast_time": iso_time(last) if last is not None else None,
            "clients_connected": clients,
            "connections_total": self.connections_total,
            "messages_in": self.messages_in,
            "messages_out": self.messages_out,
            "broadcasts": self.broadcasts,
            "frames_dropped": self.frames_dropped,
            "slow_clients_dropped": self.slow_clients_dropped,
            "rate_limited": self.rate_limited,
            "abusive_clients_closed": self.abusive_clients_closed,
            "resyncs": self.resyncs,
            "invalid_changes": self.invalid_changes,
            "cart_reads": self.cart_reads,
            "venue_version": version,
            "watchers": watchers if watchers is not None else {},
            "nats_connected": nats_connected,
            "uptime_seconds": round(time.monotonic() - self.started, 3),
        }


class CachedReport:
    """``build()``'s result, built again only once it is ``max_age`` seconds old.

    Calls within ``max_age`` of the last build return the very same dictionary; the
    caller must not change it.
    """

    __slots__ = ("_build", "_built_at", "_clock", "_max_age", "_report")

    def __init__(
        self,
        build: Callable[[], dict[str, Any]],
        *,
        max_age: float = STATS_MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._build = build
        self._max_age = max_age
        self._clock = clock
        self._report: dict[str, Any] | None = None
        self._built_at = 0.0

    def __call__(self) -> dict[str, Any]:
        now = self._clock()
        if self._report is None or now - self._built_at >= self._max_age:
            self._report = self._build()
            self._built_at = now
        return self._report
