"""Seating plans in pretix's seating-plan format: models, layouts, loading and grid halls.

- ``model``: the pydantic models of the format (``Plan``, ``Zone``, ``Row``, ``Seat``, ``Area``);
- ``layout``: ``SeatLayout``, the seats of a plan by id, in order, with absolute places;
- ``loading``: ``parse_plan`` and the shipped plans of ``venues/``, refusing broken ones
  with a ``PlanError`` that names the place;
- ``grid``: ``grid_plan(rows, cols)``, plain halls with seat ids ``A1`` ….
"""

from shared.plans.errors import PlanError
from shared.plans.grid import grid_plan, row_label
from shared.plans.layout import SEAT_MARKS, LayoutSeat, SeatLayout
from shared.plans.loading import parse_plan, shipped_plan, shipped_plan_names
from shared.plans.model import Plan

__all__ = [
    "SEAT_MARKS",
    "LayoutSeat",
    "Plan",
    "PlanError",
    "SeatLayout",
    "grid_plan",
    "parse_plan",
    "row_label",
    "shipped_plan",
    "shipped_plan_names",
]
