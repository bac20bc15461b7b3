"""SeatChooser: the best free seats for a group, chosen from the venue's free seats.

A group sits *together* in a run: consecutive seats of one row (plan order) with no
aisle between them. An aisle is a gap between neighbouring seat centres wider than
``AISLE_FACTOR`` times the row's median neighbour spacing; it splits the row into runs.

A choice never strands a single free seat inside a run, between taken seats or between
a taken seat and the run's end: next to the chosen seats there is a taken seat, the
run's end, or two or more free seats. Only a seat next to the choice can become
stranded, and such a seat was part of a longer free stretch, so a seat already
stranded never rules a choice out.

Candidates (windows) rank by the distance of their centroid from the plan's focal
point: its ``focal_point`` if it has one, else the centre of the area whose text is
"Stage", else the top centre of the plan; ties go to the window first in plan order.
Without ``accessible``, wheelchair seats are never chosen; with it, only wheelchair and
companion seats are, at least one of them a wheelchair seat. A group that fits in no
run may, when the buyer allows it, spread over neighbouring rows of one zone (rows r,
r+1, …, one part per row, as few rows as possible), each part a window that obeys the
same rules; the split whose seats' centroid is nearest the focal point wins.

Buyers who race for the same seats and lose choose again among the few best windows
(``spread``) rather than all the very best, so a crowd does not collide on every retry.

A chooser is built once per layout (``chooser_of``) and ranks the windows of each
(size, category, accessible) once, on first use; choosing is then a scan of ranked
windows against the free seats. It does no I/O.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import random
import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from booking_service.errors import InvalidRequest, NoSeatsFit
from shared.plans.focal import focal_point
from shared.plans.layout import LayoutSeat, SeatLayout
from shared.plans.model import Plan

__all__ = ["AISLE_FACTOR", "Group", "SeatChooser", "chooser_of"]

# A gap wider than this many median neighbour spacings of its row is an aisle.
AISLE_FACTOR = 1.6
_WHEELCHAIR = "wheelchair"
_ACCESSIBLE_MARKS = frozenset({_WHEELCHAIR, "companion"})

_RowKey = tuple[int, int]  # (zone's place in the plan, row within the zone)
_RankKey = tuple[int, str | None, bool]  # (size, category, accessible)


@dataclass(frozen=True, slots=True)
class Group:
    """What a buyer asks for: ``quantity`` seats, of ``category`` if given."""

    quantity: int
    category: str | None = None
    accessible: bool = False
    allow_split: bool = False


@dataclass(frozen=True, slots=True)
class _Window:
    """``size`` seats from layout index ``start`` in the run ``[run_start, run_end)``."""

    start: int
    size: int
    run_start: int
    run_end: int
    row: _RowKey
    x: float
    y: float
    distance: float


@dataclass(frozen=True, slots=True)
class _Ranked:
    """The windows of one (size, category, accessible), best first, and per row."""

    windows: list[_Window]
    by_row: dict[_RowKey, list[_Window]]
    eligible: list[int]


class SeatChooser:
    """Chooses seats for groups on one layout; ``free[i]`` is the layout's i-th seat."""

    def __init__(self, layout: SeatLayout, focal: tuple[float, float]) -> None:
        self._seats: list[LayoutSeat] = list(layout)
        self._categories = list(layout.categories)
        self._focal = focal
        self._rows = _rows(self._seats)
        self._runs = [run for indices in self._rows.values() for run in _runs(self._seats, indices)]
        self._row_at: list[_RowKey] = [(0, 0)] * len(self._seats)
        for key, indices in self._rows.items():
            for i in indices:
                self._row_at[i] = key
        self._ranked: dict[_RankKey, _Ranked] = {}

    def check(self, group: Group) -> None:
        """Raise InvalidRequest, naming it, for a category the plan does not have."""
        if group.category is not None and group.category not in self._categories:
            names = ", ".join(self._categories)
            raise InvalidRequest(
                f"Field 'category' names {group.category!r}, which the plan lacks "
                f"(categories: {names})"
            )

    def choose(
        self,
        free: Sequence[bool],
        group: Group,
        *,
        spread: int = 1,
        rng: random.Random | None = None,
    ) -> list[str]:
        """The best seats for ``group`` among the free ones, in layout order.

        With ``spread`` over 1, one of the ``spread`` best windows that fit, drawn by
        ``rng``: buyers who lost the same seats to each other, choosing again at once,
        then mostly choose different seats instead of colliding again.

        Raises InvalidRequest for an unknown category and NoSeatsFit, with a sentence
        saying why, when no seats fit: none or too few free, or none together (with a
        hint when a split would fit and the group did not allow one).
        """
        self.check(group)
        ranked = self._rank(group.quantity, group.category, group.accessible)
        fitting = itertools.islice((w for w in ranked.windows if self._fits(w, free)), spread)
        best = list(fitting)
        if best:
            return self._ids([(rng or random).choice(best) if spread > 1 else best[0]])
        count = self._free_count(free, group, ranked)
        if count < group.quantity:
            raise NoSeatsFit(self._why(group, count, splittable=False))
        split = self._split(free, group) if group.quantity > 1 else None
        if split is not None and group.allow_split:
            return self._ids(split)
        raise NoSeatsFit(self._why(group, count, splittable=split is not None))

    def stranded(self, free: Sequence[bool]) -> list[str]:
        """The free seats left on their own in their run: between taken seats, or
        between a taken seat and the run's end (layout order)."""
        lone = []
        for start, end in self._runs:
            for i in range(start, end):
                left = i > start and free[i - 1]
                right = i + 1 < end and free[i + 1]
                hemmed = i > start or i + 1 < end
                if free[i] and hemmed and not left and not right:
                    lone.append(self._seats[i].id)
        return lone

    def _ids(self, windows: list[_Window]) -> list[str]:
        indices = sorted(i for w in windows for i in range(w.start, w.start + w.size))
        return [self._seats[i].id for i in indices]

    def _fits(self, window: _Window, free: Sequence[bool]) -> bool:
        """Every seat of the window is free and it strands no single free seat."""
        start, end = window.start, window.start + window.size
        # Most windows a scan passes have their first seat taken: check it on its own.
        if not free[start] or not all(free[i] for i in range(start + 1, end)):
            return False
        first, last = window.run_start, window.run_end - 1
        left, right = start - 1, end
        strands_left = left >= first and free[left] and not (left > first and free[left - 1])
        strands_right = right <= last and free[right] and not (right < last and free[right + 1])
        return not (strands_left or strands_right)

    def _split(self, free: Sequence[bool], group: Group) -> list[_Window] | None:
        """The best split of the group over as few neighbouring rows as fit, or None."""
        best_in: dict[tuple[_RowKey, int], _Window | None] = {}
        # Rows with fewer free seats than a part are skipped without a scan.
        free_in = {row: sum(1 for i in indices if free[i]) for row, indices in self._rows.items()}

        def best_window(row: _RowKey, size: int) -> _Window | None:
            if free_in.get(row, 0) < size:
                return None
            if (row, size) not in best_in:
                ranked = self._rank(size, group.category, group.accessible).by_row.get(row, [])
                best_in[row, size] = next((w for w in ranked if self._fits(w, free)), None)
            return best_in[row, size]

        for parts in range(2, group.quantity + 1):
            found: tuple[float, list[_Window]] | None = None
            for zone, first_row in self._rows:
                for sizes in _compositions(group.quantity, parts):
                    windows = [best_window((zone, first_row + k), n) for k, n in enumerate(sizes)]
                    chosen = [w for w in windows if w is not None]
                    if len(chosen) < parts:
                        continue
                    score = self._distance(
                        sum(w.x * w.size for w in chosen) / group.quantity,
                        sum(w.y * w.size for w in chosen) / group.quantity,
                    )
                    if found is None or score < found[0]:
                        found = (score, chosen)
            if found is not None:
                return found[1]
        return None

    def _free_count(self, free: Sequence[bool], group: Group, ranked: _Ranked) -> int:
        """How many free seats the group could have (0 for an accessible group when no
        free seat among them is a wheelchair seat)."""
        count = sum(1 for i in ranked.eligible if free[i])
        if group.accessible and not any(
            free[i] and _WHEELCHAIR in self._seats[i].marks for i in ranked.eligible
        ):
            return 0
        return count

    def _why(self, group: Group, count: int, *, splittable: bool) -> str:
        """Why no seats fit the group (``count`` of its seats free), as a sentence."""
        where = f" in {group.category}" if group.category else ""
        kind = "accessible seat" if group.accessible else "seat"
        quantity = group.quantity
        if count == 0:
            return f"No {kind}s are available{where}"
        if count < quantity:
            verb = "is" if count == 1 else "are"
            return f"Only {count} {_plural(kind, count)} {verb} available{where}"
        if splittable:
            return (
                f"No {quantity} {kind}s together in one row{where}; allow splitting the "
                "group to spread it over neighbouring rows"
            )
        if quantity == 1:
            return f"No single {kind} is available without leaving another on its own{where}"
        return f"No {quantity} {kind}s are available together or in neighbouring rows{where}"

    def _rank(self, size: int, category: str | None, accessible: bool) -> _Ranked:
        """The windows of ``size`` eligible seats, ranked; computed once per key."""
        key = (size, category, accessible)
        ranked = self._ranked.get(key)
        if ranked is None:
            eligible = [_eligible(seat, category, accessible) for seat in self._seats]
            windows = sorted(
                self._windows(size, eligible, accessible), key=lambda w: (w.distance, w.start)
            )
            by_row: dict[_RowKey, list[_Window]] = {}
            for window in windows:
                by_row.setdefault(window.row, []).append(window)
            indices = [i for i, ok in enumerate(eligible) if ok]
            ranked = self._ranked[key] = _Ranked(windows, by_row, indices)
        return ranked

    def _windows(self, size: int, eligible: list[bool], accessible: bool) -> Iterator[_Window]:
        seats = self._seats
        for run_start, run_end in self._runs:
            for start in range(run_start, run_end - size + 1):
                indices = range(start, start + size)
                if not all(eligible[i] for i in indices):
                    continue
                if accessible and not any(_WHEELCHAIR in seats[i].marks for i in indices):
                    continue
                x = sum(seats[i].x for i in indices) / size
                y = sum(seats[i].y for i in indices) / size
                row = self._row_at[start]
                yield _Window(start, size, run_start, run_end, row, x, y, self._distance(x, y))

    def _distance(self, x: float, y: float) -> float:
        return math.hypot(x - self._focal[0], y - self._focal[1])


def _eligible(seat: LayoutSeat, category: str | None, accessible: bool) -> bool:
    if category is not None and seat.category != category:
        return False
    if accessible:
        return bool(seat.marks & _ACCESSIBLE_MARKS)
    return _WHEELCHAIR not in seat.marks


def _plural(noun: str, count: int) -> str:
    return noun if count == 1 else f"{noun}s"


def _rows(seats: list[LayoutSeat]) -> dict[_RowKey, list[int]]:
    """Each row's layout indices, keyed by (zone's place in the plan, row in the zone)."""
    rows: dict[_RowKey, list[int]] = {}
    zone = -1
    previous: LayoutSeat | None = None
    for i, seat in enumerate(seats):
        new_zone = previous is None or (seat.zone, seat.zone_id) != (
            previous.zone,
            previous.zone_id,
        )
        if new_zone or (previous is not None and seat.row < previous.row):
            zone += 1
        rows.setdefault((zone, seat.row), []).append(i)
        previous = seat
    return rows


def _runs(seats: list[LayoutSeat], indices: list[int]) -> list[tuple[int, int]]:
    """The row's runs as ``[start, end)`` layout index ranges, split at aisles."""
    gaps = [
        math.hypot(seats[b].x - seats[a].x, seats[b].y - seats[a].y)
        for a, b in itertools.pairwise(indices)
    ]
    if not gaps:
        return [(indices[0], indices[0] + 1)]
    aisle = AISLE_FACTOR * statistics.median(gaps)
    runs = []
    start = indices[0]
    for (a, b), gap in zip(itertools.pairwise(indices), gaps, strict=True):
        if gap > aisle:
            runs.append((start, a + 1))
            start = b
    runs.append((start, indices[-1] + 1))
    return runs


def _compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every way to write ``total`` as ``parts`` positive sizes, in order."""
    for cuts in itertools.combinations(range(1, total), parts - 1):
        bounds = (0, *cuts, total)
        yield tuple(b - a for a, b in itertools.pairwise(bounds))


# One chooser per layout: a layout never changes, and each event's store keeps its own.
_CHOOSERS: WeakKeyDictionary[SeatLayout, SeatChooser] = WeakKeyDictionary()


async def chooser_of(layout: SeatLayout, plan_json: bytes) -> SeatChooser:
    """The chooser of ``layout`` (whose plan is ``plan_json``), built once.

    A big plan takes a while to read, so the first call builds it off the event loop.
    """
    chooser = _CHOOSERS.get(layout)
    if chooser is None:
        plan = await asyncio.to_thread(Plan.model_validate_json, plan_json)
        # Another call may have built it meanwhile: keep the first.
        chooser = _CHOOSERS.get(layout) or _CHOOSERS.setdefault(
            layout, SeatChooser(layout, focal_point(plan))
        )
    return chooser
