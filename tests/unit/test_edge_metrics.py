"""An edge's /metrics: its counters read at scrape time, and the fan-out delay."""

from __future__ import annotations

import time

from edge_server.metrics import EdgeMetrics
from edge_server.stats import Stats
from edge_server.ticks import Tick
from shared.timestamps import iso_time, unix_seconds
from tests.metrics import Scrape


def _scrape(metrics: EdgeMetrics) -> Scrape:
    return Scrape(metrics.exposition().decode())


def test_edge_metrics_read_the_counters_when_scraped() -> None:
    """The exposition shows Stats and the open connections as they are at that moment."""
    stats = Stats()
    clients = [3]
    metrics = EdgeMetrics(stats, clients=lambda: clients[0])
    stats.connections_total = 5
    stats.messages_in = 7
    stats.broadcast_sent(3, skipped=2)
    stats.slow_clients_dropped = 1
    stats.rate_limited = 4
    stats.resyncs = 2
    scrape = _scrape(metrics)
    assert scrape.value("edge_connections_open") == 3
    assert scrape.value("edge_connections_total") == 5
    assert scrape.value("edge_messages_in_total") == 7
    assert scrape.value("edge_messages_out_total") == 3
    assert scrape.value("edge_frames_dropped_total") == 2
    assert scrape.value("edge_slow_clients_dropped_total") == 1
    assert scrape.value("edge_rate_limit_strikes_total") == 4
    assert scrape.value("edge_resyncs_total") == 2
    stats.messages_in += 1
    clients[0] = 0
    scrape = _scrape(metrics)
    assert scrape.value("edge_messages_in_total") == 8
    assert scrape.value("edge_connections_open") == 0


def test_edge_metrics_of_two_edges_in_one_process_stay_apart() -> None:
    """Each edge has a registry of its own: one's counters and delays never show in another's."""
    first_stats, second_stats = Stats(), Stats()
    first = EdgeMetrics(first_stats, clients=lambda: 1)
    second = EdgeMetrics(second_stats, clients=lambda: 2)
    first_stats.messages_in = 10
    first.sent([time.time()])
    assert _scrape(second).value("edge_messages_in_total") == 0
    assert _scrape(second).value("edge_fanout_delay_seconds_count") == 0
    assert _scrape(first).value("edge_fanout_delay_seconds_count") == 1
    assert _scrape(second).value("edge_connections_open") == 2


def test_edge_metrics_fanout_delay_is_observed_per_change_never_negative() -> None:
    """One observation per commit time, measured up to now; a commit stamped in the future
    (clocks of two hosts) counts as no delay."""
    metrics = EdgeMetrics(Stats(), clients=lambda: 0)
    now = time.time()
    metrics.sent([now - 0.2, now - 0.03, now + 5])
    scrape = _scrape(metrics)
    assert scrape.value("edge_fanout_delay_seconds_count") == 3
    assert 0.23 <= scrape.value("edge_fanout_delay_seconds_sum") < 1.0
    assert scrape.value("edge_fanout_delay_seconds_bucket", le="0.0025") == 1
    assert scrape.value("edge_fanout_delay_seconds_bucket", le="0.05") == 2


def test_edge_tick_hands_back_the_commit_times_it_was_given() -> None:
    """Commit times gathered with changes come back with them, and the tick starts empty again."""
    tick = Tick()
    tick.add([b"c1"], 1, 0.0, committed=[10.0])
    tick.add([b"c2", b"c3"], 3, 0.001, committed=[11.0, 12.0])
    assert tick.take() == ([b"c1", b"c2", b"c3"], 3, [10.0, 11.0, 12.0])
    tick.add([b"c4"], 4, 1.0)
    assert tick.take() == ([b"c4"], 4, [])


def test_edge_commit_timestamps_read_back_as_unix_seconds() -> None:
    """What the booking service stamps (ISO-8601 UTC ms) reads back to the millisecond;
    anything else is None."""
    assert unix_seconds(iso_time(1_700_000_000_123)) == 1_700_000_000.123
    assert unix_seconds("2024-01-01T12:00:00") is None
    assert unix_seconds("yesterday") is None
    assert unix_seconds(17) is None
