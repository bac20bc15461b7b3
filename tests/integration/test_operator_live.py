"""The live operator socket: DASHBOARD frames pushed as an event changes, on every process."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.edge import EdgeClient
from tests.event_api import ADMIN_TOKEN, OPERATOR, balcony_plan, create_event
from tests.operator_socket import OperatorSocket
from tests.seat_api import http_client, start_session
from tests.servers import BookingProcess, NginxServer
from tests.stack import EdgeStack

PRICES = {"Standard": 30.0, "Premium": 72.5}


@pytest.fixture
def two_processes(
    start_booking: Callable[..., BookingProcess], tmp_path: Path
) -> Iterator[tuple[BookingProcess, BookingProcess, NginxServer]]:
    """Two booking processes and NGINX spreading requests over both."""
    first = start_booking(ADMIN_TOKEN=ADMIN_TOKEN)
    second = start_booking(ADMIN_TOKEN=ADMIN_TOKEN)
    nginx = NginxServer(
        tmp_path / "nginx",
        booking=[process.url.removeprefix("http://") for process in (first, second)],
        edges=["127.0.0.1:9"],
    )
    nginx.start()
    try:
        yield first, second, nginx
    finally:
        nginx.stop()


async def _book(http: httpx.AsyncClient, user_id: str, seat_id: str) -> None:
    token = await start_session(http, user_id)
    session = {"X-Session-Token": token}
    held = await http.post("/api/events/main/holds", json={"seat_ids": [seat_id]}, headers=session)
    assert held.status_code == 200, held.text
    order = await http.post("/api/events/main/orders", json={}, headers=session)
    assert order.status_code == 201, order.text


def _shows_booking(frame: dict[str, Any]) -> bool:
    data = frame["data"]
    changes = data["changes"]
    return bool(data["totals"]["booked"] == 1 and changes and changes[0]["event_type"] == "booked")


async def test_live_dashboard_shows_what_any_process_did_within_a_second(
    two_processes: tuple[BookingProcess, BookingProcess, NginxServer],
) -> None:
    """Operators on either process (directly or through NGINX) see a booking made by
    another client on one process, and a state change made on the other, within 1 s."""
    first, second, nginx = two_processes
    async with (
        OperatorSocket.connect(nginx.url) as through_nginx,
        OperatorSocket.connect(first.url) as on_first,
        OperatorSocket.connect(second.url) as on_second,
    ):
        operators = (through_nginx, on_first, on_second)
        for operator in operators:
            await operator.login(ADMIN_TOKEN)
            assert (await operator.watch("main"))["totals"]["booked"] == 0
        async with http_client(first.url) as buyer:
            await _book(buyer, "buyer", "C4")
        booked_at = time.monotonic()
        for operator in operators:
            # The figures come from Redis, the changes from NATS: a frame may show the
            # booking a moment before its change is heard; the next one lists it.
            frame = await operator.next("DASHBOARD", _shows_booking, within=1)
            assert frame["event_id"] == "main"
            assert frame["data"]["occupancy"] == {"C4": "booked"}
            assert frame["data"]["orders"] == {"confirmed": 1, "cancelled": 0}
        assert time.monotonic() - booked_at < 1
        async with http_client(second.url) as http:
            closed = await http.post(
                "/api/admin/events/main/state",
                json={"state": "closed"},
                headers={**OPERATOR, "X-Operator": "ada"},
            )
            assert closed.status_code == 200, closed.text
        for operator in operators:
            frame = await operator.next("DASHBOARD", lambda f: bool(f["data"]["audit"]), within=1)
            assert frame["data"]["audit"][0]["who"] == "ada"
            assert frame["data"]["audit"][0]["detail"] == {"state": "closed"}
            assert frame["data"]["event"]["state"] == "closed"


async def test_live_dashboard_comes_at_most_four_times_a_second(
    start_booking: Callable[..., BookingProcess],
) -> None:
    """Changes coming faster than four a second are gathered into at most one DASHBOARD
    per 250 ms, and the last one shows them all."""
    booking = start_booking(ADMIN_TOKEN=ADMIN_TOKEN)
    async with OperatorSocket.connect(booking.url) as operator, http_client(booking.url) as http:
        await operator.login(ADMIN_TOKEN)
        await operator.watch("main")
        started = len(operator.arrivals)
        for index in range(40):
            body = {"seat_id": f"{'ABCD'[index // 10]}{index % 10 + 1}", "user_id": f"u{index}"}
            assert (await http.post("/api/seats/select", json=body)).status_code == 200
            await asyncio.sleep(0.03)
        await operator.next("DASHBOARD", lambda f: f["data"]["totals"]["held"] == 40, within=1)
        arrivals = operator.arrivals[started:]
        gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
        assert len(arrivals) >= 3
        # A little slack for the scheduler: the server waits 250 ms, the client's clock
        # reads arrivals.
        assert min(gaps) > 0.2, gaps


async def test_live_socket_survives_bad_input(start_booking: Callable[..., BookingProcess]) -> None:
    """Malformed and unknown frames get an ERROR and the connection stays; an oversized
    frame closes it with 1009, a flood with 1008, silence after connecting with 1008;
    the service serves on."""
    booking = start_booking(ADMIN_TOKEN=ADMIN_TOKEN)
    async with OperatorSocket.connect(booking.url) as operator:
        await operator.login(ADMIN_TOKEN)
        answers = {
            "not json": "Every frame must be one JSON object with a type",
            "[1, 2]": "Every frame must be one JSON object with a type",
            '{"type": "PING"}': "Unknown message type: PING",
            '{"type": "AUTH", "token": "x"}': "Already authenticated",
            '{"type": "WATCH"}': "WATCH needs an event_id",
            '{"type": "WATCH", "event_id": 5}': "WATCH needs an event_id",
            '{"type": "WATCH", "event_id": "nope"}': "No event with id nope",
            '{"type": "WATCH", "event_id": "../../etc"}': "No event with id ../../etc",
        }
        for frame, error in answers.items():
            await operator.send(frame)
            assert (await operator.next("ERROR"))["error"] == error, frame
        await operator.send(b"\x00\xff")
        await operator.next("ERROR")
        assert (await operator.watch("main"))["totals"]["seats"] == 100
        await operator.send("x" * 5000)
        assert await operator.wait_closed() == 1009
    async with OperatorSocket.connect(booking.url) as flooder:
        await flooder.login(ADMIN_TOKEN)
        for _ in range(60):
            await flooder.send('{"type": "PING"}')
        assert (await flooder.next("ERROR", lambda f: "many" in f["error"]))["error"] == (
            "Too many messages"
        )
        assert await flooder.wait_closed() == 1008
    async with OperatorSocket.connect(booking.url) as silent:
        assert await silent.wait_closed(within=7) == 1008
        assert silent.frames == [{"type": "ERROR", "error": "Authentication required"}]
    async with OperatorSocket.connect(booking.url) as operator, http_client(booking.url) as http:
        assert (await http.get("/health")).status_code == 200
        await operator.login(ADMIN_TOKEN)
        assert (await operator.watch("main"))["version"] >= 1


async def test_live_dashboard_counts_people_across_two_edges(
    make_edge_stack: Callable[..., EdgeStack],
) -> None:
    """People connected to either edge are counted, those watching the event too; an edge
    that stops reporting is forgotten after three intervals, and the socket shows it."""
    stack = make_edge_stack(
        booking_env={"ADMIN_TOKEN": ADMIN_TOKEN}, edge_env={"CENSUS_SECONDS": "0.5"}
    )
    async with http_client(stack.api) as http:
        theatre = (await create_event(http, "Recital", balcony_plan(), PRICES))["id"]
    async with (
        OperatorSocket.connect(stack.api) as operator,
        EdgeClient.connect(stack.ws_url(0)) as ann,
        EdgeClient.connect(stack.ws_url(0)) as bob,
        EdgeClient.connect(stack.ws_url(1)) as cy,
    ):
        await ann.subscribe(event_id=theatre)
        await bob.subscribe(event_id=theatre)
        await cy.subscribe(user_id="cy")
        await operator.login(ADMIN_TOKEN)
        await operator.watch(theatre)
        everyone = {"people": 3, "watching": 2, "edges": 2}
        await operator.next("DASHBOARD", lambda f: f["data"]["connected"] == everyone, within=3)
        async with http_client(stack.api) as http:
            main = (await http.get("/api/admin/events/main/dashboard", headers=OPERATOR)).json()
        assert main["connected"] == {"people": 3, "watching": 1, "edges": 2}
        # A report held up on a busy machine may drop an edge for a moment before this;
        # only what comes after the stop counts.
        operator.skip_received()
        stopping = time.monotonic()
        # Off the event loop: the edge closes its clients (cy too) as it stops.
        await asyncio.to_thread(stack.edges[1].stop)
        rest = {"people": 2, "watching": 2, "edges": 1}
        frame = await operator.next("DASHBOARD", lambda f: f["data"]["connected"] == rest, within=5)
        # Forgotten three intervals (1.5 s) after its last report, not at once.
        assert operator.arrival_of(frame) - stopping > 1.0


async def test_live_socket_closes_with_1012_when_the_service_stops(
    start_booking: Callable[..., BookingProcess],
) -> None:
    """Stopping the service closes a watching operator's socket with 1012 (go elsewhere)
    and the service ends promptly, every push task stopped without an error."""
    booking = start_booking(ADMIN_TOKEN=ADMIN_TOKEN)
    async with OperatorSocket.connect(booking.url) as operator:
        await operator.login(ADMIN_TOKEN)
        await operator.watch("main")
        started = time.monotonic()
        await asyncio.to_thread(booking.stop)
        assert time.monotonic() - started < 3
        assert await operator.wait_closed() == 1012
    assert '"level":"error"' not in booking.log_tail(200)
