"""Fan-out across edges under random activity, and convergence through outages."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Sequence

import httpx
import pytest

from tests.edge import EdgeClient
from tests.stack import EdgeStack

WATCHERS = 50
ACTORS = 10
CONVERGE_WITHIN = 2.0


class Activity:
    """Actors doing random select/book/release until stopped; can pause in between."""

    def __init__(self, actors: Sequence[EdgeClient], *, seats: Sequence[str], seed: int) -> None:
        self._actors = actors
        self._seats = seats
        self._random = random.Random(seed)
        self._running = asyncio.Event()
        self._idle = [asyncio.Event() for _ in actors]
        self._stopped = False
        self._tasks: list[asyncio.Task[None]] = []
        self.commands = 0

    def start(self) -> None:
        self._running.set()
        self._tasks = [
            asyncio.create_task(self._act(actor, idle))
            for actor, idle in zip(self._actors, self._idle, strict=True)
        ]

    async def pause(self) -> None:
        """Return once every actor has finished its current command and waits."""
        self._running.clear()
        await asyncio.gather(*(idle.wait() for idle in self._idle))

    def resume(self) -> None:
        self._running.set()

    async def stop(self) -> None:
        self._stopped = True
        self._running.set()
        await asyncio.gather(*self._tasks)

    async def _act(self, actor: EdgeClient, idle: asyncio.Event) -> None:
        held: list[str] = []
        while not self._stopped:
            if not self._running.is_set():
                idle.set()
                await self._running.wait()
                continue
            idle.clear()
            roll = self._random.random()
            if held and roll < 0.15:
                kind, seat = "BOOK_SEAT", held.pop()
            elif held and roll < 0.5:
                kind, seat = "RELEASE_SEAT", held.pop()
            else:
                kind, seat = "SELECT_SEAT", self._random.choice(self._seats)
            response = await actor.command(kind, seat, user_id="everyone")
            self.commands += 1
            if kind == "SELECT_SEAT" and response["success"]:
                held.append(seat)
            # Stay under the edge's rate limit (20 messages/s).
            await asyncio.sleep(0.06)
        idle.set()


async def truth(api: str) -> dict[str, int]:
    """Seat id → status according to the booking service."""
    async with httpx.AsyncClient(base_url=api, timeout=5) as http:
        response = await http.get("/api/seats")
    response.raise_for_status()
    return {seat["id"]: seat["status"] for seat in response.json()}


async def converge(clients: Sequence[EdgeClient], api: str, *, within: float) -> float:
    """Wait until every client's map equals GET /api/seats; how long it took."""
    started = time.monotonic()
    while True:
        expected = await truth(api)
        wrong = [client for client in clients if client.statuses() != expected]
        if not wrong:
            return time.monotonic() - started
        if time.monotonic() - started > within:
            diff = {k: (v, expected[k]) for k, v in wrong[0].statuses().items() if expected[k] != v}
            raise AssertionError(f"{len(wrong)} clients did not converge, e.g. {diff}")
        await asyncio.sleep(0.05)


async def open_clients(
    stack: EdgeStack, exits: contextlib.AsyncExitStack, count: int, *, edge_of: Callable[[int], int]
) -> list[EdgeClient]:
    """``count`` subscribed clients, client ``i`` on edge ``edge_of(i)``."""
    clients = [
        await exits.enter_async_context(EdgeClient.connect(stack.ws_url(edge_of(i))))
        for i in range(count)
    ]
    await asyncio.gather(*(client.subscribe() for client in clients))
    await asyncio.gather(*(client.expect("VENUE_STATE") for client in clients))
    return clients


@pytest.mark.slow
async def test_random_activity_reaches_every_client_in_order(
    make_edge_stack: Callable[..., EdgeStack],
) -> None:
    """After 10 s of random commands, 50 clients on two edges show exactly GET /api/seats."""
    stack = make_edge_stack(booking_env={"HOLD_SECONDS": "2"})
    seats = [f"{row}{col}" for row in "ABCDEFGHIJ" for col in range(1, 11)]
    async with contextlib.AsyncExitStack() as exits:
        watchers = await open_clients(stack, exits, WATCHERS, edge_of=lambda i: i % 2)
        actors = await open_clients(stack, exits, ACTORS, edge_of=lambda i: i % 2)
        activity = Activity(actors, seats=seats, seed=1)
        activity.start()
        await asyncio.sleep(10)
        await activity.stop()
        await converge([*watchers, *actors], stack.api, within=CONVERGE_WITHIN)
        assert activity.commands > 200
        for client in (*watchers, *actors):
            assert client.anomalies == []
            assert not client.closed


@pytest.mark.slow
async def test_clients_converge_through_nats_booking_and_edge_restarts(
    make_edge_stack: Callable[..., EdgeStack],
) -> None:
    """NATS killed, the booking service killed, an edge restarted, mid-activity: all converge."""
    stack = make_edge_stack()
    seats = [f"{row}{col}" for row in "ABCDEFGHIJ" for col in range(1, 11)]
    async with contextlib.AsyncExitStack() as exits:
        # Actors stay on edge 1; edge 2 is the one restarted.
        actors = await open_clients(stack, exits, 4, edge_of=lambda _: 0)
        stayers = await open_clients(stack, exits, 10, edge_of=lambda _: 0)
        movers = await open_clients(stack, exits, 10, edge_of=lambda _: 1)
        activity = Activity(actors, seats=seats, seed=2)
        activity.start()

        stack.nats.kill9()
        await asyncio.sleep(1.0)  # activity goes on while NATS is down
        stack.nats.start()
        await activity.pause()
        await converge([*actors, *stayers, *movers], stack.api, within=CONVERGE_WITHIN)
        activity.resume()

        assert stack.booking is not None
        stack.booking.kill9()
        refused = await stayers[0].command("SELECT_SEAT", "J10")
        assert refused["success"] is False
        assert "unavailable" in refused["message"]
        stack.booking.start()
        await asyncio.sleep(0.5)  # activity goes on against the new process
        await activity.pause()
        await converge([*actors, *stayers, *movers], stack.api, within=CONVERGE_WITHIN)
        activity.resume()

        stack.edges[1].stop()
        assert {await mover.wait_closed() for mover in movers} == {1001}
        stack.edges[1].start()
        returned = []
        for mover in movers:
            client = await exits.enter_async_context(EdgeClient.connect(stack.ws_url(1)))
            ack = await client.subscribe(session_token=mover.session_token)
            assert ack["data"]["user_id"] == mover.user_id
            returned.append(client)
        await asyncio.sleep(0.5)
        await activity.pause()
        await converge([*actors, *stayers, *returned], stack.api, within=CONVERGE_WITHIN)
        await activity.stop()
        for client in (*actors, *stayers, *returned):
            assert client.anomalies == []
