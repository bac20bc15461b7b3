"""The subset of pretix's seating-plan JSON that we read, as pydantic models.

A plan is a list of zones; a zone holds rows of seats and optional areas (stage,
labels, shapes). Positions nest and y grows downwards: a seat's place on the plan is
its zone's position plus its row's plus its own. Keys we do not read are ignored, so a
plan saved by pretix's editor loads as it is; values are checked strictly (a number
is never taken from a string, a string never from a number).

These models check the shape of a plan only. What needs the whole plan (categories
that exist, unique and valid seat ids, at least one seat) is checked by
``shared.plans.loading``, which is the way in for plans from outside.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, PlainSerializer, model_validator

__all__ = [
    "Area",
    "AreaText",
    "Category",
    "Circle",
    "Ellipse",
    "Plan",
    "Point",
    "Polygon",
    "Position",
    "Rectangle",
    "Row",
    "Seat",
    "Size",
    "Zone",
]

DEFAULT_SEAT_RADIUS = 10


def _compact(value: float) -> int | float:
    """A whole number is written without its ``.0``, as pretix's editor writes it."""
    return int(value) if float(value).is_integer() else value


# A coordinate or length in plan units (pixels of the plan at zoom 1).
Number = Annotated[float, PlainSerializer(_compact, return_type=int | float)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class Position(_Model):
    """An offset from the enclosing element (the plan, a zone or a row); y grows downwards."""

    x: Number
    y: Number


Point = Position


class Size(_Model):
    """The extent of the whole plan: every seat and area lies within it."""

    width: Number
    height: Number


class Category(_Model):
    """A kind of seat (usually a price level), drawn in ``color``."""

    name: str
    color: str


class Seat(_Model):
    """One seat: ``seat_guid`` is its id everywhere; ``seat_number`` is what people read."""

    seat_guid: str
    seat_number: str
    category: str
    position: Position
    radius: Number = DEFAULT_SEAT_RADIUS


class Row(_Model):
    """A row of seats; ``row_label``, when given, names the row to people instead of the number."""

    row_number: str
    row_label: str | None = None
    position: Position
    seats: list[Seat]


class Rectangle(_Model):
    width: Number
    height: Number


class Circle(_Model):
    radius: Number


class Ellipse(_Model):
    radius: Point


class Polygon(_Model):
    points: list[Point]


class AreaText(_Model):
    """Text drawn in an area, centred at ``position`` from the area's own (there if absent)."""

    text: str
    position: Position | None = None
    size: Number | None = None
    color: str | None = None


AreaShape = Literal["rectangle", "text", "polygon", "ellipse", "circle"]


class Area(_Model):
    """A shape that is not a seat: the stage, a label, a block outline.

    The shape's own object (``rectangle``, ``circle``, ``ellipse``, ``polygon``, or
    ``text`` for a text area) must be present; ``rotation`` is in degrees clockwise
    around ``position``.
    """

    shape: AreaShape
    color: str
    position: Position
    rotation: Number | None = None
    rectangle: Rectangle | None = None
    text: AreaText | None = None
    circle: Circle | None = None
    ellipse: Ellipse | None = None
    polygon: Polygon | None = None

    @model_validator(mode="after")
    def _has_its_shape(self) -> Area:
        if getattr(self, self.shape) is None:
            raise ValueError(f"a {self.shape} area needs its {self.shape!r} object")
        return self


class Zone(_Model):
    """A part of the venue (stalls, circle, a block); ``zone_id`` is the prefix of its seat ids."""

    name: str
    zone_id: str | None = None
    position: Position
    rows: list[Row]
    areas: list[Area] = []


class Plan(_Model):
    """A whole seating plan: its categories and its zones, in the order they are listed.

    ``focal_point``, when given, is where the audience looks (absolute plan
    coordinates); best available ranks seats by their distance from it.
    """

    name: str
    size: Size
    categories: list[Category]
    zones: list[Zone]
    focal_point: Point | None = None

    def to_json(self) -> bytes:
        """The plan as compact JSON, leaving out what is at its default (a seat's radius 10)."""
        return self.model_dump_json(exclude_defaults=True).encode()
