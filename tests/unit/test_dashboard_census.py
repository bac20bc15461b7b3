"""The census: each edge's latest report, forgotten after three silent intervals."""

from __future__ import annotations

import orjson
import pytest

from booking_service.dashboard.census import Census, EdgeReport, parse_report


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _report(edge: str, connections: int, **watchers: int) -> EdgeReport:
    return EdgeReport(edge, connections, dict(watchers), 2.0)


def test_census_sums_the_latest_report_of_each_edge() -> None:
    """People and watchers add up over edges; an edge's newer report replaces its older."""
    census = Census(clock=Clock())
    census.note(_report("a:3000", 5, main=4))
    census.note(_report("b:3001", 2, main=1, jazz=1))
    census.note(_report("a:3000", 3, main=2))
    assert census.connected("main") == {"people": 5, "watching": 3, "edges": 2}
    assert census.connected("jazz") == {"people": 5, "watching": 1, "edges": 2}


def test_census_forgets_an_edge_after_three_intervals() -> None:
    """An edge silent for more than three of its intervals no longer counts."""
    clock = Clock()
    census = Census(clock=clock)
    census.note(_report("a:3000", 5))
    census.note(_report("b:3001", 2))
    clock.now += 5.0
    census.note(_report("b:3001", 2))
    clock.now += 1.5
    assert census.connected("main") == {"people": 2, "watching": 0, "edges": 1}


def test_parse_report_reads_an_edges_message() -> None:
    """A well-formed report is read; events without watchers are left out."""
    body = {"edge": "h:3000", "connections": 3, "watchers": {"main": 2, "x": 0}, "interval": 2}
    assert parse_report(orjson.dumps({**body, "timestamp": "t"})) == EdgeReport(
        "h:3000", 3, {"main": 2}, 2.0
    )


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[]",
        b'{"edge": "", "connections": 1, "watchers": {}, "interval": 2}',
        b'{"edge": "e", "connections": -1, "watchers": {}, "interval": 2}',
        b'{"edge": "e", "connections": true, "watchers": {}, "interval": 2}',
        b'{"edge": "e", "connections": 1, "watchers": {"m": "2"}, "interval": 2}',
        b'{"edge": "e", "connections": 1, "watchers": [], "interval": 2}',
        b'{"edge": "e", "connections": 1, "watchers": {}, "interval": 0}',
        b'{"edge": "e", "connections": 1, "watchers": {}, "interval": 3600}',
    ],
)
def test_parse_report_refuses_malformed(payload: bytes) -> None:
    """A malformed report is refused rather than counted."""
    assert parse_report(payload) is None
