"""Generate the shipped seating plans in venues/: hall, theatre and arena.

    python scripts/generate_venues.py            # (re)write venues/*.json
    python scripts/generate_venues.py --check    # exit 1 if a file differs from the output

The output depends on nothing but this file, so it is the same on every run; the files
are checked in and the unit tests compare them with it.

- ``hall``: the seed's 10 x 10 hall, ``grid_plan(10, 10)``, ids ``A1`` … ``J10``;
- ``theatre``: stalls in curved rows split by a centre aisle, a circle behind them and
  eight boxes along the side walls; wheelchair places with companion seats at the back
  of the stalls and restricted-view seats at the ends of the circle's back rows;
- ``arena``: a seated floor in front of the stage and two tiers of blocks (``B101`` …,
  ``B201`` …) around it, with wheelchair places on the top row of some lower blocks.

Multi-zone plans have seat ids ``{zone_id}-{row}{number}``; rows are lettered from the
front and seats numbered left to right as seen from them, facing the stage or floor.
Marks go to ``<name>.marks.json``. Coordinates are plan units, y down, angles in degrees
clockwise from straight up.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from shared.plans.grid import grid_plan, row_label
from shared.plans.loading import DEFAULT_PLANS_DIR
from shared.plans.model import (
    Area,
    AreaText,
    Category,
    Plan,
    Position,
    Rectangle,
    Row,
    Seat,
    Size,
    Zone,
)

SEAT_SPACING = 22  # centre to centre along a row
ROW_SPACING = 26  # between rows
SIDE_MARGIN = SEAT_SPACING / 2 + 12  # from a block's edge (an aisle) to its outer seats

Point = tuple[float, float]
Marks = dict[str, list[str]]


@dataclass(frozen=True)
class Bowl:
    """Rows on circles around ``centre``: row ``i`` has radius ``first_radius + i * ROW_SPACING``.

    Each row spans the angles ``start`` … ``end``; an aisle ``aisle`` units wide splits it
    in the middle when non-zero.
    """

    centre: Point
    first_radius: float
    rows: int
    start: float
    end: float
    aisle: float = 0

    def row_points(self, row: int) -> list[Point]:
        """Seat centres of one row, left to right as seen facing the centre."""
        radius = self.first_radius + row * ROW_SPACING
        if not self.aisle:
            return self._segment(radius, self.start, self.end)
        middle = (self.start + self.end) / 2
        half_gap = math.degrees(self.aisle / 2 / radius)
        return self._segment(radius, middle + half_gap, self.end) + self._segment(
            radius, self.start, middle - half_gap
        )

    def _segment(self, radius: float, start: float, end: float) -> list[Point]:
        usable = radius * math.radians(end - start) - 2 * SIDE_MARGIN
        count = math.floor(usable / SEAT_SPACING) + 1 if usable >= 0 else 0
        step = math.degrees(SEAT_SPACING / radius)
        middle = (start + end) / 2
        # Facing the centre, one's left is at the larger angle.
        angles = [middle + (count - 1 - 2 * k) * step / 2 for k in range(count)]
        cx, cy = self.centre
        return [
            (cx + radius * math.sin(math.radians(a)), cy - radius * math.cos(math.radians(a)))
            for a in angles
        ]


def _round(point: Point) -> tuple[int, int]:
    return round(point[0]), round(point[1])


def _zone(
    name: str, zone_id: str, category: str, rows: Sequence[Sequence[Point]], areas: list[Area]
) -> Zone:
    """A zone of the given rows (absolute seat centres) whose offsets add up to them exactly.

    The zone sits at the top-left of its seats, each row at its first seat.
    """
    seats = [_round(point) for row in rows for point in row]
    zx, zy = min(x for x, _ in seats), min(y for _, y in seats)
    built = []
    for r, points in enumerate(rows):
        label = row_label(r)
        rx, ry = _round(points[0])
        row_seats = [
            Seat(
                seat_guid=f"{zone_id}-{label}{n}",
                seat_number=str(n),
                category=category,
                position=Position(x=x - rx, y=y - ry),
            )
            for n, (x, y) in enumerate((_round(point) for point in points), start=1)
        ]
        built.append(
            Row(row_number=label, position=Position(x=rx - zx, y=ry - zy), seats=row_seats)
        )
    moved = [
        area.model_copy(update={"position": _moved(area.position, -zx, -zy)}) for area in areas
    ]
    return Zone(name=name, zone_id=zone_id, position=Position(x=zx, y=zy), rows=built, areas=moved)


def _moved(position: Position, dx: float, dy: float) -> Position:
    return Position(x=position.x + dx, y=position.y + dy)


def _labelled_box(x: float, y: float, width: float, height: float, text: str, color: str) -> Area:
    """A rectangle with its top-left at (x, y) (absolute) and ``text`` in its middle."""
    return Area(
        shape="rectangle",
        color=color,
        position=Position(x=x, y=y),
        rectangle=Rectangle(width=width, height=height),
        text=AreaText(
            text=text, position=Position(x=width / 2, y=height / 2), size=32, color="#ffffff"
        ),
    )


def _label(point: Point, text: str) -> Area:
    """A text area centred on ``point`` (absolute)."""
    return Area(
        shape="text",
        color="#333333",
        position=Position(x=round(point[0]), y=round(point[1])),
        text=AreaText(text=text, position=Position(x=0, y=0), size=24, color="#333333"),
    )


def _rows(bowl: Bowl) -> list[list[Point]]:
    return [bowl.row_points(row) for row in range(bowl.rows)]


def theatre() -> tuple[Plan, Marks]:
    """About 1,200 seats: curved stalls with a centre aisle, a circle, eight boxes."""
    width, focus = 1700, (850.0, 80.0)
    stage = _labelled_box(550, 30, 600, 160, "Stage", "#4d4d4d")
    stalls = _rows(Bowl(focus, 260, 20, 130, 230, aisle=44))
    circle = _rows(Bowl(focus, 980, 8, 145, 215, aisle=44))
    boxes, box_areas = [], []
    for k in range(8):
        left = k < 4
        x = 50 if left else width - 50 - 90
        y = 260 + (k % 4) * 120
        box_areas.append(_box_outline(x, y))
        points = [(x + 21 + 24 * j, y + 22 + 26 * i) for i in range(2) for j in range(3)]
        boxes.append([(float(px), float(py)) for px, py in points])
    plan = Plan(
        name="Theatre",
        size=Size(width=width, height=1290),
        categories=[
            Category(name="Stalls", color="#2e86de"),
            Category(name="Circle", color="#8e44ad"),
            Category(name="Box", color="#c0392b"),
        ],
        zones=[
            _zone("Stalls", "STL", "Stalls", stalls, [stage]),
            _zone("Circle", "CIR", "Circle", circle, [_label((850, 1010), "Circle")]),
            _zone("Boxes", "BOX", "Box", boxes, box_areas),
        ],
    )
    marks: Marks = {}
    back = plan.zones[0].rows[-1]
    _mark_row_ends(marks, back, "wheelchair", [0, 2])
    _mark_row_ends(marks, back, "companion", [1, 3])
    for row in plan.zones[1].rows[-2:]:
        _mark_row_ends(marks, row, "restricted_view", [0, 1])
    return plan, marks


def _box_outline(x: float, y: float) -> Area:
    return Area(
        shape="rectangle",
        color="#f2e3d5",
        position=Position(x=x, y=y),
        rectangle=Rectangle(width=90, height=70),
    )


def _mark_row_ends(marks: Marks, row: Row, mark: str, offsets: Sequence[int]) -> None:
    """Give ``mark`` to the seats ``offsets`` places in from both ends of ``row``."""
    for offset in offsets:
        for seat in (row.seats[offset], row.seats[-1 - offset]):
            marks.setdefault(seat.seat_guid, []).append(mark)


def arena() -> tuple[Plan, Marks]:
    """About 20,000 seats: a seated floor and 40 blocks in two tiers around it."""
    # Nothing is behind the stage, so the plan stops a little above it.
    width, height, centre = 4760, 4390, (2380.0, 2010.0)
    cx, cy = centre
    floor_rows = [
        [(cx + _floor_offset(n), cy - 507 + r * ROW_SPACING) for n in range(60)] for r in range(40)
    ]
    floor_areas = [
        _labelled_box(cx - 400, cy - 747, 800, 180, "Stage", "#4d4d4d"),
        Area(
            shape="rectangle",
            color="#ececec",
            position=Position(x=cx - 710, y=cy - 537),
            rectangle=Rectangle(width=1420, height=1074),
        ),
    ]
    zones = [_zone("Floor", "FLR", "Floor", floor_rows, floor_areas)]
    zones += _tier(centre, 101, 16, first_radius=950, rows=22, category="Lower")
    zones += _tier(centre, 201, 24, first_radius=1602, rows=28, category="Upper")
    plan = Plan(
        name="Arena",
        size=Size(width=width, height=height),
        categories=[
            Category(name="Floor", color="#e67e22"),
            Category(name="Lower", color="#2980b9"),
            Category(name="Upper", color="#16a085"),
        ],
        zones=zones,
    )
    marks: Marks = {}
    for zone in plan.zones:
        if zone.zone_id in ("B104", "B108", "B109", "B113"):
            _mark_row_ends(marks, zone.rows[-1], "wheelchair", [0])
            _mark_row_ends(marks, zone.rows[-1], "companion", [1])
    return plan, marks


def _floor_offset(n: int) -> float:
    """x of the floor's seat ``n`` from the centre: 30 seats a side of a 60-unit aisle."""
    side = -1 if n < 30 else 1
    k = 29 - n if n < 30 else n - 30
    return side * (30 + k * SEAT_SPACING)


def _tier(
    centre: Point, first: int, blocks: int, *, first_radius: float, rows: int, category: str
) -> list[Zone]:
    """``blocks`` blocks numbered from ``first`` clockwise from the stage's right."""
    start, end = 32.0, 328.0
    span = (end - start) / blocks
    zones = []
    for b in range(blocks):
        lo = start + b * span
        bowl = Bowl(centre, first_radius, rows, lo, lo + span)
        number = first + b
        middle = math.radians(lo + span / 2)
        label_radius = first_radius - 40
        label = (
            centre[0] + label_radius * math.sin(middle),
            centre[1] - label_radius * math.cos(middle),
        )
        zones.append(
            _zone(
                f"Block {number}", f"B{number}", category, _rows(bowl), [_label(label, str(number))]
            )
        )
    return zones


def hall() -> tuple[Plan, Marks]:
    """The seed's 10 x 10 hall."""
    return grid_plan(10, 10), {}


PLANS = {
    "hall": hall,
    "theatre": theatre,
    "arena": arena,
}


def outputs() -> dict[str, bytes]:
    """Every file the generator writes, by name, with its exact content."""
    files: dict[str, bytes] = {}
    for name, build in PLANS.items():
        plan, marks = build()
        files[f"{name}.json"] = plan.to_json() + b"\n"
        if marks:
            files[f"{name}.marks.json"] = orjson.dumps(
                marks, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
            )
    return files


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--dir", type=Path, default=DEFAULT_PLANS_DIR, help="default: venues/")
    args = parser.parse_args(argv)
    stale = []
    for name, content in outputs().items():
        path = args.dir / name
        if args.check:
            if not path.is_file() or path.read_bytes() != content:
                stale.append(name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    if stale:
        print(f"out of date: {', '.join(stale)}; run scripts/generate_venues.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
