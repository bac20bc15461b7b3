"""Ticks on real edges: batch clients get SEAT_UPDATES, seed clients SEAT_UPDATEs, both
every change once in version order; and sessions the edges sign themselves."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.edge import EdgeClient
from tests.stack import SECRET, EdgeStack

SEATS = [f"{row}{col}" for row in "CDEF" for col in range(1, 11)]


@pytest.fixture(scope="module")
def signing_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EdgeStack]:
    """Two edges that hold the booking service's signing secret."""
    stack = EdgeStack(
        tmp_path_factory.mktemp("signing-stack"),
        booking_env={"HOLD_SECONDS": "5"},
        edge_env={"SESSION_SECRET": SECRET},
    )
    try:
        yield stack.start()
    finally:
        stack.stop()


async def burst(api: str, seats: list[str], *, user_id: str) -> int:
    """Select then release every seat (one user id each: holds per user are capped), all
    selects at once, then all releases at once; the number of changes made."""
    async with httpx.AsyncClient(base_url=api, timeout=10) as http:
        changes = 0
        for action in ("select", "release"):
            replies = await asyncio.gather(
                *(
                    http.post(
                        f"/api/seats/{action}",
                        json={"seat_id": seat, "user_id": f"{user_id}-{seat}"},
                    )
                    for seat in seats
                )
            )
            assert [reply.status_code for reply in replies] == [200] * len(seats)
            changes += len(seats)
    return changes


def updates_of(client: EdgeClient) -> list[tuple[str, list[int]]]:
    """Each seat frame the client got after its VENUE_STATE: its type and versions."""
    start = max(i for i, frame in enumerate(client.frames) if frame["type"] == "VENUE_STATE")
    seen: list[tuple[str, list[int]]] = []
    for frame in client.frames[start + 1 :]:
        data: dict[str, Any] = frame["data"]
        if frame["type"] == "SEAT_UPDATE":
            seen.append((frame["type"], [data["version"]]))
        elif frame["type"] == "SEAT_UPDATES":
            seen.append((frame["type"], [update["version"] for update in data["updates"]]))
    return seen


async def test_batch_and_seed_clients_get_every_change_of_a_burst_once_in_order(
    signing_stack: EdgeStack,
) -> None:
    """Under a burst, a batch client's SEAT_UPDATES and a seed client's SEAT_UPDATEs (on
    either edge) carry the same versions, each once, following the VENUE_STATE."""
    async with (
        EdgeClient.connect(signing_stack.ws_url(0)) as batched,
        EdgeClient.connect(signing_stack.ws_url(1)) as seed,
        EdgeClient.connect(signing_stack.ws_url(0)) as seed_beside,
    ):
        await batched.subscribe(batch=True)
        await seed.subscribe()
        await seed_beside.subscribe()
        for client in (batched, seed, seed_beside):
            await client.expect("VENUE_STATE")
        first = batched.version
        assert first is not None
        changes = await burst(signing_stack.api, SEATS, user_id="burst")
        last = first + changes
        for client in (batched, seed, seed_beside):
            await client.wait_for(lambda c=client: c.version == last, what=f"version {last}")
            assert client.anomalies == []
        expected = list(range(first + 1, last + 1))
        for client, kind in ((batched, "SEAT_UPDATES"), (seed, "SEAT_UPDATE")):
            frames = updates_of(client)
            assert {frame_type for frame_type, _ in frames} == {kind}
            assert [v for _, versions in frames for v in versions] == expected
        assert updates_of(seed_beside) == updates_of(seed)
        # A burst is what ticks are for: some frame carried several changes.
        assert max(len(versions) for _, versions in updates_of(batched)) > 1


async def test_batch_client_joining_during_a_burst_misses_nothing(
    signing_stack: EdgeStack,
) -> None:
    """A batch client that subscribes while changes pour in gets a VENUE_STATE and then
    every later change once, in order, and ends at the venue's final state."""
    async with EdgeClient.connect(signing_stack.ws_url(1)) as watcher:
        await watcher.subscribe()
        await watcher.expect("VENUE_STATE")
        start = watcher.version
        assert start is not None
        making = asyncio.create_task(burst(signing_stack.api, SEATS, user_id="pour"))
        async with EdgeClient.connect(signing_stack.ws_url(1)) as late:
            await asyncio.sleep(0.01)
            await late.subscribe(batch=True)
            await late.expect("VENUE_STATE")
            last = start + await making
            await late.wait_for(lambda: late.version == last, what=f"version {last}")
            assert late.anomalies == []
            assert late.statuses() == watcher.statuses()


async def test_edge_signed_session_acts_as_itself_and_resumes_on_the_other_edge(
    signing_stack: EdgeStack,
) -> None:
    """A session an edge signed is the booking service's: its holds are its own, another
    edge resumes it with the same holder tag, and a forged token gets a fresh session."""
    async with EdgeClient.connect(signing_stack.ws_url(0)) as first:
        ack = (await first.subscribe(user_id="carol"))["data"]
        assert (await first.command("SELECT_SEAT", "G1"))["success"] is True
    async with EdgeClient.connect(signing_stack.ws_url(1)) as second:
        resumed = await second.subscribe(session_token=ack["session_token"])
        assert (resumed["data"]["user_id"], resumed["data"]["holder"]) == ("carol", ack["holder"])
        await second.expect("VENUE_STATE")
        assert second.seats["G1"]["holder"] == ack["holder"]
        assert (await second.command("RELEASE_SEAT", "G1"))["success"] is True
    async with EdgeClient.connect(signing_stack.ws_url(1)) as forger:
        token = ack["session_token"]
        forged = await forger.subscribe(session_token=token[:-2] + "xx")
        assert forged["message"] == "Session token not recognised; started a new session"
        assert forged["data"]["holder"] != ack["holder"]
