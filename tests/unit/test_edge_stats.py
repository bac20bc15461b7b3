"""The edge's /stats report: the seed's keys, and a cache that builds it once a second."""

from __future__ import annotations

import re
from typing import Any, cast

from edge_server.components import EdgeComponents
from edge_server.stats import CachedReport, Stats
from shared.config import EdgeSettings

RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_stats_report_carries_the_seed_keys() -> None:
    """total_clients, total_messages, connected_at and last_broadcast_time are reported."""
    stats = Stats()
    report = stats.report(clients=3, version=7, nats_connected=True)
    assert report["total_clients"] == 3
    assert report["total_messages"] == 0
    assert RFC3339.fullmatch(report["connected_at"])
    assert report["last_broadcast_time"] is None
    stats.broadcast_sent(3)
    report = stats.report(clients=3, version=7, nats_connected=True)
    assert report["total_messages"] == 3
    assert RFC3339.fullmatch(report["last_broadcast_time"])


def test_stats_cache_builds_at_most_once_per_second() -> None:
    """A flood of calls over three seconds builds the report three times, not a thousand."""
    clock = Clock()
    builds: list[dict[str, Any]] = []

    def build() -> dict[str, Any]:
        builds.append({"n": len(builds)})
        return builds[-1]

    cached = CachedReport(build, max_age=1.0, clock=clock)
    first = cached()
    clock.now += 0.5
    assert cached() is first
    for _ in range(1000):
        clock.now += 0.0025
        cached()
    assert len(builds) == 3
    assert cached() is builds[-1]


def test_stats_edge_answers_two_calls_within_a_second_with_one_report() -> None:
    """The edge's stats() returns the same report object twice in a row, seed keys included."""
    edge = EdgeComponents.build(EdgeSettings())
    first = edge.stats()
    edge.counters.broadcast_sent(5)
    assert edge.stats() is first
    assert first["total_messages"] == 0
    assert {"total_clients", "connected_at", "last_broadcast_time"} <= set(first)


def test_stats_edge_reports_watchers_per_event() -> None:
    """/stats counts the connections watching each event the edge keeps a mirror of."""
    edge = EdgeComponents.build(EdgeSettings())
    rock = edge.watchers.open("rock-1a2b", 0.0)
    edge.watchers.join(rock, cast(Any, object()), compact=True)
    assert edge.stats()["watchers"] == {"main": 0, "rock-1a2b": 1}
