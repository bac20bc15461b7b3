"""EdgeMetrics: one edge's Prometheus registry, as its ``/metrics`` shows it.

The counters are ``Stats``' own integers, read at scrape time by a collector, so the
fan-out loop pays nothing for them: ``edge_connections_open``,
``edge_connections_total``, ``edge_messages_in_total``, ``edge_messages_out_total``,
``edge_broadcasts_total``, ``edge_frames_dropped_total``,
``edge_slow_clients_dropped_total``, ``edge_rate_limit_strikes_total``,
``edge_abusive_clients_closed_total``, ``edge_resyncs_total`` and
``edge_invalid_changes_total``. The one figure observed as it happens is the histogram
``edge_fanout_delay_seconds``: for each seat change from NATS, from the commit time the
booking service stamped on it (``timestamp``) to the moment its frame was written to the
last watcher. Each edge has a registry of its own, so edges in one process stay apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from edge_server.stats import Stats

__all__ = ["EdgeMetrics"]

# From a few milliseconds on an idle edge to the seconds of a badly overloaded one.
_DELAY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

# (metric name without _total, help, Stats field)
_COUNTERS = (
    ("edge_connections", "WebSocket connections accepted", "connections_total"),
    ("edge_messages_in", "Frames received from clients", "messages_in"),
    ("edge_messages_out", "Frames sent to clients", "messages_out"),
    ("edge_broadcasts", "Writes of one set of frames to a group of clients", "broadcasts"),
    ("edge_frames_dropped", "Frames not sent to a client already closing", "frames_dropped"),
    ("edge_slow_clients_dropped", "Clients closed for not reading", "slow_clients_dropped"),
    ("edge_rate_limit_strikes", "Client frames over the rate limit", "rate_limited"),
    ("edge_abusive_clients_closed", "Clients closed for flooding", "abusive_clients_closed"),
    ("edge_resyncs", "Snapshots fetched to return a mirror to the truth", "resyncs"),
    ("edge_invalid_changes", "Seat changes from NATS dropped as invalid", "invalid_changes"),
)


class _StatsCollector(Collector):
    """``Stats`` and the open connections, as Prometheus families, read when scraped."""

    def __init__(self, stats: Stats, clients: Callable[[], int]) -> None:
        self._stats = stats
        self._clients = clients

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "edge_connections_open", "WebSocket connections open now", value=self._clients()
        )
        for name, documentation, field in _COUNTERS:
            yield CounterMetricFamily(name, documentation, value=getattr(self._stats, field))


class EdgeMetrics:
    """The registry of one edge: its counters and the fan-out delay histogram."""

    def __init__(self, stats: Stats, *, clients: Callable[[], int]) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(_StatsCollector(stats, clients))
        self._fanout = Histogram(
            "edge_fanout_delay_seconds",
            "From a seat change's commit in the booking service to its frame being "
            "written to the last watcher on this edge",
            buckets=_DELAY_BUCKETS,
            registry=self.registry,
        )

    def sent(self, committed: Iterable[float]) -> None:
        """Observe the fan-out delay, until now, of changes committed at ``committed``
        (unix seconds) whose frames have just been written to every watcher."""
        now = time.time()
        for at in committed:
            # Clocks of two hosts may disagree by a little: never a negative delay.
            self._fanout.observe(max(0.0, now - at))

    def exposition(self) -> bytes:
        """Every metric of this edge in the Prometheus text format."""
        return generate_latest(self.registry)
