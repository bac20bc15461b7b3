"""The seed's REST calls against a real Redis and NATS."""

from __future__ import annotations

import httpx

from tests.changes import ChangeCollector


async def test_seats_lists_default_venue_in_order(api: httpx.AsyncClient) -> None:
    """GET /api/seats lists A1 … J10, all available."""
    response = await api.get("/api/seats")
    assert response.status_code == 200
    seats = response.json()
    assert [s["id"] for s in seats[:2]] == ["A1", "A2"]
    assert seats[-1]["id"] == "J10"
    assert len(seats) == 100
    assert {s["status"] for s in seats} == {0}


async def test_select_then_book_publishes_versioned_events(
    api: httpx.AsyncClient, changes: ChangeCollector
) -> None:
    """Select and book answer 200 and publish held then booked with growing versions."""
    body = {"seat_id": "B3", "user_id": "u1"}
    selected = await api.post("/api/seats/select", json=body)
    assert selected.status_code == 200
    assert selected.json()["message"] == "Seat B3 selected successfully"
    booked = await api.post("/api/seats/book", json=body)
    assert booked.status_code == 200
    assert "booked" in booked.json()["message"]
    await changes.wait_for(lambda c: len(c.changes) == 2)
    held, done = changes.changes
    assert (held["event_type"], done["event_type"]) == ("held", "booked")
    assert done["version"] == held["version"] + 1
    assert held["seat"]["held_by"] == "u1"
    assert held["expires_at"] == held["seat"]["expires_at"]
