"""PlanSource: a checked plan on its way into an event, and the default event's plan."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from shared.config import BookingSettings
from shared.plans.grid import grid_plan
from shared.plans.layout import SeatLayout
from shared.plans.loading import shipped_plan

__all__ = ["PlanSource", "default_plan"]


@dataclass(frozen=True)
class PlanSource:
    """A checked plan ready to store: its JSON (as served), its layout and its name."""

    name: str
    plan_json: bytes
    layout: SeatLayout

    @property
    def marks_json(self) -> bytes:
        """The seats' accessibility marks, stored beside the plan for every process."""
        return orjson.dumps(self.layout.marks())


def default_plan(settings: BookingSettings) -> PlanSource:
    """The default event's plan: DEFAULT_PLAN's shipped plan, else the VENUE_ROWS x
    VENUE_COLS grid hall (ids A1 …).

    Raises PlanError for a DEFAULT_PLAN that names no shipped plan or a broken one.
    """
    if settings.default_plan:
        plan, layout = shipped_plan(settings.default_plan, settings.plans_dir)
        name = settings.default_plan
    else:
        plan = grid_plan(settings.venue_rows, settings.venue_cols)
        layout = SeatLayout.from_plan(plan)
        name = plan.name
    return PlanSource(name, plan.to_json(), layout)
