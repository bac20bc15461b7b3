"""Loading plans: the checks a plan passes before anything uses it, and the shipped plans.

``parse_plan`` either returns a plan with its layout or raises PlanError; there is no
half-loaded plan. It refuses, naming the place in the file as a path
(``zones[1].rows[3].seats[7].category``):

- anything that is not the format (a missing field, a value of the wrong type);
- a category named twice, and a seat of a category the plan does not list;
- a ``seat_guid`` that breaks the seat-id rule of ``shared.identifiers``, or that
  another seat already has;
- a plan without a single seat.

Shipped plans live in the project's ``venues/`` as ``<name>.json``, each with an
optional sidecar ``<name>.marks.json`` giving seats their accessibility marks
(``{"<seat id>": ["wheelchair", …]}``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import orjson
from pydantic import TypeAdapter, ValidationError

from shared.identifiers import SEAT_ID_MAX_LENGTH, is_seat_id
from shared.plans.errors import PlanError
from shared.plans.layout import SeatLayout
from shared.plans.model import Plan

__all__ = [
    "DEFAULT_PLANS_DIR",
    "PlanError",
    "parse_plan",
    "shipped_plan",
    "shipped_plan_names",
]

DEFAULT_PLANS_DIR = Path(__file__).resolve().parents[2] / "venues"
_MARKS_SUFFIX = ".marks.json"
_PLAN_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_PLAN = TypeAdapter(Plan)
_MARKS = TypeAdapter(dict[str, list[str]])
_T = TypeVar("_T")


def parse_plan(
    data: bytes | str | Mapping[str, Any], marks: bytes | None = None
) -> tuple[Plan, SeatLayout]:
    """The plan in ``data`` (JSON text or already parsed) and its layout, its seats marked
    as ``marks`` (JSON as a sidecar holds it) says; PlanError if either is refused."""
    plan = _checked(data)
    if marks is None:
        return plan, SeatLayout.from_plan(plan)
    return plan, SeatLayout.from_plan(plan, _validated(_decoded(marks), _MARKS))


def shipped_plan(name: str, plans_dir: Path | None = None) -> tuple[Plan, SeatLayout]:
    """The shipped plan ``<plans_dir>/<name>.json`` with its marks, if it has a sidecar.

    Raises PlanError for a name that is not a shipped plan (never reading outside
    ``plans_dir``) and for a plan or sidecar that is refused, each problem prefixed with
    the file's name.
    """
    directory = plans_dir or DEFAULT_PLANS_DIR
    path = directory / f"{name}.json"
    if not _PLAN_NAME.fullmatch(name) or not path.is_file():
        shipped = ", ".join(shipped_plan_names(directory)) or "none"
        raise PlanError(f"no shipped plan named {name!r} (shipped: {shipped})")
    try:
        plan = _checked(path.read_bytes())
    except PlanError as exc:
        raise exc.within(path.name) from None
    marks_path = directory / f"{name}{_MARKS_SUFFIX}"
    if not marks_path.is_file():
        return plan, SeatLayout.from_plan(plan)
    try:
        marks = _validated(_decoded(marks_path.read_bytes()), _MARKS)
        return plan, SeatLayout.from_plan(plan, marks)
    except PlanError as exc:
        raise exc.within(marks_path.name) from None


def shipped_plan_names(plans_dir: Path | None = None) -> list[str]:
    """The names of the shipped plans, sorted."""
    directory = plans_dir or DEFAULT_PLANS_DIR
    if not directory.is_dir():
        return []
    return sorted(
        path.name.removesuffix(".json")
        for path in directory.glob("*.json")
        if not path.name.endswith(_MARKS_SUFFIX) and _PLAN_NAME.fullmatch(path.stem)
    )


def _checked(data: bytes | str | Mapping[str, Any]) -> Plan:
    """The plan in ``data`` once it passed every check of the module docstring."""
    plan = _validated(_decoded(data), _PLAN)
    problems = list(_problems(plan))
    if problems:
        raise PlanError(*problems)
    return plan


def _decoded(data: bytes | str | Mapping[str, Any]) -> Any:
    if isinstance(data, Mapping):
        return dict(data)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise PlanError(f"not valid JSON: {exc}") from None


def _validated(value: Any, adapter: TypeAdapter[_T]) -> _T:
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        raise PlanError(*(_described(error) for error in exc.errors())) from None


def _described(error: Any) -> str:
    """A pydantic error as ``path: what is wrong``."""
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{path.removeprefix('.') or 'plan'}: {message[:1].lower()}{message[1:]}"


def _problems(plan: Plan) -> Iterator[str]:
    categories: set[str] = set()
    for i, category in enumerate(plan.categories):
        if category.name in categories:
            yield f"categories[{i}].name: category {category.name!r} is listed twice"
        categories.add(category.name)
    first_place: dict[str, str] = {}
    for z, zone in enumerate(plan.zones):
        for r, row in enumerate(zone.rows):
            for s, seat in enumerate(row.seats):
                place = f"zones[{z}].rows[{r}].seats[{s}]"
                if seat.category not in categories:
                    yield f"{place}.category: unknown category {seat.category!r}"
                if not is_seat_id(seat.seat_guid):
                    yield (
                        f"{place}.seat_guid: {seat.seat_guid!r} is not a valid seat id "
                        f"(1-{SEAT_ID_MAX_LENGTH} letters, digits, _ or -)"
                    )
                elif seat.seat_guid in first_place:
                    yield (
                        f"{place}.seat_guid: duplicate seat_guid {seat.seat_guid!r} "
                        f"(first at {first_place[seat.seat_guid]})"
                    )
                else:
                    first_place[seat.seat_guid] = place
    if not any(row.seats for zone in plan.zones for row in zone.rows):
        yield "zones: the plan has no seats"
