"""Plain rows x cols halls as plans: the seed's 10 x 10 hall is ``grid_plan(10, 10)``.

Rows are named by letters (``row_label``: 0 → ``A``, 25 → ``Z``, then ``AA``, ``AB``, …,
bijective base 26) and seats by their 1-based column, so seat ids run ``A1`` … ``J10``.
The stage is a rectangle above the first row.
"""

from __future__ import annotations

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

__all__ = ["GRID_CATEGORY", "grid_plan", "row_label"]

# The one category of a grid plan: its name and colour.
GRID_CATEGORY = ("Standard", "#4a90d9")
_SPACING = 30
_MARGIN = 30
_STAGE_HEIGHT = 40
_SEAT_RADIUS = 10


def row_label(row: int) -> str:
    """The letters naming a 0-based row: 0 → ``A``, 25 → ``Z``, 26 → ``AA``."""
    if row < 0:
        raise ValueError(f"row must be >= 0, got {row}")
    letters = ""
    n = row + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def grid_plan(rows: int, cols: int, *, name: str = "Hall") -> Plan:
    """A one-zone plan named ``name`` with ``rows`` x ``cols`` seats of category "Standard".

    Row ``r`` has ``row_number`` ``row_label(r)`` and seats numbered ``"1"`` … ``str(cols)``
    whose ids are the two joined (``A1``); seats are listed row by row, left to right.
    """
    if rows < 1 or cols < 1:
        raise ValueError("a grid plan needs at least one row and one column")
    width = 2 * _MARGIN + (cols - 1) * _SPACING
    first_row_y = 2 * _MARGIN + _STAGE_HEIGHT
    stage_width = width - 2 * (_MARGIN - _SEAT_RADIUS)
    stage = Area(
        shape="rectangle",
        color="#555555",
        position=Position(x=_MARGIN - _SEAT_RADIUS, y=_MARGIN // 2),
        rectangle=Rectangle(width=stage_width, height=_STAGE_HEIGHT),
        text=AreaText(
            text="Stage", position=Position(x=stage_width / 2, y=_STAGE_HEIGHT / 2), color="#ffffff"
        ),
    )
    return Plan(
        name=name,
        size=Size(width=width, height=first_row_y + (rows - 1) * _SPACING + _MARGIN),
        categories=[Category(name=GRID_CATEGORY[0], color=GRID_CATEGORY[1])],
        zones=[
            Zone(
                name=name,
                position=Position(x=0, y=0),
                rows=[_row(r, cols, y=first_row_y + r * _SPACING) for r in range(rows)],
                areas=[stage],
            )
        ],
    )


def _row(row: int, cols: int, *, y: int) -> Row:
    label = row_label(row)
    seats = [
        Seat(
            seat_guid=f"{label}{c + 1}",
            seat_number=str(c + 1),
            category=GRID_CATEGORY[0],
            position=Position(x=c * _SPACING, y=0),
        )
        for c in range(cols)
    ]
    return Row(row_number=label, position=Position(x=_MARGIN, y=y), seats=seats)
