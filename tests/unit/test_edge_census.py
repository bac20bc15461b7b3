"""The edge's census report."""

from __future__ import annotations

from edge_server.census import census_report, edge_name


def test_census_report_names_the_edge_and_its_counts() -> None:
    """The report carries the edge, its connections, watched events only, and the interval."""
    report = census_report("h:3000", 4, {"main": 3, "idle": 0}, interval=2.0)
    assert report["edge"] == "h:3000"
    assert (report["connections"], report["watchers"], report["interval"]) == (4, {"main": 3}, 2.0)
    assert report["timestamp"].endswith("Z")


def test_edge_name_ends_with_the_port() -> None:
    """Two edges on one host differ by their port."""
    assert edge_name(3001).endswith(":3001")
    assert edge_name(3001) != edge_name(3002)
