"""Venue layout: seat ids, their grid positions and their order.

Seat ids are a row label plus a 1-based column: row 0 is ``A``, row 25 is ``Z``,
then ``AA``, ``AB``, … (bijective base 26), so ``A1`` … ``J10`` for 10 x 10. Every id
a venue has obeys the seat-id rule of ``shared.identifiers``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.identifiers import is_seat_id

__all__ = ["Venue", "row_label"]


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


@dataclass(frozen=True)
class Venue:
    """A rectangular venue of ``rows`` x ``cols`` seats, identified by ``venue_id``."""

    venue_id: str
    rows: int
    cols: int
    seat_ids: tuple[str, ...] = field(init=False, repr=False)
    positions: dict[str, tuple[int, int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.rows < 1 or self.cols < 1:
            raise ValueError("a venue needs at least one row and one column")
        last = f"{row_label(self.rows - 1)}{self.cols}"
        if not is_seat_id(last):
            raise ValueError(f"a venue this large would have seat ids such as {last!r}")
        positions = {
            f"{row_label(r)}{c + 1}": (r, c) for r in range(self.rows) for c in range(self.cols)
        }
        object.__setattr__(self, "positions", positions)
        object.__setattr__(self, "seat_ids", tuple(positions))

    def __contains__(self, seat_id: object) -> bool:
        return seat_id in self.positions

    @property
    def size(self) -> int:
        """How many seats the venue has."""
        return len(self.seat_ids)
