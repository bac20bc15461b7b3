"""Venue layout: row labels and seat ids."""

from __future__ import annotations

import pytest

from shared.venue import Venue, row_label


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
    """No two rows of a maximal venue share a label."""
    labels = [row_label(row) for row in range(702 + 26)]
    assert len(set(labels)) == len(labels)


def test_venue_default_size_runs_a1_to_j10_in_row_order() -> None:
    """A 10x10 venue lists A1, A2, … A10, B1, … J10 with grid positions."""
    venue = Venue("main", 10, 10)
    assert venue.size == 100
    assert venue.seat_ids[:3] == ("A1", "A2", "A3")
    assert venue.seat_ids[9:11] == ("A10", "B1")
    assert venue.seat_ids[-1] == "J10"
    assert venue.positions["J10"] == (9, 9)
    assert venue.positions["C4"] == (2, 3)


def test_venue_contains_only_its_own_seats() -> None:
    """Membership is true for layout seats and false for anything else."""
    venue = Venue("main", 10, 10)
    assert "A1" in venue
    assert "J10" in venue
    for outsider in ("K1", "A11", "A0", "a1", "", 5, None):
        assert outsider not in venue


def test_venue_wide_rows_reach_double_letters() -> None:
    """A 28-row venue's last rows are AA and AB."""
    venue = Venue("big", 28, 2)
    assert venue.seat_ids[-4:] == ("AA1", "AA2", "AB1", "AB2")


@pytest.mark.parametrize(("rows", "cols"), [(0, 10), (10, 0)])
def test_venue_rejects_empty_layouts(rows: int, cols: int) -> None:
    """A venue needs at least one row and one column."""
    with pytest.raises(ValueError, match="at least one"):
        Venue("main", rows, cols)


def test_venue_refuses_a_layout_whose_seat_ids_break_the_rule() -> None:
    """A venue so large that its ids would not be seat ids (four row letters) is refused."""
    with pytest.raises(ValueError, match="seat ids"):
        Venue("huge", 18279, 1)
