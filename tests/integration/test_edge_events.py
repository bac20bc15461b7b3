"""Many concert events on the edges: each connection watches one, switches with SUBSCRIBE,
and may ask for the compact state; seed clients keep the default event in full."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.edge import EdgeClient
from tests.event_api import ADMIN_TOKEN, OPERATOR, grid_plan_json
from tests.seat_api import poll_until
from tests.stack import EdgeStack


class EventsStack(EdgeStack):
    """An EdgeStack with an operator token, and events made through the operator API."""

    def create_event(self, name: str, *, rows: int, cols: int) -> str:
        """A new on-sale event on a ``rows`` x ``cols`` grid plan; its id."""
        body = {
            "name": name,
            "plan": grid_plan_json(rows, cols),
            "prices": {"Standard": 45.0},
            "currency": "EUR",
            "state": "on_sale",
        }
        reply = httpx.post(f"{self.api}/api/admin/events", json=body, headers=OPERATOR)
        assert reply.status_code == 201, reply.text
        event_id: str = reply.json()["id"]
        return event_id


@pytest.fixture(scope="module")
def events_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EventsStack]:
    """Redis, NATS, a booking service with an operator token and two edges, per module."""
    stack = EventsStack(
        tmp_path_factory.mktemp("edge-events"), booking_env={"ADMIN_TOKEN": ADMIN_TOKEN}
    )
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def two_events(events_stack: EventsStack) -> tuple[str, str]:
    """Two small events, "Rock" and "Jazz", besides the default one."""
    return (
        events_stack.create_event("Rock", rows=3, cols=5),
        events_stack.create_event("Jazz", rows=3, cols=5),
    )


def seat_updates(client: EdgeClient, *, since: int = 0) -> list[tuple[str, str]]:
    """(event_id, seat_id) of each SEAT_UPDATE the client got from frame ``since`` on."""
    return [
        (frame["data"].get("event_id"), frame["data"]["seat_id"])
        for frame in client.frames[since:]
        if frame["type"] == "SEAT_UPDATE"
    ]


async def select(api: str, event_id: str | None, seat_id: str) -> None:
    """Hold ``seat_id`` of the event (the default one when None) through the REST API."""
    path = "/api/seats/select" if event_id is None else f"/api/events/{event_id}/seats/select"
    async with httpx.AsyncClient(base_url=api) as http:
        reply = await http.post(path, json={"seat_id": seat_id, "user_id": "u-events"})
    assert reply.status_code == 200, reply.text


async def watch(client: EdgeClient, event_id: str | None, **options: Any) -> dict[str, Any]:
    """SUBSCRIBE to the event (the default one when None); its VENUE_STATE's data."""
    data = dict(options, **({"event_id": event_id} if event_id is not None else {}))
    ack = await client.subscribe(**data)
    assert ack["success"] is True, ack
    return await client.expect("VENUE_STATE")


async def test_edge_events_each_watcher_sees_only_its_events_changes(
    events_stack: EventsStack, two_events: tuple[str, str]
) -> None:
    """Clients of two events on both edges, and a seed client, each get only their own
    event's changes, each SEAT_UPDATE naming that event."""
    rock, jazz = two_events
    async with (
        EdgeClient.connect(events_stack.ws_url(0)) as rock0,
        EdgeClient.connect(events_stack.ws_url(1)) as rock1,
        EdgeClient.connect(events_stack.ws_url(0)) as jazz0,
        EdgeClient.connect(events_stack.ws_url(1)) as jazz1,
        EdgeClient.connect(events_stack.ws_url(1)) as seed,
    ):
        watching = {rock0: rock, rock1: rock, jazz0: jazz, jazz1: jazz}
        for client, event_id in watching.items():
            assert (await watch(client, event_id))["event_id"] == event_id
        await watch(seed, None)
        await select(events_stack.api, rock, "A1")
        await select(events_stack.api, jazz, "A2")
        await select(events_stack.api, None, "J10")
        expected = {rock: (rock, "A1"), jazz: (jazz, "A2")}
        for client, event_id in watching.items():
            await client.wait_for(
                lambda c=client, e=event_id: expected[e] in seat_updates(c), what="its change"
            )
        await seed.wait_for(lambda: seat_updates(seed) != [], what="the default's change")
        for client, event_id in watching.items():
            assert seat_updates(client) == [expected[event_id]]
        assert seat_updates(seed) == [("main", "J10")]


async def test_edge_events_connection_switches_to_another_event(
    events_stack: EventsStack, two_events: tuple[str, str]
) -> None:
    """A later SUBSCRIBE gets the new event's ACK and state, then only its updates, and the
    connection's seat commands act on it."""
    rock, jazz = two_events
    async with EdgeClient.connect(events_stack.ws_url(0)) as client:
        await watch(client, rock)
        ack = await client.subscribe(event_id=jazz)
        assert (ack["success"], ack["data"]["event_id"]) == (True, jazz)
        state = await client.expect("VENUE_STATE")
        assert (state["event_id"], len(state["seats"])) == (jazz, 15)
        switched = len(client.frames)
        await select(events_stack.api, rock, "B1")
        await select(events_stack.api, jazz, "B2")
        await client.wait_for(lambda: seat_updates(client, since=switched) != [], what="update")
        response = await client.command("SELECT_SEAT", "B3")
        assert response["success"] is True, response
        await client.wait_for(lambda: client.statuses().get("B3") == 1, what="B3 held")
        assert seat_updates(client, since=switched) == [(jazz, "B2"), (jazz, "B3")]
    async with httpx.AsyncClient(base_url=events_stack.api) as http:
        jazz_seats = (await http.get(f"/api/events/{jazz}/seats")).json()
        rock_seats = (await http.get(f"/api/events/{rock}/seats")).json()
    assert {s["id"]: s["status"] for s in jazz_seats}["B3"] == 1
    assert {s["id"]: s["status"] for s in rock_seats}["B3"] == 0


async def test_edge_events_compact_state_carries_only_taken_seats(
    events_stack: EventsStack,
) -> None:
    """compact: true gets held, booked and blocked seats only, in a frame many times smaller
    than the full one."""
    event_id = events_stack.create_event("Big", rows=20, cols=30)
    async with httpx.AsyncClient(base_url=events_stack.api) as http:
        for seat_id in ("A1", "B2", "C3"):
            await select(events_stack.api, event_id, seat_id)
        booked = await http.post(
            f"/api/events/{event_id}/seats/book", json={"seat_id": "C3", "user_id": "u-events"}
        )
        assert booked.status_code == 200, booked.text
        blocked = await http.post(
            f"/api/admin/events/{event_id}/blocks",
            json={"seat_ids": ["T29", "T30"], "blocked": True},
            headers=OPERATOR,
        )
        assert blocked.status_code == 200, blocked.text
    async with (
        EdgeClient.connect(events_stack.ws_url(0)) as compact,
        EdgeClient.connect(events_stack.ws_url(1)) as full,
    ):
        small = await watch(compact, event_id, compact=True)
        whole = await watch(full, event_id)
        # The CART that follows each VENUE_STATE may have arrived already.
        small_bytes = compact.last_frame_bytes("VENUE_STATE")
        whole_bytes = full.last_frame_bytes("VENUE_STATE")
    assert small["compact"] is True
    assert (small["event_id"], small["version"]) == (event_id, whole["version"])
    assert small["hold_seconds"] == whole["hold_seconds"]
    taken = {seat["id"]: (seat["status"], seat.get("blocked", False)) for seat in small["seats"]}
    assert taken == {"A1": (1, False), "B2": (1, False)}
    assert (small["booked"], small["blocked"]) == (["C3"], ["T29", "T30"])
    assert len(whole["seats"]) == 600
    assert small_bytes * 50 < whole_bytes, (small_bytes, whole_bytes)


async def test_edge_events_seed_client_gets_the_default_event_in_full(
    events_stack: EventsStack, two_events: tuple[str, str]
) -> None:
    """A SUBSCRIBE without event_id gets the default event's whole seat list, as the seed's."""
    async with EdgeClient.connect(events_stack.ws_url(1)) as seed:
        ack = await seed.subscribe(user_id="seed")
        assert (ack["success"], ack["data"]["event_id"]) == (True, "main")
        state = await seed.expect("VENUE_STATE")
    assert (state["event_id"], state["rows"], state["cols"]) == ("main", 10, 10)
    assert [seat["id"] for seat in state["seats"][:2]] == ["A1", "A2"]
    assert len(state["seats"]) == 100
    assert "compact" not in state


async def test_edge_events_unknown_event_is_refused(events_stack: EventsStack) -> None:
    """SUBSCRIBE to an event that does not exist: success false, "No such event: X", and the
    connection keeps its event without a new state."""
    async with EdgeClient.connect(events_stack.ws_url(0)) as client:
        await watch(client, None)
        ack = await client.subscribe(event_id="nope-0000")
        assert (ack["success"], ack["message"]) == (False, "No such event: nope-0000")
        assert ack["data"]["event_id"] == "main"
        await select(events_stack.api, None, "H8")
        await client.wait_for(lambda: client.statuses()["H8"] == 1, what="H8 held")
    assert [f["type"] for f in client.frames].count("VENUE_STATE") == 1


async def test_edge_events_stats_count_watchers_per_event(
    events_stack: EventsStack, two_events: tuple[str, str]
) -> None:
    """/stats of an edge counts the connections watching each event."""
    rock, jazz = two_events
    async with (
        EdgeClient.connect(events_stack.ws_url(0)) as one,
        EdgeClient.connect(events_stack.ws_url(0)) as two,
        EdgeClient.connect(events_stack.ws_url(0)) as three,
    ):
        await watch(one, rock)
        await watch(two, rock, compact=True)
        await watch(three, jazz)

        async def counted() -> bool:
            async with httpx.AsyncClient(base_url=events_stack.edges[0].url) as http:
                watchers = (await http.get("/stats")).json()["watchers"]
            return bool(watchers.get(rock) == 2 and watchers.get(jazz) == 1)

        # /stats is rebuilt at most once a second.
        assert await poll_until(counted, within=5.0, interval=0.2)
