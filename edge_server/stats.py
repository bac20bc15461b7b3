"""Counters an edge exposes at ``/stats``: plain integers, bumped on the hot path."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Stats"]


@dataclass(slots=True)
class Stats:
    """What happened on this edge since it started; every field only ever grows."""

    connections_total: int = 0
    messages_in: int = 0
    messages_out: int = 0
    broadcasts: int = 0
    slow_clients_dropped: int = 0
    rate_limited: int = 0
    abusive_clients_closed: int = 0
    resyncs: int = 0
    started: float = field(default_factory=time.monotonic)

    def report(self, *, clients: int, version: int | None, nats_connected: bool) -> dict[str, Any]:
        """The counters plus the live figures the caller knows, as ``/stats`` shows them."""
        return {
            "clients_connected": clients,
            "connections_total": self.connections_total,
            "messages_in": self.messages_in,
            "messages_out": self.messages_out,
            "broadcasts": self.broadcasts,
            "slow_clients_dropped": self.slow_clients_dropped,
            "rate_limited": self.rate_limited,
            "abusive_clients_closed": self.abusive_clients_closed,
            "resyncs": self.resyncs,
            "venue_version": version,
            "nats_connected": nats_connected,
            "uptime_seconds": round(time.monotonic() - self.started, 3),
        }
