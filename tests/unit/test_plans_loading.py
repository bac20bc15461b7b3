"""parse_plan: broken plans are refused as a whole, each with the place that is wrong."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest

from shared.plans.errors import PlanError
from shared.plans.grid import grid_plan
from shared.plans.loading import parse_plan


def _plan() -> dict[str, Any]:
    """A valid two-zone plan as JSON data, for each test to break one way."""
    hall: dict[str, Any] = grid_plan(4, 8).model_dump(mode="json", exclude_defaults=True)
    balcony = copy.deepcopy(hall["zones"][0])
    balcony.update(name="Balcony", zone_id="BAL")
    for row in balcony["rows"]:
        for seat in row["seats"]:
            seat["seat_guid"] = f"BAL-{row['row_number']}{seat['seat_number']}"
    hall["zones"].append(balcony)
    return hall


def _refusal(data: Any) -> PlanError:
    with pytest.raises(PlanError) as caught:
        parse_plan(data)
    return caught.value


def test_parse_plan_accepts_the_valid_plan_in_every_input_form() -> None:
    """The same plan loads from a mapping, from JSON text and from JSON bytes."""
    data = _plan()
    loaded = [parse_plan(form)[1].seat_ids for form in (data, orjson.dumps(data).decode())]
    assert loaded[0] == loaded[1] == parse_plan(orjson.dumps(data))[1].seat_ids
    assert len(loaded[0]) == 64
    assert loaded[0][32] == "BAL-A1"


def test_parse_plan_refuses_an_unknown_category() -> None:
    """A seat of a category the plan does not list is named by its path."""
    data = _plan()
    data["zones"][1]["rows"][3]["seats"][7]["category"] = "VIP"
    error = _refusal(data)
    assert str(error) == "zones[1].rows[3].seats[7].category: unknown category 'VIP'"


def test_parse_plan_refuses_a_duplicate_seat_guid() -> None:
    """A seat_guid used twice is named where it repeats, with where it was first."""
    data = _plan()
    data["zones"][1]["rows"][2]["seats"][5]["seat_guid"] = "A1"
    assert str(_refusal(data)) == (
        "zones[1].rows[2].seats[5].seat_guid: duplicate seat_guid 'A1'"
        " (first at zones[0].rows[0].seats[0])"
    )


@pytest.mark.parametrize("seat_id", ["A 1", "A1\n", "<b>", "é", "x" * 33, ""])
def test_parse_plan_refuses_a_seat_id_that_breaks_the_rule(seat_id: str) -> None:
    """A seat_guid outside the seat-id alphabet (or too long, or empty) is refused."""
    data = _plan()
    data["zones"][0]["rows"][1]["seats"][2]["seat_guid"] = seat_id
    message = str(_refusal(data))
    assert message.startswith(f"zones[0].rows[1].seats[2].seat_guid: {seat_id!r} is not a valid")


def test_parse_plan_refuses_a_plan_without_zones() -> None:
    """A plan with no zones has no seats and is refused."""
    data = _plan()
    data["zones"] = []
    assert str(_refusal(data)) == "zones: the plan has no seats"


def test_parse_plan_refuses_zones_without_seats() -> None:
    """Zones whose rows are all empty make a plan without seats."""
    data = _plan()
    for zone in data["zones"]:
        for row in zone["rows"]:
            row["seats"] = []
    assert str(_refusal(data)) == "zones: the plan has no seats"


def test_parse_plan_refuses_a_missing_required_field() -> None:
    """A seat without its seat_number is named, field and all."""
    data = _plan()
    del data["zones"][1]["rows"][0]["seats"][3]["seat_number"]
    assert str(_refusal(data)) == "zones[1].rows[0].seats[3].seat_number: field required"


def test_parse_plan_refuses_a_value_of_the_wrong_type() -> None:
    """A position given as text is not taken as a number."""
    data = _plan()
    data["zones"][0]["rows"][2]["position"]["x"] = "30"
    error = _refusal(data)
    assert str(error) == "zones[0].rows[2].position.x: input should be a valid number"


def test_parse_plan_refuses_a_row_number_given_as_a_number() -> None:
    """row_number is a string in the format; a bare number is refused, not converted."""
    data = _plan()
    data["zones"][0]["rows"][0]["row_number"] = 1
    assert str(_refusal(data)).startswith("zones[0].rows[0].row_number: input should be")


def test_parse_plan_refuses_a_missing_top_level_field() -> None:
    """A plan without its size is refused at the top level."""
    data = _plan()
    del data["size"]
    assert str(_refusal(data)) == "size: field required"


def test_parse_plan_refuses_an_area_without_its_shape() -> None:
    """A rectangle area without its rectangle object is named by its path."""
    data = _plan()
    del data["zones"][0]["areas"][0]["rectangle"]
    assert str(_refusal(data)).startswith("zones[0].areas[0]: a rectangle area needs")


def test_parse_plan_refuses_a_category_listed_twice() -> None:
    """Two categories of one name are refused at the second."""
    data = _plan()
    data["categories"].append({"name": "Standard", "color": "#000000"})
    assert str(_refusal(data)) == "categories[1].name: category 'Standard' is listed twice"


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"{", "not valid JSON"), (b"[]", "plan: input should be a valid dictionary")],
)
def test_parse_plan_refuses_what_is_not_a_plan_object(data: bytes, message: str) -> None:
    """Text that is not JSON, or JSON that is not an object, is refused."""
    assert str(_refusal(data)).startswith(message)


def test_parse_plan_reports_every_problem_and_counts_them() -> None:
    """With several problems the message is the first plus a count; all are kept."""
    data = _plan()
    data["zones"][0]["rows"][0]["seats"][0]["category"] = "VIP"
    data["zones"][1]["rows"][0]["seats"][0]["category"] = "VIP"
    data["zones"][1]["rows"][0]["seats"][1]["seat_guid"] = "A2"
    error = _refusal(data)
    assert len(error.problems) == 3
    assert str(error) == f"{error.problems[0]} (and 2 more problems)"


def test_parse_plan_ignores_keys_it_does_not_read() -> None:
    """Keys of the full pretix format (uuids, editor hints) are ignored."""
    data = _plan()
    data["zones"][0]["uuid"] = "1b0b0c2e"
    data["zones"][0]["rows"][0]["row_number_position"] = "start"
    data["zones"][0]["rows"][0]["seats"][0]["start_direction"] = ">"
    assert len(parse_plan(data)[1]) == 64


def test_parse_plan_leaves_the_input_unchanged() -> None:
    """A refused plan leaves the caller's data as it was: nothing is half-loaded."""
    data = _plan()
    data["zones"][1]["rows"][3]["seats"][7]["category"] = "VIP"
    before = copy.deepcopy(data)
    _refusal(data)
    assert data == before
