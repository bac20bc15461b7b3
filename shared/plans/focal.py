"""The focal point of a plan: where its audience looks, in absolute plan coordinates."""

from __future__ import annotations

import math

from shared.plans.model import Area, Plan

__all__ = ["focal_point"]


def focal_point(plan: Plan) -> tuple[float, float]:
    """Where the audience looks, in absolute plan coordinates.

    The plan's ``focal_point``; else the centre of the first area whose text is "Stage"
    (any case); else the top centre of the plan.
    """
    if plan.focal_point is not None:
        return plan.focal_point.x, plan.focal_point.y
    for zone in plan.zones:
        for area in zone.areas:
            if area.text is not None and area.text.text.strip().lower() == "stage":
                x, y = _area_centre(area)
                return zone.position.x + x, zone.position.y + y
    return plan.size.width / 2, 0.0


def _area_centre(area: Area) -> tuple[float, float]:
    """The centre of an area's shape, relative to its zone (rotation included)."""
    dx = dy = 0.0
    if area.shape == "rectangle" and area.rectangle is not None:
        dx, dy = area.rectangle.width / 2, area.rectangle.height / 2
    elif area.shape == "polygon" and area.polygon is not None and area.polygon.points:
        points = area.polygon.points
        dx = sum(p.x for p in points) / len(points)
        dy = sum(p.y for p in points) / len(points)
    elif area.shape == "text" and area.text is not None and area.text.position is not None:
        dx, dy = area.text.position.x, area.text.position.y
    # Rotation is clockwise around the area's position, with y growing downwards.
    angle = math.radians(area.rotation or 0.0)
    cos, sin = math.cos(angle), math.sin(angle)
    return (
        area.position.x + dx * cos - dy * sin,
        area.position.y + dx * sin + dy * cos,
    )
