"""Calls of the events and operator APIs as the tests make them, and plans to create events on."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from shared.plans import grid_plan
from tests.seat_api import Action

__all__ = [
    "ADMIN_TOKEN",
    "OPERATOR",
    "balcony_plan",
    "create_event",
    "event_call",
    "grid_plan_json",
]

ADMIN_TOKEN = "operator-token-0123456789abcdef"
OPERATOR = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def grid_plan_json(rows: int, cols: int, *, name: str = "Hall") -> dict[str, Any]:
    """A grid hall's plan as the JSON an operator would send."""
    plan: dict[str, Any] = orjson.loads(grid_plan(rows, cols, name=name).to_json())
    return plan


def balcony_plan() -> dict[str, Any]:
    """A two-zone plan: stalls (Standard) A1-A3 and a balcony (Premium) BAL-A1, BAL-A2."""

    def seat(guid: str, number: int, category: str) -> dict[str, Any]:
        return {
            "seat_guid": guid,
            "seat_number": str(number),
            "category": category,
            "position": {"x": number * 30, "y": 0},
        }

    def zone(name: str, zone_id: str | None, y: int, seats: list[dict[str, Any]]) -> dict[str, Any]:
        row = {"row_number": "A", "position": {"x": 0, "y": 0}, "seats": seats}
        body: dict[str, Any] = {"name": name, "position": {"x": 0, "y": y}, "rows": [row]}
        if zone_id:
            body["zone_id"] = zone_id
        return body

    return {
        "name": "Small theatre",
        "size": {"width": 200, "height": 200},
        "categories": [
            {"name": "Standard", "color": "#3366cc"},
            {"name": "Premium", "color": "#cc3333"},
        ],
        "zones": [
            zone("Stalls", None, 0, [seat(f"A{n}", n, "Standard") for n in (1, 2, 3)]),
            zone("Balcony", "BAL", 100, [seat(f"BAL-A{n}", n, "Premium") for n in (1, 2)]),
        ],
    }


async def create_event(
    http: httpx.AsyncClient,
    name: str,
    plan: str | dict[str, Any],
    prices: dict[str, float],
    **fields: Any,
) -> dict[str, Any]:
    """``POST /api/admin/events`` as the operator; the new event's description (201)."""
    body = {"name": name, "plan": plan, "prices": prices, "currency": "EUR", **fields}
    response = await http.post("/api/admin/events", json=body, headers=OPERATOR)
    assert response.status_code == 201, response.text
    event: dict[str, Any] = response.json()
    return event


async def event_call(
    http: httpx.AsyncClient, event_id: str, action: Action, seat_id: str, *, user_id: str
) -> httpx.Response:
    """``POST /api/events/{event_id}/seats/<action>`` tokenless, as ``user_id``."""
    body = {"seat_id": seat_id, "user_id": user_id}
    return await http.post(f"/api/events/{event_id}/seats/{action}", json=body)
