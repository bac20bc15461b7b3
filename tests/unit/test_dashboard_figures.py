"""The dashboard's figures, counted from seats, orders, audit entries and reports."""

from __future__ import annotations

from typing import Any

import orjson

from booking_service.dashboard.figures import (
    Inputs,
    dashboard_data,
    lapsing_holds,
    order_counts,
    sales_per_minute,
    seat_counts,
    seat_state,
)
from shared.plans import parse_plan
from tests.event_api import balcony_plan

NOW = 1_800_000_030.0  # 30 s into a minute


def _seat(seat_id: str, status: int, **extra: Any) -> dict[str, Any]:
    return {"id": seat_id, "row": 0, "col": 0, "status": status, **extra}


def test_seat_state_blocked_wins_over_status() -> None:
    """A blocked seat counts as blocked, never as available."""
    assert seat_state(_seat("A1", 0, blocked=True)) == "blocked"
    assert [seat_state(_seat("A1", status)) for status in (0, 1, 2)] == [
        "available", "held", "booked"
    ]  # fmt: skip


def test_seat_counts_name_every_state() -> None:
    """Every state is counted, zeros included."""
    seats = [_seat("A1", 1), _seat("A2", 1), _seat("A3", 0, blocked=True)]
    assert seat_counts(seats) == {"available": 0, "held": 2, "booked": 0, "blocked": 1}


def test_order_counts_from_the_scripts_flat_reply() -> None:
    """The counts script's status, count list becomes the two figures, zeros included."""
    assert order_counts([b"cancelled", b"1", b"confirmed", b"12"]) == {
        "confirmed": 12,
        "cancelled": 1,
    }
    assert order_counts([]) == {"confirmed": 0, "cancelled": 0}


def test_sales_per_minute_covers_thirty_minutes_with_zeros() -> None:
    """Thirty minutes, oldest first, the current one last; sales outside them are left out."""
    minute = int(NOW // 60) * 60
    seats = [
        _seat("A1", 2, booked_at=minute + 5),
        _seat("A2", 2, booked_at=minute + 59),
        _seat("A3", 2, booked_at=minute - 120),
        _seat("A4", 2, booked_at=minute - 31 * 60),
        _seat("A5", 1, expires_at=minute + 10),
    ]
    sales = sales_per_minute(seats, now=NOW)
    assert len(sales) == 30
    assert sales[-1] == {"minute": "2027-01-15T08:00:00.000Z", "seats": 2}
    assert sales[-3]["seats"] == 1
    assert sum(entry["seats"] for entry in sales) == 3


def test_lapsing_holds_soonest_first_within_a_minute() -> None:
    """Holds lapsing within 60 s are listed soonest first, at most 20, with seconds left."""
    seats = [
        _seat(f"S{n}", 1, expires_at=int(NOW) + n, expires_at_ms=int(NOW) * 1000 + n * 1000)
        for n in range(70, 0, -1)
    ]
    lapsing = lapsing_holds(seats, now=NOW)
    assert [hold["seat_id"] for hold in lapsing] == [f"S{n}" for n in range(1, 21)]
    assert lapsing[0] == {"seat_id": "S1", "expires_at": int(NOW) + 1, "seconds_left": 1.0}


def test_dashboard_data_by_section_category_and_revenue() -> None:
    """Sections follow the plan's zones and categories its categories; revenue sums the
    booked seats' prices and occupancy names every seat not available."""
    _, layout = parse_plan(orjson.dumps(balcony_plan()))
    seats = [
        _seat("A1", 1, expires_at=int(NOW) + 20, expires_at_ms=int(NOW + 20) * 1000),
        _seat("A2", 2, booked_at=int(NOW)),
        _seat("A3", 0, blocked=True),
        _seat("BAL-A1", 2, booked_at=int(NOW)),
        _seat("BAL-A2", 0),
    ]
    data = dashboard_data(
        Inputs(
            event={"id": "e"},
            version=7,
            seats=seats,
            layout=layout,
            prices={"Standard": 30.0, "Premium": 72.5},
            order_counts=[b"confirmed", b"1", b"cancelled", b"0"],
            audit=[],
            connected={"people": 0, "watching": 0, "edges": 0},
            changes=[],
            now=NOW,
        )
    )
    assert list(data) == [
        "event", "version", "totals", "sections", "categories", "revenue", "orders",
        "sales_per_minute", "lapsing_holds", "connected", "occupancy", "changes", "audit",
    ]  # fmt: skip
    assert data["totals"] == {"seats": 5, "available": 1, "held": 1, "booked": 2, "blocked": 1}
    assert data["sections"] == [
        {"name": "Stalls", "seats": 3, "available": 0, "held": 1, "booked": 1, "blocked": 1},
        {"name": "Balcony", "seats": 2, "available": 1, "held": 0, "booked": 1, "blocked": 0},
    ]
    assert [(c["name"], c["price"], c["booked"]) for c in data["categories"]] == [
        ("Standard", 30.0, 1), ("Premium", 72.5, 1)
    ]  # fmt: skip
    assert data["revenue"] == 102.5
    assert data["occupancy"] == {"A1": "held", "A2": "booked", "A3": "blocked", "BAL-A1": "booked"}
    assert data["lapsing_holds"] == [
        {"seat_id": "A1", "expires_at": int(NOW) + 20, "seconds_left": 20.0}
    ]
