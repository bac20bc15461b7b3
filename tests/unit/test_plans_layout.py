"""SeatLayout: display names, absolute places, marks and plan order."""

from __future__ import annotations

import pytest

from shared.plans.errors import PlanError
from shared.plans.layout import SeatLayout
from shared.plans.loading import parse_plan
from shared.plans.model import Category, Plan, Position, Row, Seat, Size, Zone


def _seat(guid: str, number: str, x: float, category: str = "Stalls") -> Seat:
    return Seat(seat_guid=guid, seat_number=number, category=category, position=Position(x=x, y=3))


def _plan() -> Plan:
    """Two zones with offsets at every level, one row with a label apart from its number."""
    stalls = Zone(
        name="Stalls",
        zone_id="STL",
        position=Position(x=100, y=200),
        rows=[
            Row(
                row_number="1",
                row_label="A",
                position=Position(x=10, y=20),
                seats=[_seat("STL-A1", "1", 0), _seat("STL-A2", "2", 25)],
            ),
            Row(row_number="B", position=Position(x=10, y=50), seats=[_seat("STL-B1", "1", 5)]),
        ],
    )
    circle = Zone(
        name="Circle",
        zone_id="CIR",
        position=Position(x=-40, y=600),
        rows=[
            Row(
                row_number="A",
                position=Position(x=0.5, y=0),
                seats=[_seat("CIR-A1", "1", 1, "Wheelchair"), _seat("CIR-A2", "2", 30)],
            )
        ],
    )
    return Plan(
        name="Little theatre",
        size=Size(width=400, height=800),
        categories=[
            Category(name="Stalls", color="#2e86de"),
            Category(name="Wheelchair", color="#000000"),
        ],
        zones=[stalls, circle],
    )


def test_layout_lists_seats_in_plan_order() -> None:
    """Seat ids run zone by zone, row by row, seat by seat."""
    layout = SeatLayout.from_plan(_plan())
    assert layout.seat_ids == ("STL-A1", "STL-A2", "STL-B1", "CIR-A1", "CIR-A2")
    assert [seat.id for seat in layout] == list(layout.seat_ids)
    assert len(layout) == 5


def test_layout_display_name_uses_zone_row_label_and_seat_number() -> None:
    """A seat reads "Stalls, Row A, Seat 1": the row's label wins over its number."""
    layout = SeatLayout.from_plan(_plan())
    assert layout.display_name("STL-A1") == "Stalls, Row A, Seat 1"
    assert layout.display_name("STL-B1") == "Stalls, Row B, Seat 1"
    assert layout.display_name("CIR-A2") == "Circle, Row A, Seat 2"


def test_layout_absolute_positions_add_zone_row_and_seat_offsets() -> None:
    """A seat's place is its zone's position plus its row's plus its own."""
    layout = SeatLayout.from_plan(_plan())
    assert (layout.seat("STL-A2").x, layout.seat("STL-A2").y) == (135, 223)
    assert (layout.seat("STL-B1").x, layout.seat("STL-B1").y) == (115, 253)
    assert (layout.seat("CIR-A1").x, layout.seat("CIR-A1").y) == (-38.5, 603)


def test_layout_gives_each_seat_its_zone_row_and_column() -> None:
    """row and col are 0-based within the zone and the row; zone and category are kept."""
    seat = SeatLayout.from_plan(_plan()).seat("STL-A2")
    assert (seat.zone, seat.zone_id, seat.row, seat.col) == ("Stalls", "STL", 0, 1)
    assert (seat.row_label, seat.number, seat.category, seat.radius) == ("A", "2", "Stalls", 10)


def test_layout_categories_map_names_to_colors() -> None:
    """The layout's categories keep the plan's order and colours."""
    layout = SeatLayout.from_plan(_plan())
    assert layout.categories == {"Stalls": "#2e86de", "Wheelchair": "#000000"}
    assert (layout.name, layout.size.width, layout.size.height) == ("Little theatre", 400, 800)


def test_layout_marks_come_from_the_sidecar() -> None:
    """Marks given by seat id are attached to those seats and no others."""
    marks = {"STL-A1": ["wheelchair"], "STL-A2": ["companion"], "CIR-A2": ["restricted_view"]}
    layout = SeatLayout.from_plan(_plan(), marks)
    assert layout.seat("STL-A1").marks == {"wheelchair"}
    assert layout.seat("STL-A2").marks == {"companion"}
    assert layout.seat("CIR-A2").marks == {"restricted_view"}
    assert layout.seat("STL-B1").marks == frozenset()


def test_layout_marks_come_from_a_category_named_after_one() -> None:
    """A seat of the category "Wheelchair" carries the wheelchair mark without a sidecar."""
    layout = SeatLayout.from_plan(_plan())
    assert layout.seat("CIR-A1").marks == {"wheelchair"}
    assert layout.seat("CIR-A2").marks == frozenset()


def test_layout_refuses_marks_of_a_seat_the_plan_lacks() -> None:
    """Marks for an id the plan does not have are refused, naming the id."""
    with pytest.raises(PlanError, match=r"^BAL-A1: no such seat in the plan$"):
        SeatLayout.from_plan(_plan(), {"BAL-A1": ["wheelchair"]})


def test_layout_refuses_an_unknown_mark() -> None:
    """A mark outside wheelchair, companion and restricted_view is refused."""
    with pytest.raises(PlanError, match=r"^STL-A1: unknown mark 'vip'"):
        SeatLayout.from_plan(_plan(), {"STL-A1": ["vip"]})


def test_layout_is_not_a_grid_unless_laid_out_as_one() -> None:
    """Only a one-zone plan with ids A1 … in full rows has a grid shape."""
    assert SeatLayout.from_plan(_plan()).grid_shape is None


def test_layout_of_a_parsed_plan_equals_the_layout_of_the_model() -> None:
    """parse_plan's layout is the one from_plan builds from the same plan."""
    plan, layout = parse_plan(_plan().model_dump_json())
    assert layout.seat_ids == SeatLayout.from_plan(plan).seat_ids
    assert layout.seat("CIR-A1") == SeatLayout.from_plan(_plan()).seat("CIR-A1")
