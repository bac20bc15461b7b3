"""The dashboard's figures of one event, counted from its seats, orders and reports.

Pure functions: the caller reads the seats (one snapshot), the order counts, the audit
entries, the census and the recent changes, and ``dashboard_data`` counts them into
the ``data`` of a ``DASHBOARD`` frame (also the body of ``GET .../dashboard``). A seat
is in exactly one of available / held / booked / blocked: blocked when the operator
blocked it, whatever its status says.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.constants import SeatStatus
from shared.plans.layout import SeatLayout
from shared.timestamps import iso_time

__all__ = [
    "LAPSING_LIMIT",
    "LAPSING_SECONDS",
    "SALES_MINUTES",
    "STATES",
    "Inputs",
    "dashboard_data",
    "order_counts",
    "sales_per_minute",
    "seat_counts",
    "seat_state",
]

STATES = ("available", "held", "booked", "blocked")
# Holds that lapse within this many seconds are listed, at most LAPSING_LIMIT of them.
LAPSING_SECONDS = 60.0
LAPSING_LIMIT = 20
# Minutes of sales shown, the current one last.
SALES_MINUTES = 30
_STATUS_NAMES = {status.value: status.name.lower() for status in SeatStatus}


def seat_state(seat: Mapping[str, Any]) -> str:
    """``available``, ``held``, ``booked`` or ``blocked`` (a blocked seat is only that)."""
    if seat.get("blocked"):
        return "blocked"
    return _STATUS_NAMES[seat["status"]]


def seat_counts(seats: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many seats are in each state, every state named (zeros included)."""
    return _state_counts(seat_state(seat) for seat in seats)


def _state_counts(states: Iterable[str]) -> dict[str, int]:
    counts = Counter(states)
    return {state: counts[state] for state in STATES}


def order_counts(reply: Sequence[bytes]) -> dict[str, int]:
    """``{"confirmed", "cancelled"}`` from the flat status, count, ... list that
    ``read_order_counts.lua`` answers."""
    counts = {
        status.decode(): int(count) for status, count in zip(reply[::2], reply[1::2], strict=True)
    }
    return {"confirmed": counts.get("confirmed", 0), "cancelled": counts.get("cancelled", 0)}


def sales_per_minute(seats: Iterable[Mapping[str, Any]], *, now: float) -> list[dict[str, Any]]:
    """Seats booked in each of the last ``SALES_MINUTES`` minutes (by ``booked_at``),
    oldest first, the current minute last, minutes without sales as zeros."""
    last = int(now // 60)
    first = last - SALES_MINUTES + 1
    booked = Counter(
        int(seat["booked_at"]) // 60
        for seat in seats
        if seat["status"] == SeatStatus.BOOKED and isinstance(seat.get("booked_at"), int | float)
    )
    return [
        {"minute": iso_time(minute * 60_000), "seats": booked[minute]}
        for minute in range(first, last + 1)
    ]


def lapsing_holds(seats: Iterable[Mapping[str, Any]], *, now: float) -> list[dict[str, Any]]:
    """Holds that lapse within ``LAPSING_SECONDS``, soonest first, at most ``LAPSING_LIMIT``."""
    lapsing = []
    for seat in seats:
        if seat["status"] != SeatStatus.HELD:
            continue
        deadline = seat.get("expires_at_ms", seat["expires_at"] * 1000) / 1000
        left = deadline - now
        if left <= LAPSING_SECONDS:
            lapsing.append((deadline, seat["id"], seat["expires_at"], max(0.0, round(left, 1))))
    lapsing.sort()
    return [
        {"seat_id": seat_id, "expires_at": expires_at, "seconds_left": left}
        for _, seat_id, expires_at, left in lapsing[:LAPSING_LIMIT]
    ]


# How many seats share a zone, a category and a state: (zone, category, state) -> count.
_Tally = Counter[tuple[str, str, str]]


def _grouped(tally: _Tally, names: Iterable[str], by: int) -> dict[str, dict[str, int]]:
    """Seats and seats in each state per zone (``by`` 0) or category (1), in the order of
    ``names``, empty groups included."""
    groups = {name: dict.fromkeys(("seats", *STATES), 0) for name in names}
    for key, count in tally.items():
        group = groups[key[by]]
        group["seats"] += count
        group[key[2]] += count
    return groups


@dataclass(frozen=True, slots=True)
class Inputs:
    """What the figures are counted from, read by the caller at about one moment."""

    event: dict[str, Any]
    version: int
    seats: Sequence[Mapping[str, Any]]
    layout: SeatLayout
    prices: Mapping[str, float]
    # The order counts as read_order_counts.lua answers them: status, count, ...
    order_counts: Sequence[bytes]
    audit: list[dict[str, Any]]
    connected: dict[str, int]
    changes: list[dict[str, Any]]
    now: float


def dashboard_data(inputs: Inputs) -> dict[str, Any]:
    """The ``data`` of a ``DASHBOARD`` frame (keys in the order the protocol lists them)."""
    seats, layout = inputs.seats, inputs.layout
    # Each seat is looked at once or twice, not once per figure: an arena has 20,000.
    ids = [seat["id"] for seat in seats]
    states = [seat_state(seat) for seat in seats]
    tally: _Tally = Counter(
        zip(
            map(layout.zone_of.__getitem__, ids),
            map(layout.category_of.__getitem__, ids),
            states,
            strict=True,
        )
    )
    sections = _grouped(tally, layout.zones, 0)
    categories = _grouped(tally, layout.categories, 1)
    prices = inputs.prices
    revenue = sum(
        prices.get(category, 0.0) * count
        for (_, category, state), count in tally.items()
        if state == "booked"
    )
    return {
        "event": inputs.event,
        "version": inputs.version,
        "totals": {"seats": len(seats), **_state_counts(states)},
        "sections": [{"name": name, **counts} for name, counts in sections.items()],
        "categories": [
            {"name": name, "price": prices.get(name, 0.0), **counts}
            for name, counts in categories.items()
        ],
        "revenue": round(float(revenue), 2),
        "orders": order_counts(inputs.order_counts),
        "sales_per_minute": sales_per_minute(seats, now=inputs.now),
        "lapsing_holds": lapsing_holds(seats, now=inputs.now),
        "connected": inputs.connected,
        "occupancy": {
            seat_id: state
            for seat_id, state in zip(ids, states, strict=True)
            if state != "available"
        },
        "changes": inputs.changes,
        "audit": inputs.audit,
    }
