"""SeatChooser: groups together in a run, nearest the focal point, never stranding a seat."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pytest

from booking_service.best_available import Group, SeatChooser, chooser_of
from booking_service.errors import InvalidRequest, NoSeatsFit
from shared.plans import SeatLayout, grid_plan
from shared.plans.focal import focal_point
from shared.plans.loading import shipped_plan
from shared.plans.model import Plan

SPLIT_HINT = "; allow splitting the group to spread it over neighbouring rows"


def plan(
    rows: Sequence[Sequence[float]],
    *,
    categories: Mapping[int, str] | None = None,
    stage: dict[str, Any] | None = None,
    focal: dict[str, float] | None = None,
) -> Plan:
    """One zone, row ``r`` at y = 100 + 30 r with seats at the given x; ids A1, B1 …;
    ``categories`` gives a row another category than Standard."""
    names = {"Standard", *(categories or {}).values()}
    zone: dict[str, Any] = {
        "name": "Hall",
        "position": {"x": 0, "y": 0},
        "rows": [
            {
                "row_number": chr(ord("A") + r),
                "position": {"x": 0, "y": 100 + 30 * r},
                "seats": [
                    {
                        "seat_guid": f"{chr(ord('A') + r)}{c + 1}",
                        "seat_number": str(c + 1),
                        "category": (categories or {}).get(r, "Standard"),
                        "position": {"x": x, "y": 0},
                    }
                    for c, x in enumerate(xs)
                ],
            }
            for r, xs in enumerate(rows)
        ],
        "areas": [stage] if stage else [],
    }
    body: dict[str, Any] = {
        "name": "Test",
        "size": {"width": 600, "height": 600},
        "categories": [{"name": name, "color": "#000000"} for name in sorted(names)],
        "zones": [zone],
    }
    if focal is not None:
        body["focal_point"] = focal
    return Plan.model_validate(body)


def chooser(
    value: Plan, marks: Mapping[str, Collection[str]] | None = None
) -> tuple[SeatChooser, SeatLayout]:
    layout = SeatLayout.from_plan(value, marks)
    return SeatChooser(layout, focal_point(value)), layout


def free_except(layout: SeatLayout, *taken: str) -> list[bool]:
    return [seat_id not in taken for seat_id in layout.seat_ids]


def evenly(count: int, *, start: float = 0, step: float = 30) -> list[float]:
    return [start + step * i for i in range(count)]


def test_chooser_picks_the_centre_of_the_front_row_of_a_grid() -> None:
    """On a grid hall, the front row's middle seats, nearest the stage, win."""
    value = grid_plan(10, 10)
    seats, layout = chooser(value)
    assert seats.choose(free_except(layout), Group(4)) == ["A4", "A5", "A6", "A7"]
    assert seats.choose(free_except(layout), Group(1)) == ["A5"]


def test_chooser_keeps_a_group_together_in_one_row() -> None:
    """Seats are consecutive in one row; a taken seat splits the row's free seats."""
    seats, layout = chooser(plan([evenly(6), evenly(6)], focal={"x": 75, "y": 0}))
    assert seats.choose(free_except(layout, "A3"), Group(3)) == ["A4", "A5", "A6"]
    # Row A has no three together now; in row B, B2-B4 would strand B1.
    assert seats.choose(free_except(layout, "A3", "A4"), Group(3)) == ["B1", "B2", "B3"]


def test_chooser_never_crosses_an_aisle() -> None:
    """A gap over 1.6 times the row's usual spacing is an aisle: no group spans it."""
    row = [*evenly(4), *evenly(4, start=90 + 60)]  # spacing 30, one gap of 60 after A4
    seats, layout = chooser(plan([row, evenly(8)], focal={"x": 120, "y": 0}))
    # The centre of row A straddles the aisle; a group of 4 takes one side of it.
    assert seats.choose(free_except(layout), Group(4)) in (
        ["A1", "A2", "A3", "A4"],
        ["A5", "A6", "A7", "A8"],
    )
    # Five never fit a side of row A; in row B, B2-B6 would strand B1.
    assert seats.choose(free_except(layout), Group(5)) == ["B4", "B5", "B6", "B7", "B8"]


def test_chooser_never_strands_a_single_seat() -> None:
    """No choice leaves one free seat between taken ones or a taken seat and the run's end."""
    seats, layout = chooser(plan([evenly(5), evenly(5)], focal={"x": 60, "y": 0}))
    # A2-A4 sits right at the focal point but would strand A1 and A5.
    assert seats.choose(free_except(layout), Group(3)) == ["A1", "A2", "A3"]
    # A1 taken: A2-A4 would strand A5 and A3-A5 would strand A2.
    assert seats.choose(free_except(layout, "A1"), Group(3)) == ["B1", "B2", "B3"]
    # A pair: A2-A3 and A3-A4 would each strand a seat at a run's end.
    assert seats.choose(free_except(layout, *layout.seat_ids[5:]), Group(2)) == ["A1", "A2"]


def test_chooser_names_the_seats_stranded_in_their_runs() -> None:
    """A free seat is stranded between taken seats or a taken seat and its run's end."""
    row = [*evenly(4), 200, *evenly(3, start=400)]  # runs A1-A4, A5 alone, A6-A8
    seats, layout = chooser(plan([row]))
    assert seats.stranded(free_except(layout)) == []
    assert seats.stranded(free_except(layout, "A2", "A7")) == ["A1", "A6", "A8"]


def test_chooser_leaves_a_seat_stranded_already_as_it_was() -> None:
    """A lone free seat already stranded elsewhere in the run does not rule a choice out."""
    seats, layout = chooser(plan([evenly(7)], focal={"x": 60, "y": 0}))
    # A1 is stranded already by A2; A4-A6 would strand A3.
    assert seats.choose(free_except(layout, "A2"), Group(3)) == ["A3", "A4", "A5"]


def test_chooser_ranks_by_the_plans_focal_point() -> None:
    """A plan's focal point, else the Stage area's centre, else the top centre, ranks seats."""
    rows = [evenly(10), evenly(10)]
    seats, layout = chooser(plan(rows, focal={"x": 0, "y": 100}))
    assert seats.choose(free_except(layout), Group(2)) == ["A1", "A2"]
    stage = {
        "shape": "rectangle",
        "color": "#555555",
        "position": {"x": 170, "y": 20},
        "rectangle": {"width": 60, "height": 40},
        "text": {"text": "STAGE"},
    }
    staged = plan(rows, stage=stage)
    assert focal_point(staged) == (200, 40)
    seats, layout = chooser(staged)
    assert seats.choose(free_except(layout), Group(2)) == ["A7", "A8"]
    assert focal_point(plan(rows)) == (300, 0)


def test_chooser_keeps_to_the_category_asked_for() -> None:
    """A category limits the choice; an unknown one is refused naming it."""
    value = plan([evenly(6), evenly(6)], categories={1: "Premium"}, focal={"x": 75, "y": 0})
    seats, layout = chooser(value)
    assert seats.choose(free_except(layout), Group(2, category="Premium")) == ["B3", "B4"]
    with pytest.raises(InvalidRequest, match="'Gold'"):
        seats.choose(free_except(layout), Group(2, category="Gold"))


def test_chooser_gives_wheelchair_seats_only_to_accessible_groups() -> None:
    """Without accessible, wheelchair seats are skipped; with it, only wheelchair and
    companion seats are chosen, at least one a wheelchair seat."""
    marks = {"A3": ["wheelchair"], "A4": ["companion"], "A5": ["companion"]}
    seats, layout = chooser(plan([evenly(8), evenly(8)], focal={"x": 105, "y": 0}), marks)
    assert seats.choose(free_except(layout), Group(2, accessible=True)) == ["A3", "A4"]
    assert seats.choose(free_except(layout), Group(2)) == ["A4", "A5"]
    assert "A3" not in seats.choose(free_except(layout), Group(6))
    # Companion seats alone are no accessible choice.
    with pytest.raises(NoSeatsFit, match=r"^No accessible seats are available$"):
        seats.choose(free_except(layout, "A3"), Group(1, accessible=True))


def test_chooser_splits_over_neighbouring_rows_only_when_allowed() -> None:
    """A group that fits in no row is refused with a hint, or split over neighbouring rows."""
    seats, layout = chooser(plan([evenly(3), evenly(3), evenly(3)], focal={"x": 30, "y": 0}))
    with pytest.raises(NoSeatsFit) as refused:
        seats.choose(free_except(layout), Group(4))
    assert str(refused.value) == f"No 4 seats together in one row{SPLIT_HINT}"
    assert seats.choose(free_except(layout), Group(4, allow_split=True)) == [
        "A1",
        "A2",
        "A3",
        "B1",
    ]
    # Rows A and C are no neighbours: a split never skips a row.
    free = free_except(layout, "B1", "B2", "B3")
    with pytest.raises(NoSeatsFit):
        seats.choose(free, Group(4, allow_split=True))


@pytest.mark.parametrize(
    ("taken", "group", "sentence"),
    [
        (("A1", "A2", "A3", "B1", "B2", "B3"), Group(1), "No seats are available"),
        (("A1", "A2", "A3", "B1"), Group(3), "Only 2 seats are available"),
        (("A1", "A2", "A3", "B1", "B2"), Group(2), "Only 1 seat is available"),
        (("B1", "B2", "B3"), Group(2, category="Premium"), "No seats are available in Premium"),
        ((), Group(1, accessible=True), "No accessible seats are available"),
        (
            (),
            Group(5, allow_split=True),
            "No 5 seats are available together or in neighbouring rows",
        ),
        (
            ("A1", "B1", "B2", "B3"),
            Group(1),
            "No single seat is available without leaving another on its own",
        ),
    ],
)
def test_chooser_says_why_nothing_fits(taken: tuple[str, ...], group: Group, sentence: str) -> None:
    """Every refusal is a sentence: none free, too few free, none together."""
    value = plan([evenly(3), evenly(3)], categories={1: "Premium"}, focal={"x": 30, "y": 0})
    seats, layout = chooser(value)
    with pytest.raises(NoSeatsFit) as refused:
        seats.choose(free_except(layout, *taken), group)
    assert str(refused.value) == sentence


def test_chooser_on_the_theatre_sits_a_group_beside_the_stalls_aisle() -> None:
    """The theatre's row A has an aisle after seat 8: four sit on one side of it, at the
    stage's centre; wheelchair places go only to accessible groups."""
    value, layout = shipped_plan("theatre")
    seats = SeatChooser(layout, focal_point(value))
    assert seats.choose(free_except(layout), Group(4)) in (
        ["STL-A5", "STL-A6", "STL-A7", "STL-A8"],
        ["STL-A9", "STL-A10", "STL-A11", "STL-A12"],
    )
    accessible = seats.choose(free_except(layout), Group(2, accessible=True))
    assert any("wheelchair" in layout.seat(seat_id).marks for seat_id in accessible)
    everyone = free_except(layout)
    for quantity in range(1, 7):
        for seat_id in seats.choose(everyone, Group(quantity, category="Circle")):
            assert "wheelchair" not in layout.seat(seat_id).marks


async def test_chooser_of_builds_one_chooser_per_layout() -> None:
    """The chooser, and so its ranked windows, is built once per layout and kept."""
    value = grid_plan(4, 4)
    layout = SeatLayout.from_plan(value)
    first = await chooser_of(layout, value.to_json())
    assert await chooser_of(layout, value.to_json()) is first
    other = SeatLayout.from_plan(value)
    assert await chooser_of(other, value.to_json()) is not first


def test_chooser_spreads_a_retry_over_the_few_best_windows() -> None:
    """With spread n, the choice is one of the n best windows that fit, drawn at random."""
    seats, layout = chooser(grid_plan(3, 10))
    free = free_except(layout)
    best = seats.choose(free, Group(2))
    drawn = {
        tuple(seats.choose(free, Group(2), spread=2, rng=random.Random(seed))) for seed in range(40)
    }
    assert tuple(best) in drawn
    assert len(drawn) == 2
    assert seats.choose(free, Group(2), spread=1) == best
