"""EdgeComponents: the parts of one edge, built once from its settings.

The parts are wired so that each only knows what it uses: the NATS relay feeds the
venue feed, which keeps each watched event's mirror (``Watchers``) and broadcasts
through the hub; the snapshot keeper fetches snapshots when a mirror needs one; and
connections share the hub, watchers, snapshot keeper, booking client and counters
through one context. ``health()``
and ``stats()`` are what ``/health`` and ``/stats`` show; ``stats()`` is cached for a
second, so a flood of ``/stats`` never costs the fan-out loop more than one report a second.
``metrics`` is the edge's own Prometheus registry, which ``/metrics`` shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from edge_server.booking_client import BookingClient
from edge_server.connection import ConnectionContext
from edge_server.feed import VenueFeed
from edge_server.hub import Hub
from edge_server.keepalive import Keepalive
from edge_server.metrics import EdgeMetrics
from edge_server.mirror import VenueMirror
from edge_server.relay import NatsRelay
from edge_server.server import CLOSE_TIMEOUT
from edge_server.sessions import EdgeSessions
from edge_server.snapshots import SnapshotKeeper
from edge_server.stats import CachedReport, Stats
from edge_server.watchers import Watchers
from shared.config import EdgeSettings

__all__ = ["EdgeComponents"]


@dataclass(frozen=True, slots=True)
class EdgeComponents:
    """Counters, hub, metrics, keepalive, watchers, booking client, feed, snapshot keeper,
    NATS relay and the connection context."""

    settings: EdgeSettings
    counters: Stats
    hub: Hub
    metrics: EdgeMetrics
    keepalive: Keepalive
    watchers: Watchers
    booking: BookingClient
    feed: VenueFeed
    snapshots: SnapshotKeeper
    relay: NatsRelay
    context: ConnectionContext
    _stats_cache: CachedReport = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_stats_cache", CachedReport(self._stats_report))

    @classmethod
    def build(cls, settings: EdgeSettings) -> EdgeComponents:
        """Every part of an edge for ``settings``; nothing is started yet."""
        counters = Stats()
        secret = settings.signing_secret()
        hub = Hub(
            counters,
            slow_client_bytes=settings.slow_client_bytes,
            close_timeout=CLOSE_TIMEOUT,
            send_buffer_bytes=settings.send_buffer_bytes,
        )
        metrics = EdgeMetrics(counters, clients=hub.__len__)
        keepalive = Keepalive(interval=settings.ping_interval, timeout=settings.ping_timeout)
        watchers = Watchers(
            default_event=settings.default_event,
            linger=settings.mirror_linger_seconds,
            make_mirror=lambda event_id: VenueMirror(event_id, gap_timeout=settings.gap_timeout),
            on_sent=metrics.sent,
        )
        booking = BookingClient(
            settings.booking_service_url,
            timeout=settings.booking_timeout,
            default_event=settings.default_event,
        )
        snapshots = SnapshotKeeper(
            watchers,
            hub,
            counters,
            fetch_snapshot=booking.venue,
            poll_interval=settings.poll_interval,
        )
        feed = VenueFeed(watchers, hub, counters, wake=snapshots.wake)
        relay = NatsRelay(
            settings.nats_servers(),
            on_message=feed.on_nats_message,
            on_reconnected=snapshots.request_resync,
        )
        context = ConnectionContext(
            hub=hub,
            watchers=watchers,
            snapshots=snapshots,
            booking=booking,
            stats=counters,
            rate_per_second=settings.rate_limit_per_second,
            rate_burst=settings.rate_limit_burst,
            rate_strikes=settings.rate_limit_strikes,
            sessions=None
            if secret is None
            else EdgeSessions(secret, ttl_seconds=settings.session_ttl_seconds),
        )
        return cls(
            settings,
            counters,
            hub,
            metrics,
            keepalive,
            watchers,
            booking,
            feed,
            snapshots,
            relay,
            context,
        )

    def nats_connected(self) -> bool:
        """Whether this edge's NATS subscription is up right now."""
        return self.relay.connected

    def health(self) -> dict[str, Any]:
        """What ``/health`` shows."""
        return {
            "status": "ok",
            "service": "edge-server",
            "nats": "ok" if self.nats_connected() else "down",
            "venue_version": self.watchers.default.mirror.version,
            "clients_connected": len(self.hub),
        }

    def stats(self) -> dict[str, Any]:
        """What ``/stats`` shows: the counters and live figures, at most one second old."""
        return self._stats_cache()

    def _stats_report(self) -> dict[str, Any]:
        return self.counters.report(
            clients=len(self.hub),
            version=self.watchers.default.mirror.version,
            nats_connected=self.nats_connected(),
            watchers=self.watchers.counts(),
        )
