"""Grid halls: row labels, seat ids A1 … in order, and their layout."""

from __future__ import annotations

import pytest

from shared.plans.grid import grid_plan, row_label
from shared.plans.layout import SeatLayout
from shared.plans.loading import parse_plan


@pytest.mark.parametrize(
    ("row", "label"),
    [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (27, "AB"), (51, "AZ"), (52, "BA"), (701, "ZZ"),
     (702, "AAA")],
)  # fmt: skip
def test_row_label_is_bijective_base_26(row: int, label: str) -> None:
    """Row labels run A … Z, then AA, AB, … ZZ, then AAA."""
    assert row_label(row) == label


def test_row_label_rejects_negative_rows() -> None:
    """A negative row has no label."""
    with pytest.raises(ValueError, match="row"):
        row_label(-1)


def test_row_labels_are_unique_across_three_letters() -> None:
    """No two rows of a maximal hall share a label."""
    labels = [row_label(row) for row in range(702 + 26)]
    assert len(set(labels)) == len(labels)


def test_grid_plan_default_hall_runs_a1_to_j10_in_row_order() -> None:
    """grid_plan(10, 10) lists A1, A2, … A10, B1, … J10 with their rows and columns."""
    layout = SeatLayout.from_plan(grid_plan(10, 10))
    assert len(layout) == 100
    assert layout.seat_ids[:3] == ("A1", "A2", "A3")
    assert layout.seat_ids[9:11] == ("A10", "B1")
    assert layout.seat_ids[-1] == "J10"
    assert (layout.seat("J10").row, layout.seat("J10").col) == (9, 9)
    assert (layout.seat("C4").row, layout.seat("C4").col) == (2, 3)
    assert layout.grid_shape == (10, 10)


def test_grid_plan_names_rows_by_letter_and_seats_by_column() -> None:
    """A grid seat reads "Hall, Row C, Seat 4" and is of the one category, Standard."""
    layout = SeatLayout.from_plan(grid_plan(10, 10))
    assert layout.display_name("C4") == "Hall, Row C, Seat 4"
    assert layout.seat("C4").category == "Standard"
    assert list(layout.categories) == ["Standard"]


def test_grid_plan_layout_contains_only_its_own_seats() -> None:
    """Membership is true for the hall's seats and false for anything else."""
    layout = SeatLayout.from_plan(grid_plan(10, 10))
    assert "A1" in layout
    assert "J10" in layout
    for outsider in ("K1", "A11", "A0", "a1", "", 5, None):
        assert outsider not in layout


def test_grid_plan_wide_halls_reach_double_letters() -> None:
    """A 28-row hall's last rows are AA and AB."""
    layout = SeatLayout.from_plan(grid_plan(28, 2))
    assert layout.seat_ids[-4:] == ("AA1", "AA2", "AB1", "AB2")


@pytest.mark.parametrize(("rows", "cols"), [(0, 10), (10, 0)])
def test_grid_plan_rejects_empty_halls(rows: int, cols: int) -> None:
    """A grid hall needs at least one row and one column."""
    with pytest.raises(ValueError, match="at least one"):
        grid_plan(rows, cols)


def test_grid_plan_passes_the_plan_checks() -> None:
    """A grid plan, written out as JSON and read back, loads as the same plan."""
    plan = grid_plan(3, 4, name="Studio")
    loaded, layout = parse_plan(plan.to_json())
    assert loaded == plan
    assert layout.name == "Studio"
    assert layout.grid_shape == (3, 4)


def test_grid_plan_seats_and_stage_lie_within_the_plan() -> None:
    """Every seat circle of a grid hall lies inside its size, below the stage."""
    plan = grid_plan(10, 10)
    layout = SeatLayout.from_plan(plan)
    (stage,) = plan.zones[0].areas
    assert stage.text is not None
    assert stage.text.text == "Stage"
    for seat in layout:
        assert seat.radius <= seat.x <= plan.size.width - seat.radius
        assert stage.position.y < seat.y <= plan.size.height - seat.radius


def test_plan_to_json_is_compact_and_leaves_out_defaults() -> None:
    """Whole coordinates are written without ".0" and the default seat radius is left out."""
    text = grid_plan(2, 2).to_json()
    assert b'"position":{"x":30,"y":100}' in text
    assert b"radius" not in text
