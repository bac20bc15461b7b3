"""focal_point: the plan's own, else the Stage area's centre, else the top centre."""

from __future__ import annotations

from typing import Any

import pytest

from shared.plans import grid_plan
from shared.plans.focal import focal_point
from shared.plans.model import Plan


def _plan(areas: list[dict[str, Any]], **extra: Any) -> Plan:
    zone = {"name": "Hall", "position": {"x": 100, "y": 50}, "rows": [], "areas": areas}
    body = {
        "name": "P",
        "size": {"width": 400, "height": 300},
        "categories": [],
        "zones": [zone],
        **extra,
    }
    return Plan.model_validate(body)


def _stage(shape: str, **fields: Any) -> dict[str, Any]:
    return {"shape": shape, "color": "#000", "text": {"text": "Stage"}, **fields}


def test_focal_point_is_the_plans_own_when_given() -> None:
    """A plan's focal_point wins over its stage."""
    stage = _stage("circle", position={"x": 0, "y": 0}, circle={"radius": 5})
    assert focal_point(_plan([stage], focal_point={"x": 7, "y": 9})) == (7, 9)


@pytest.mark.parametrize(
    ("area", "centre"),
    [
        (_stage("circle", position={"x": 10, "y": 20}, circle={"radius": 5}), (110, 70)),
        (
            _stage(
                "rectangle",
                position={"x": 0, "y": 0},
                rotation=90,
                rectangle={"width": 40, "height": 20},
            ),
            (90, 70),
        ),
        (
            _stage(
                "polygon",
                position={"x": 0, "y": 0},
                polygon={"points": [{"x": 0, "y": 0}, {"x": 60, "y": 0}, {"x": 30, "y": 30}]},
            ),
            (130, 60),
        ),
    ],
)
def test_focal_point_is_the_centre_of_the_stage_area(
    area: dict[str, Any], centre: tuple[float, float]
) -> None:
    """The Stage area's shape centre, zone offset and rotation (clockwise) included."""
    x, y = focal_point(_plan([area]))
    assert (round(x, 6), round(y, 6)) == centre


def test_focal_point_falls_back_to_the_top_centre() -> None:
    """Without a focal point or a Stage area, the top centre of the plan."""
    label = {
        "shape": "text",
        "color": "#000",
        "position": {"x": 0, "y": 0},
        "text": {"text": "Bar"},
    }
    assert focal_point(_plan([label])) == (200, 0)


def test_focal_point_of_a_grid_hall_is_its_stage_above_the_middle() -> None:
    """A grid hall's stage is centred over its seats."""
    assert focal_point(grid_plan(10, 10)) == (165, 35)
