"""Many events at once over REST: each with its plan, holds, sale state, blocks and counts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.event_api import (
    OPERATOR,
    balcony_plan,
    create_event,
    event_call,
    grid_plan_json,
)
from tests.seat_api import assert_error, seat_call, seats_by_id


async def _seats(http: httpx.AsyncClient, event_id: str) -> dict[str, dict[str, Any]]:
    response = await http.get(f"/api/events/{event_id}/seats")
    assert response.status_code == 200, response.text
    return {seat["id"]: seat for seat in response.json()}


async def _counts(http: httpx.AsyncClient) -> dict[str, dict[str, int]]:
    response = await http.get("/api/admin/events", headers=OPERATOR)
    assert response.status_code == 200, response.text
    return {event["id"]: event["counts"] for event in response.json()}


async def test_events_many_at_once_keep_their_own_seats(api: httpx.AsyncClient) -> None:
    """Three events on different plans: a hold in one never touches another, counts per event."""
    club = await create_event(
        api, "Club Night", grid_plan_json(2, 2, name="Club"), {"Standard": 20}
    )
    theatre = await create_event(
        api, "Play", balcony_plan(), {"Standard": 30, "Premium": 60.5}, hold_seconds=12
    )
    assert club["id"].startswith("club-night-")
    assert len(club["id"]) == len("club-night-") + 4
    assert (theatre["plan_name"], theatre["seats_total"], theatre["hold_seconds"]) == (
        "Small theatre",
        5,
        12,
    )
    held = await event_call(api, club["id"], "select", "A1", user_id="u1")
    assert held.status_code == 200, held.text
    assert held.json()["seat"]["category"] == "Standard"
    balcony = await event_call(api, theatre["id"], "select", "BAL-A2", user_id="u1")
    assert balcony.json()["seat"]["category"] == "Premium"
    assert (await event_call(api, theatre["id"], "book", "BAL-A2", user_id="u1")).status_code == 200
    assert (await seats_by_id(api))["A1"]["status"] == 0
    assert (await _seats(api, theatre["id"]))["A1"]["status"] == 0
    assert (await _seats(api, club["id"]))["A1"]["status"] == 1
    assert (await seat_call(api, "select", "A1", user_id="u2")).status_code == 200
    unknown = await event_call(api, club["id"], "select", "BAL-A1", user_id="u1")
    assert assert_error(unknown, 404) == "Seat BAL-A1 does not exist"
    counts = await _counts(api)
    assert counts["main"] == {"available": 99, "held": 1, "booked": 0, "blocked": 0}
    assert counts[club["id"]] == {"available": 3, "held": 1, "booked": 0, "blocked": 0}
    assert counts[theatre["id"]] == {"available": 4, "held": 0, "booked": 1, "blocked": 0}
    listed = (await api.get("/api/events")).json()
    assert next(event["id"] for event in listed) == "main"
    assert {event["id"] for event in listed} == {"main", club["id"], theatre["id"]}
    detail = (await api.get(f"/api/events/{theatre['id']}")).json()
    assert detail["prices"] == {"Standard": 30, "Premium": 60.5}
    assert [zone["name"] for zone in detail["plan"]["zones"]] == ["Stalls", "Balcony"]


async def test_events_default_event_is_the_seed_hall(api: httpx.AsyncClient) -> None:
    """The default event is the 10x10 hall "Concert", on sale, every category at 45.0 EUR."""
    main = (await api.get("/api/events/main")).json()
    assert {key: main[key] for key in ("id", "name", "state", "currency", "prices")} == {
        "id": "main", "name": "Concert", "state": "on_sale", "currency": "EUR",
        "prices": {"Standard": 45.0},
    }  # fmt: skip
    assert main["seats_total"] == 100
    venue = (await api.get("/api/events/main/venue")).json()
    assert (venue["event_id"], venue["rows"], venue["cols"]) == ("main", 10, 10)
    seed = (await api.get("/api/venue")).json()
    assert (seed["venue_id"], seed["version"], len(seed["seats"])) == (
        "main",
        venue["version"],
        100,
    )


async def test_events_unknown_event_is_404(api: httpx.AsyncClient) -> None:
    """Reads and writes of an event nobody created answer 404 with the event named."""
    for response in (
        await api.get("/api/events/nope"),
        await api.get("/api/events/nope/seats"),
        await api.get("/api/events/Bad.Id/plan"),
        await event_call(api, "nope", "select", "A1", user_id="u1"),
    ):
        assert assert_error(response, 404).startswith("No such event: ")


@pytest.mark.parametrize(
    ("state", "sentence"),
    [
        ("scheduled", "Sales for this event have not started yet"),
        ("closed", "Sales for this event are closed"),
    ],
)
async def test_events_sale_state_refuses_selling_but_not_release(
    api: httpx.AsyncClient, state: str, sentence: str
) -> None:
    """Select and book on a scheduled or closed event are 409 with a sentence; release works."""
    event = await create_event(api, "Gig", grid_plan_json(1, 3), {"Standard": 10})
    assert (await event_call(api, event["id"], "select", "A1", user_id="u1")).status_code == 200
    changed = await api.post(
        f"/api/admin/events/{event['id']}/state", json={"state": state}, headers=OPERATOR
    )
    assert changed.status_code == 200
    assert changed.json()["state"] == state
    for action, seat in (("select", "A2"), ("book", "A1")):
        refused = await event_call(api, event["id"], action, seat, user_id="u1")  # type: ignore[arg-type]
        assert assert_error(refused, 409) == sentence
    assert (await event_call(api, event["id"], "release", "A1", user_id="u1")).status_code == 200
    listed = {e["id"] for e in (await api.get("/api/events")).json()}
    assert (event["id"] in listed) is (state == "scheduled")


async def test_events_scheduled_event_opens_for_sale(api: httpx.AsyncClient) -> None:
    """An event created scheduled refuses holds until the operator puts it on sale."""
    event = await create_event(
        api, "Later", grid_plan_json(1, 2), {"Standard": 10}, state="scheduled",
        starts_at="2027-03-01T20:00:00+01:00",
    )  # fmt: skip
    assert event["starts_at"] == "2027-03-01T20:00:00+01:00"
    assert_error(await event_call(api, event["id"], "select", "A1", user_id="u1"), 409)
    await api.post(
        f"/api/admin/events/{event['id']}/state", json={"state": "on_sale"}, headers=OPERATOR
    )
    assert (await event_call(api, event["id"], "select", "A1", user_id="u1")).status_code == 200


async def test_events_blocked_seats_are_not_for_sale(api: httpx.AsyncClient) -> None:
    """Blocked seats are refused to buyers, held/booked ones cannot be blocked, all or nothing."""
    event = await create_event(api, "House", grid_plan_json(1, 4), {"Standard": 10})
    blocks = f"/api/admin/events/{event['id']}/blocks"
    done = await api.post(
        blocks, json={"seat_ids": ["A1", "A2"], "blocked": True}, headers=OPERATOR
    )
    assert done.status_code == 200, done.text
    assert done.json()["blocked"] == ["A1", "A2"]
    refused = await event_call(api, event["id"], "select", "A1", user_id="u1")
    assert assert_error(refused, 409) == "Seat A1 is not for sale"
    seat = (await _seats(api, event["id"]))["A1"]
    assert (seat["status"], seat["blocked"]) == (0, True)
    assert (await event_call(api, event["id"], "select", "A3", user_id="u1")).status_code == 200
    held = await api.post(
        blocks, json={"seat_ids": ["A4", "A3"], "blocked": True}, headers=OPERATOR
    )
    assert assert_error(held, 409) == "Seat A3 is held; only an available seat can be blocked"
    assert "blocked" not in (await _seats(api, event["id"]))["A4"]
    unknown = await api.post(
        blocks, json={"seat_ids": ["A4", "Z1"], "blocked": True}, headers=OPERATOR
    )
    assert_error(unknown, 404)
    assert (await _counts(api))[event["id"]] == {
        "available": 1, "held": 1, "booked": 0, "blocked": 2,
    }  # fmt: skip
    back = await api.post(blocks, json={"seat_ids": ["A1"], "blocked": False}, headers=OPERATOR)
    assert back.json()["blocked"] == ["A2"]
    assert (await event_call(api, event["id"], "select", "A1", user_id="u1")).status_code == 200


async def test_events_plan_has_etag_and_answers_304(api: httpx.AsyncClient) -> None:
    """The plan comes with an ETag and Cache-Control; If-None-Match with it gets a bodiless 304."""
    event = await create_event(api, "Cached", balcony_plan(), {"Standard": 1, "Premium": 2})
    plan = await api.get(f"/api/events/{event['id']}/plan")
    assert plan.status_code == 200
    assert plan.headers["cache-control"] == "public, max-age=300"
    etag = plan.headers["etag"]
    assert etag.startswith('"')
    assert plan.json()["name"] == "Small theatre"
    again = await api.get(f"/api/events/{event['id']}/plan", headers={"If-None-Match": etag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    weak = await api.get(
        f"/api/events/{event['id']}/plan", headers={"If-None-Match": f'"other", W/{etag}'}
    )
    assert weak.status_code == 304
    other = await api.get("/api/events/main/plan", headers={"If-None-Match": etag})
    assert other.status_code == 200
    assert other.headers["etag"] != etag


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ({"plan": "no-such-plan"}, "no shipped plan named 'no-such-plan'"),
        ({"prices": {"Standard": 10}}, "has no price for category 'Premium'"),
        ({"prices": {"Standard": 1, "Premium": 2, "VIP": 3}}, "names category 'VIP'"),
        ({"currency": "euro"}, "Field 'currency'"),
        ({"name": ""}, "Field 'name'"),
    ],
)
async def test_events_creation_refuses_bad_requests(
    api: httpx.AsyncClient, change: dict[str, Any], sentence: str
) -> None:
    """Unknown shipped plans, prices not matching the categories and bad fields are 400s."""
    body = {
        "name": "Bad", "plan": balcony_plan(), "prices": {"Standard": 1, "Premium": 2},
        "currency": "EUR", **change,
    }  # fmt: skip
    response = await api.post("/api/admin/events", json=body, headers=OPERATOR)
    assert sentence in assert_error(response, 400)
    assert len((await api.get("/api/admin/events", headers=OPERATOR)).json()) == 1


async def test_events_creation_names_the_place_in_a_broken_plan(api: httpx.AsyncClient) -> None:
    """A plan with a seat of an unknown category is a 400 naming the seat's path in the file."""
    plan = balcony_plan()
    plan["zones"][1]["rows"][0]["seats"][1]["category"] = "VIP"
    body = {"name": "Bad", "plan": plan, "prices": {"Standard": 1, "Premium": 2}, "currency": "EUR"}
    error = assert_error(await api.post("/api/admin/events", json=body, headers=OPERATOR), 400)
    assert "zones[1].rows[0].seats[1].category" in error
    assert "VIP" in error


async def test_events_operator_calls_need_the_token(api: httpx.AsyncClient) -> None:
    """Without the operator token, or with a wrong one, operator calls are 401s changing nothing."""
    event = await create_event(api, "Guarded", grid_plan_json(1, 2), {"Standard": 1})
    body = {"name": "X", "plan": grid_plan_json(1, 1), "prices": {"Standard": 1}, "currency": "EUR"}
    calls = [
        ("GET", "/api/admin/events", None),
        ("POST", "/api/admin/events", body),
        ("POST", f"/api/admin/events/{event['id']}/state", {"state": "closed"}),
        ("POST", f"/api/admin/events/{event['id']}/blocks", {"seat_ids": ["A1"], "blocked": True}),
    ]
    for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "Basic abc"}):
        for method, path, json in calls:
            response = await api.request(method, path, json=json, headers=headers)
            assert assert_error(response, 401), path
            assert response.headers["www-authenticate"] == "Bearer"
    assert len((await api.get("/api/events")).json()) == 2
    seats = await _seats(api, event["id"])
    assert "blocked" not in seats["A1"]
    assert (await api.get(f"/api/events/{event['id']}")).json()["state"] == "on_sale"


async def test_events_operator_bodies_follow_the_content_type_rule(api: httpx.AsyncClient) -> None:
    """An operator write whose body is not declared as JSON is a 415, a malformed one a 400."""
    event = await create_event(api, "Typed", grid_plan_json(1, 2), {"Standard": 1})
    path = f"/api/admin/events/{event['id']}/state"
    plain = await api.post(
        path, content=b'{"state":"closed"}', headers={**OPERATOR, "Content-Type": "text/plain"}
    )
    assert_error(plain, 415)
    assert "Field 'state'" in assert_error(
        await api.post(path, json={"state": "sold_out"}, headers=OPERATOR), 400
    )


async def test_events_on_a_shipped_plan(api: httpx.AsyncClient) -> None:
    """An event on the shipped theatre plan sells its seats with their own ids and categories."""
    event = await create_event(
        api, "Theatre Night", "theatre", {"Stalls": 45, "Circle": 30, "Box": 80}
    )
    assert event["plan_name"] == "theatre"
    assert event["seats_total"] > 1000
    seats = await _seats(api, event["id"])
    assert len(seats) == event["seats_total"]
    first = next(iter(seats.values()))
    held = await event_call(api, event["id"], "select", first["id"], user_id="u1")
    assert held.status_code == 200, held.text
    assert held.json()["seat"]["category"] in {"Stalls", "Circle", "Box"}
    venue = (await api.get(f"/api/events/{event['id']}/venue")).json()
    assert "rows" not in venue
