"""The metric names the services register, and the Grafana dashboard's queries naming them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from prometheus_client import REGISTRY, Metric

import booking_service.metrics  # noqa: F401  (registers the booking service's metrics)
from edge_server.metrics import EdgeMetrics
from edge_server.stats import Stats
from tests.servers import PROJECT_ROOT

DASHBOARD = PROJECT_ROOT / "deploy" / "grafana" / "dashboards" / "seat-booking.json"
# A PromQL identifier of ours: every name the services register starts like this.
_OUR_NAME = re.compile(r"\b(?:booking|edge)_[a-z0-9_]+\b")
_SUFFIXES = {
    "counter": ("_total",),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum"),
}


def _sample_names(families: Iterable[Metric]) -> set[str]:
    """The series names Prometheus stores for these families (labelled or not)."""
    return {
        family.name + suffix
        for family in families
        for suffix in _SUFFIXES.get(family.type, ())
        if family.name.startswith(("booking_", "edge_"))
    }


def registered_names() -> set[str]:
    """Every series name the booking service and an edge expose."""
    edge = EdgeMetrics(Stats(), clients=lambda: 0)
    return _sample_names(REGISTRY.collect()) | _sample_names(edge.registry.collect())


def _panels(panels: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def _expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [
        target["expr"]
        for panel in _panels(dashboard["panels"])
        for target in panel.get("targets", [])
    ]


def test_metrics_names_cover_what_the_issue_asks() -> None:
    """Both services register the figures operators watch, under booking_ and edge_."""
    names = registered_names()
    assert {
        "booking_request_duration_seconds_count",
        "booking_request_duration_seconds_bucket",
        "booking_seat_changes_total",
        "booking_orders_total",
        "booking_hold_cap_refusals_total",
        "booking_active_holds",
        "booking_sweeper_lag_seconds",
        "booking_nats_publish_failures_total",
        "booking_redis_errors_total",
        "edge_connections_open",
        "edge_connections_total",
        "edge_messages_in_total",
        "edge_messages_out_total",
        "edge_frames_dropped_total",
        "edge_slow_clients_dropped_total",
        "edge_rate_limit_strikes_total",
        "edge_resyncs_total",
        "edge_fanout_delay_seconds_bucket",
    } <= names


def test_metrics_dashboard_queries_name_only_registered_metrics() -> None:
    """Every metric a Grafana panel queries is one the services register."""
    names = registered_names()
    expressions = _expressions()
    assert expressions
    for expression in expressions:
        used = set(_OUR_NAME.findall(expression))
        assert used, expression
        assert used <= names, (expression, used - names)


def test_metrics_dashboard_uses_the_provisioned_data_source() -> None:
    """Each panel and query names the data source uid the provisioning creates."""
    dashboard = json.loads(DASHBOARD.read_text())
    for panel in _panels(dashboard["panels"]):
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}, panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "prometheus"
