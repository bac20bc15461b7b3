"""SeatLayout: what the services need of a plan, built once: seat ids, order and places.

A layout lists its seats in plan order (zone by zone, row by row, seat by seat) and
gives each one its zone, its 0-based row and column within the zone and the row, its
label and number for people, its category and its absolute place on the plan (zone,
row and seat offsets added up). It never changes after it is built.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from shared.plans.errors import PlanError
from shared.plans.grid import row_label
from shared.plans.model import Plan, Size, Zone

__all__ = ["SEAT_MARKS", "LayoutSeat", "SeatLayout"]

# The accessibility marks a seat may carry.
SEAT_MARKS = frozenset({"wheelchair", "companion", "restricted_view"})


@dataclass(frozen=True, slots=True)
class LayoutSeat:
    """One seat of a layout; ``x``/``y`` are absolute plan coordinates of its centre."""

    id: str
    zone: str
    zone_id: str | None
    row: int
    col: int
    row_label: str
    number: str
    category: str
    x: float
    y: float
    radius: float
    marks: frozenset[str]


@dataclass(frozen=True, eq=False)
class SeatLayout:
    """The seats of one plan, in plan order, looked up by id.

    ``grid_shape`` is ``(rows, cols)`` when the plan is a plain grid hall (one zone,
    every row as long, ids ``A1`` … as ``grid_plan`` makes them), else None.
    """

    name: str
    size: Size
    categories: dict[str, str]
    seat_ids: tuple[str, ...] = field(repr=False)
    grid_shape: tuple[int, int] | None
    _seats: dict[str, LayoutSeat] = field(repr=False)

    @classmethod
    def from_plan(
        cls, plan: Plan, marks: Mapping[str, Collection[str]] | None = None
    ) -> SeatLayout:
        """The layout of a plan checked by ``shared.plans.loading``.

        A seat's marks are those ``marks`` gives its id, plus the mark its category is
        named after, if any ("Wheelchair", "Companion", "Restricted view"). Raises
        PlanError, naming the seat id, for marks of a seat the plan does not have or
        marks outside SEAT_MARKS.
        """
        extra = _checked_marks(plan, marks or {})
        by_category = {
            category.name: _category_marks(category.name) for category in plan.categories
        }
        seats: dict[str, LayoutSeat] = {}
        for zone in plan.zones:
            for r, row in enumerate(zone.rows):
                for c, seat in enumerate(row.seats):
                    marks_of_seat = by_category.get(seat.category, frozenset()) | extra.get(
                        seat.seat_guid, frozenset()
                    )
                    seats[seat.seat_guid] = _layout_seat(zone, r, c, marks_of_seat)
        return cls(
            name=plan.name,
            size=plan.size,
            categories={category.name: category.color for category in plan.categories},
            seat_ids=tuple(seats),
            grid_shape=_grid_shape(plan),
            _seats=seats,
        )

    def __contains__(self, seat_id: object) -> bool:
        return seat_id in self._seats

    def __len__(self) -> int:
        return len(self.seat_ids)

    def __iter__(self) -> Iterator[LayoutSeat]:
        """The seats in plan order."""
        return iter(self._seats.values())

    def seat(self, seat_id: str) -> LayoutSeat:
        """The seat with this id; KeyError if the plan has none."""
        return self._seats[seat_id]

    @cached_property
    def zones(self) -> tuple[str, ...]:
        """The zones' names, in plan order."""
        return tuple(dict.fromkeys(seat.zone for seat in self._seats.values()))

    @cached_property
    def zone_of(self) -> dict[str, str]:
        """Each seat's zone name, by seat id."""
        return {seat.id: seat.zone for seat in self._seats.values()}

    @cached_property
    def category_of(self) -> dict[str, str]:
        """Each seat's category, by seat id."""
        return {seat.id: seat.category for seat in self._seats.values()}

    def marks(self) -> dict[str, list[str]]:
        """Every marked seat's marks (sorted), by seat id: what ``from_plan`` takes back."""
        return {seat.id: sorted(seat.marks) for seat in self._seats.values() if seat.marks}

    def display_name(self, seat_id: str) -> str:
        """How people read the seat: ``"Stalls, Row A, Seat 1"``."""
        seat = self._seats[seat_id]
        return f"{seat.zone}, Row {seat.row_label}, Seat {seat.number}"


def _layout_seat(zone: Zone, r: int, c: int, marks: frozenset[str]) -> LayoutSeat:
    row = zone.rows[r]
    seat = row.seats[c]
    return LayoutSeat(
        id=seat.seat_guid,
        zone=zone.name,
        zone_id=zone.zone_id,
        row=r,
        col=c,
        row_label=row.row_label or row.row_number,
        number=seat.seat_number,
        category=seat.category,
        x=zone.position.x + row.position.x + seat.position.x,
        y=zone.position.y + row.position.y + seat.position.y,
        radius=seat.radius,
        marks=marks,
    )


def _checked_marks(plan: Plan, marks: Mapping[str, Collection[str]]) -> dict[str, frozenset[str]]:
    ids = {seat.seat_guid for zone in plan.zones for row in zone.rows for seat in row.seats}
    problems = []
    for seat_id, seat_marks in marks.items():
        if seat_id not in ids:
            problems.append(f"{seat_id}: no such seat in the plan")
        for mark in sorted(set(seat_marks) - SEAT_MARKS):
            problems.append(
                f"{seat_id}: unknown mark {mark!r} (one of {', '.join(sorted(SEAT_MARKS))})"
            )
    if problems:
        raise PlanError(*problems)
    return {seat_id: frozenset(seat_marks) for seat_id, seat_marks in marks.items()}


def _category_marks(category: str) -> frozenset[str]:
    mark = re.sub(r"[\s-]+", "_", category.strip().lower())
    return frozenset({mark}) if mark in SEAT_MARKS else frozenset()


def _grid_shape(plan: Plan) -> tuple[int, int] | None:
    if len(plan.zones) != 1 or not plan.zones[0].rows:
        return None
    rows = plan.zones[0].rows
    cols = len(rows[0].seats)
    for r, row in enumerate(rows):
        ids = [seat.seat_guid for seat in row.seats]
        if ids != [f"{row_label(r)}{c + 1}" for c in range(cols)]:
            return None
    return len(rows), cols
