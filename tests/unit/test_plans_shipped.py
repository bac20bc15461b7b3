"""The shipped plans in venues/: they load, hold what they promise and match the generator."""

from __future__ import annotations

import itertools
import shutil
from functools import cache
from pathlib import Path

import pytest

from scripts import generate_venues
from shared.identifiers import is_seat_id
from shared.plans.errors import PlanError
from shared.plans.grid import grid_plan
from shared.plans.loading import DEFAULT_PLANS_DIR, shipped_plan, shipped_plan_names

SEAT_COUNTS = {"hall": (100, 100), "theatre": (1_100, 1_300), "arena": (19_000, 21_000)}
# Each plan is loaded once for the read-only tests here; none of them changes it.
loaded = cache(shipped_plan)


def test_shipped_plan_names_are_hall_theatre_and_arena() -> None:
    """venues/ ships exactly the three plans, sidecars not counted as plans."""
    assert shipped_plan_names() == ["arena", "hall", "theatre"]


@pytest.mark.parametrize("name", sorted(SEAT_COUNTS))
def test_shipped_plan_loads_with_valid_unique_ids_of_known_categories(name: str) -> None:
    """Each shipped plan loads; its seats are counted as promised, ids valid and unique."""
    _, layout = loaded(name)
    low, high = SEAT_COUNTS[name]
    assert low <= len(layout) <= high
    assert len(set(layout.seat_ids)) == len(layout)
    assert all(is_seat_id(seat_id) for seat_id in layout.seat_ids)
    assert {seat.category for seat in layout} == set(layout.categories)
    assert all(color.startswith("#") for color in layout.categories.values())


@pytest.mark.parametrize("name", sorted(SEAT_COUNTS))
def test_shipped_plan_seats_lie_within_its_size(name: str) -> None:
    """Every seat circle lies inside the plan's width and height."""
    plan, layout = loaded(name)
    for seat in layout:
        assert seat.radius <= seat.x <= plan.size.width - seat.radius, seat.id
        assert seat.radius <= seat.y <= plan.size.height - seat.radius, seat.id


@pytest.mark.parametrize("name", sorted(SEAT_COUNTS))
def test_shipped_plan_names_its_stage(name: str) -> None:
    """Each shipped plan has exactly one area whose text is "Stage"."""
    plan, _ = loaded(name)
    stages = [
        area
        for zone in plan.zones
        for area in zone.areas
        if area.text and area.text.text == "Stage"
    ]
    assert len(stages) == 1


@pytest.mark.parametrize("name", ["theatre", "arena"])
def test_shipped_plan_multi_zone_ids_are_zone_row_and_number(name: str) -> None:
    """Seat ids of the multi-zone plans are {zone_id}-{row}{number}."""
    plan, _ = loaded(name)
    for zone in plan.zones:
        for row in zone.rows:
            for seat in row.seats:
                assert seat.seat_guid == f"{zone.zone_id}-{row.row_number}{seat.seat_number}"


def test_shipped_hall_is_the_seed_grid() -> None:
    """hall is grid_plan(10, 10): ids A1 … J10 on a 10 x 10 grid."""
    plan, layout = shipped_plan("hall")
    assert plan == grid_plan(10, 10)
    assert layout.grid_shape == (10, 10)
    assert (layout.seat_ids[0], layout.seat_ids[-1]) == ("A1", "J10")


def test_shipped_theatre_has_stalls_circle_boxes_and_marked_seats() -> None:
    """The theatre's zones are Stalls, Circle (CIR) and Boxes (BOX), with marks attached."""
    plan, layout = loaded("theatre")
    assert [(zone.name, zone.zone_id) for zone in plan.zones] == [
        ("Stalls", "STL"),
        ("Circle", "CIR"),
        ("Boxes", "BOX"),
    ]
    assert list(layout.categories) == ["Stalls", "Circle", "Box"]
    assert layout.display_name("STL-A1") == "Stalls, Row A, Seat 1"
    by_mark = {mark: [s for s in layout if mark in s.marks] for mark in ("wheelchair", "companion")}
    assert by_mark["wheelchair"]
    assert all(s.zone == "Stalls" for s in by_mark["wheelchair"])
    for wheelchair in by_mark["wheelchair"]:
        assert any(
            c.row == wheelchair.row and abs(c.col - wheelchair.col) == 1
            for c in by_mark["companion"]
        ), wheelchair.id
    restricted = [seat for seat in layout if "restricted_view" in seat.marks]
    assert restricted
    assert all(seat.zone == "Circle" for seat in restricted)


def test_shipped_theatre_stalls_are_curved_and_split_by_an_aisle() -> None:
    """A stalls row bends towards the stage at its ends and has one wide gap in the middle."""
    plan, layout = loaded("theatre")
    row = [layout.seat(seat.seat_guid) for seat in plan.zones[0].rows[5].seats]
    assert row[0].y < row[len(row) // 2].y > row[-1].y
    gaps = sorted(b.x - a.x for a, b in itertools.pairwise(row))
    assert gaps[-1] > 2 * gaps[0]
    assert gaps[-2] < 1.5 * gaps[0]


def test_shipped_arena_has_twenty_blocks_around_a_floor() -> None:
    """The arena has a Floor and at least 20 blocks named like B101, wheelchair places too."""
    plan, layout = loaded("arena")
    blocks = [zone for zone in plan.zones if zone.zone_id and zone.zone_id.startswith("B")]
    assert len(blocks) >= 20
    assert all(len(block.zone_id or "") == 4 for block in blocks)
    assert plan.zones[0].name == "Floor"
    assert set(layout.categories) == {"Floor", "Lower", "Upper"}
    assert {seat.zone for seat in layout if "wheelchair" in seat.marks} > set()
    assert layout.display_name("B101-A1") == "Block 101, Row A, Seat 1"


def test_shipped_files_equal_the_generator_output() -> None:
    """venues/ holds exactly what scripts/generate_venues.py writes."""
    outputs = generate_venues.outputs()
    assert sorted(outputs) == sorted(path.name for path in DEFAULT_PLANS_DIR.glob("*.json"))
    for name, content in outputs.items():
        assert (DEFAULT_PLANS_DIR / name).read_bytes() == content, name
    assert generate_venues.main(["--check"]) == 0


def test_generator_check_reports_a_stale_file(tmp_path: Path) -> None:
    """--check fails when a file differs from what the generator writes."""
    assert generate_venues.main(["--dir", str(tmp_path)]) == 0
    assert generate_venues.main(["--check", "--dir", str(tmp_path)]) == 0
    (tmp_path / "hall.json").write_text("{}")
    assert generate_venues.main(["--check", "--dir", str(tmp_path)]) == 1


@pytest.mark.parametrize("name", ["nope", "../venues/hall", "hall.marks", "Hall", ""])
def test_shipped_plan_refuses_names_it_does_not_ship(name: str) -> None:
    """A name that is not a shipped plan is refused, listing the shipped ones."""
    with pytest.raises(
        PlanError, match=r"no shipped plan named .*\(shipped: arena, hall, theatre\)"
    ):
        shipped_plan(name)


def test_shipped_plan_error_names_the_file(tmp_path: Path) -> None:
    """A broken plan file is refused with its file name before the place in it."""
    (tmp_path / "broken.json").write_text('{"name": "x", "categories": [], "zones": []}')
    with pytest.raises(PlanError, match=r"^broken\.json: size: field required"):
        shipped_plan("broken", tmp_path)


def test_shipped_plan_marks_sidecar_errors_name_the_sidecar(tmp_path: Path) -> None:
    """A sidecar naming a seat the plan lacks is refused, naming the sidecar and the id."""
    shutil.copy(DEFAULT_PLANS_DIR / "hall.json", tmp_path / "hall.json")
    (tmp_path / "hall.marks.json").write_text('{"K1": ["wheelchair"]}')
    with pytest.raises(PlanError, match=r"^hall\.marks\.json: K1: no such seat in the plan$"):
        shipped_plan("hall", tmp_path)
    (tmp_path / "hall.marks.json").write_text('{"A1": "wheelchair"}')
    with pytest.raises(PlanError, match=r"^hall\.marks\.json: A1: input should be a valid list"):
        shipped_plan("hall", tmp_path)
