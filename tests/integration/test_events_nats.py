"""NATS per event: each event's changes and heartbeats on its own subjects, naming the event."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from shared.constants import EVENTS_SUBJECT_ALL, SUBJECT_ALL
from tests.changes import ChangeCollector
from tests.event_api import OPERATOR, create_event, event_call, grid_plan_json
from tests.seat_api import seat_call
from tests.servers import NatsServer

SEED_KEYS = ["event_type", "seat_id", "user_id", "status", "timestamp", "expires_at"]


@pytest.fixture
async def everything(nats_server: NatsServer) -> AsyncIterator[ChangeCollector]:
    """A subscriber of every event's subjects, as an edge subscribes."""
    collector = await ChangeCollector().connect(
        nats_server.edge_url, (SUBJECT_ALL, EVENTS_SUBJECT_ALL)
    )
    yield collector
    await collector.close()
    assert not collector.violations, collector.violations


@pytest.fixture
async def seed_held(nats_server: NatsServer) -> AsyncIterator[ChangeCollector]:
    """A seed-style subscriber of ``seats.held`` only."""
    collector = await ChangeCollector().connect(nats_server.edge_url, ("seats.held",))
    yield collector
    await collector.close()


def _of(collector: ChangeCollector, event_id: str) -> list[tuple[str, str, str]]:
    return [
        (r.subject, r.payload["event_type"], r.payload["seat_id"])
        for r in collector.received
        if r.payload.get("event_id") == event_id and r.payload["event_type"] != "heartbeat"
    ]


async def test_events_nats_changes_go_out_on_their_event_subjects(
    api: httpx.AsyncClient, everything: ChangeCollector, seed_held: ChangeCollector
) -> None:
    """An event's holds, books, blocks and lapses use its subjects; seats.held gets main's only."""
    gig = await create_event(api, "Gig", grid_plan_json(1, 3), {"Standard": 5}, hold_seconds=0.5)
    gig_id = gig["id"]
    assert (await seat_call(api, "select", "A1", user_id="u1")).status_code == 200
    assert (await event_call(api, gig_id, "select", "A1", user_id="u1")).status_code == 200
    assert (await event_call(api, gig_id, "select", "A2", user_id="u1")).status_code == 200
    assert (await event_call(api, gig_id, "book", "A2", user_id="u1")).status_code == 200
    blocked = await api.post(
        f"/api/admin/events/{gig_id}/blocks",
        json={"seat_ids": ["A3"], "blocked": True},
        headers=OPERATOR,
    )
    assert blocked.status_code == 200
    await everything.wait_for(lambda c: len(_of(c, gig_id)) == 5)
    prefix = f"events.{gig_id}."
    assert _of(everything, gig_id) == [
        (prefix + "held", "held", "A1"),
        (prefix + "held", "held", "A2"),
        (prefix + "booked", "booked", "A2"),
        (prefix + "released", "released", "A3"),
        (prefix + "released", "auto_released", "A1"),
    ]
    assert _of(everything, "main") == [("seats.held", "held", "A1")]
    await seed_held.wait_for(lambda c: len(c.changes) == 1)
    [seed_change] = seed_held.changes
    assert list(seed_change)[1 : 1 + len(SEED_KEYS)] == SEED_KEYS
    assert (seed_change["event_id"], seed_change["seat_id"]) == ("main", "A1")
    assert all(r.subject == "seats.held" for r in seed_held.received)


async def test_events_nats_heartbeat_per_event(
    api: httpx.AsyncClient, everything: ChangeCollector
) -> None:
    """Every event beats on its own heartbeat subject with its id, version and digest."""
    gig = await create_event(api, "Beat", grid_plan_json(1, 2), {"Standard": 5})
    subject = f"events.{gig['id']}.heartbeat"
    await everything.wait_for(
        lambda c: {r.subject for r in c.heartbeats} >= {"seats.heartbeat", subject}
    )
    beats = {r.subject: r.payload for r in everything.heartbeats}
    assert beats[subject]["event_id"] == gig["id"]
    assert beats["seats.heartbeat"]["event_id"] == "main"
    venue = (await api.get(f"/api/events/{gig['id']}/venue")).json()
    assert beats[subject]["digest"] == venue["digest"]
