"""The booking service's Prometheus metrics, and their exposition for ``/metrics``.

Every figure lives in prometheus-client's default registry:

- ``booking_request_duration_seconds{operation, outcome}``: a histogram per request,
  the seat commands' lean path and the FastAPI routes alike; its ``_count`` counts the
  requests. ``operation`` is the seat command (``select``, ``book``, ``release``) or the
  route's name (``unrouted`` for a path no route serves); ``outcome`` is ``success``,
  ``conflict`` (409), ``invalid`` (other 4xx), ``unavailable`` (503) or ``error``.
- ``booking_seat_changes_total{type}``: committed seat changes by type, each once:
  ``held`` (holds taken), ``booked`` (bookings, an order's one per seat),
  ``auto_released`` (lapsed holds), ``released`` (by the holder, and the seats that
  blocks and cancelled orders make available).
- ``booking_orders_total``: orders placed (a repeated Idempotency-Key makes none).
- ``booking_hold_cap_refusals_total``: holds refused by ``MAX_HOLDS_PER_SESSION``.
- ``booking_active_holds{event}``: seats held now, read from Redis at each scrape.
- ``booking_sweeper_lag_seconds``: how late past its deadline the sweeper released the
  last lapsed hold it released.
- ``booking_nats_publish_failures_total``, ``booking_redis_errors_total``.

With several workers (``WORKERS`` > 1) each one writes its figures to files in
``PROMETHEUS_MULTIPROC_DIR`` and ``exposition`` in any of them reads every worker's,
so one scrape shows the whole service: counters and histograms summed, the gauges the
most recently set value.
"""

from __future__ import annotations

from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from booking_service.errors import BookingError, HoldLimitReached
from shared.constants import ChangeType

__all__ = [
    "ACTIVE_HOLDS",
    "CAP_REFUSALS",
    "CONTENT_TYPE",
    "NATS_PUBLISH_FAILURES",
    "ORDERS",
    "REDIS_ERRORS",
    "REQUESTS",
    "SEAT_CHANGES",
    "SWEEPER_LAG",
    "count_change",
    "count_refusal",
    "exposition",
    "observe_request",
    "outcome",
]

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Seat commands take about a millisecond; the tail reaches into Redis timeouts (2 s).
_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)

REQUESTS = Histogram(
    "booking_request_duration_seconds",
    "Requests by operation and outcome, and how long each took to answer",
    ["operation", "outcome"],
    buckets=_LATENCY_BUCKETS,
)
SEAT_CHANGES = Counter(
    "booking_seat_changes_total",
    "Seat changes committed, by type (held: holds taken, booked: bookings, auto_released)",
    ["type"],
)
ORDERS = Counter("booking_orders_total", "Orders placed")
CAP_REFUSALS = Counter(
    "booking_hold_cap_refusals_total",
    "Holds refused because the session already held MAX_HOLDS_PER_SESSION seats",
)
ACTIVE_HOLDS = Gauge(
    "booking_active_holds",
    "Seats held right now, per event",
    ["event"],
    multiprocess_mode="mostrecent",
)
SWEEPER_LAG = Gauge(
    "booking_sweeper_lag_seconds",
    "How late past its deadline the sweeper released the last lapsed hold",
    multiprocess_mode="mostrecent",
)
NATS_PUBLISH_FAILURES = Counter(
    "booking_nats_publish_failures_total",
    "Seat changes and heartbeats not published because NATS was away or refused them",
)
REDIS_ERRORS = Counter(
    "booking_redis_errors_total",
    "Redis calls that failed: connection lost, write refused, no master for the slot",
)

# The labelled children, looked up once: a request costs one dictionary look-up more.
_request_children: dict[tuple[str, int], Histogram] = {}
_change_children = {kind: SEAT_CHANGES.labels(kind.value) for kind in ChangeType}


def outcome(status: int) -> str:
    """The outcome label of an HTTP status."""
    if status < 400:
        return "success"
    if status == 409:
        return "conflict"
    if status == 503:
        return "unavailable"
    return "error" if status >= 500 else "invalid"


def observe_request(operation: str, status: int, seconds: float) -> None:
    """Count one request of ``operation`` answered with ``status`` after ``seconds``."""
    key = (operation, status)
    child = _request_children.get(key)
    if child is None:
        child = _request_children[key] = REQUESTS.labels(operation, outcome(status))
    child.observe(seconds)


def count_change(change_type: ChangeType) -> None:
    """Count one committed seat change."""
    _change_children[change_type].inc()


def count_refusal(error: BookingError) -> None:
    """Count a refusal the API answers with, if it is one the metrics single out."""
    if isinstance(error, HoldLimitReached):
        CAP_REFUSALS.inc()


def exposition(multiprocess_dir: Path | None) -> bytes:
    """Every metric in the text format; with ``multiprocess_dir``, all workers' together."""
    if multiprocess_dir is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(multiprocess_dir))  # type: ignore[no-untyped-call]
    return generate_latest(registry)
