"""Both /metrics endpoints under a real load: the counters agree with what the load did."""

from __future__ import annotations

import asyncio
import random
import socket
from collections import Counter
from collections.abc import Callable
from contextlib import AsyncExitStack

import httpx
import pytest

from tests.edge import EdgeClient
from tests.metrics import Scrape, scrape
from tests.seat_api import http_client, poll_until, seat_call, venue_version
from tests.servers import BookingProcess, NginxServer
from tests.stack import EdgeStack

CLIENTS = 200
ROUNDS = 4
VIEWERS_PER_EDGE = 10
# The load's seats; the greedy user takes its holds in row J.
LOAD_SEATS = [f"{row}{col}" for row in "ABCDEFGHI" for col in range(1, 11)]
GREEDY_SEATS = [f"J{col}" for col in range(1, 8)]
MAX_HOLDS = 6

Tally = Counter[tuple[str, int]]


def _requests(metrics: Scrape, operation: str, outcome: str) -> int:
    return int(
        metrics.value(
            "booking_request_duration_seconds_count", operation=operation, outcome=outcome
        )
    )


async def _call(http: httpx.AsyncClient, tally: Tally, action: str, seat: str, user: str) -> int:
    response = await seat_call(http, action, seat, user_id=user)  # type: ignore[arg-type]
    tally[(action, response.status_code)] += 1
    return response.status_code


async def _order(http: httpx.AsyncClient, tally: Tally, user: str) -> None:
    response = await http.post("/api/events/main/orders", json={"user_id": user})
    assert response.status_code == 201, response.text
    tally[("create_order", response.status_code)] += 1


async def _shopper(http: httpx.AsyncClient, tally: Tally, index: int) -> None:
    """Rounds of select, then book, order or release what it got; one unknown seat."""
    user = f"load-{index}"
    chooser = random.Random(index)
    await _call(http, tally, "select", "Z99", user)
    for round_number in range(ROUNDS):
        seat = chooser.choice(LOAD_SEATS)
        if await _call(http, tally, "select", seat, user) != 200:
            continue
        choice = (index + round_number) % 4
        if choice == 0:
            await _call(http, tally, "book", seat, user)
        elif choice == 1:
            await _order(http, tally, user)
        else:
            await _call(http, tally, "release", seat, user)


async def _greedy(http: httpx.AsyncClient, tally: Tally) -> None:
    """One user asks for one hold more than the cap allows, then lets them go."""
    for seat in GREEDY_SEATS:
        await _call(http, tally, "select", seat, "greedy")
    for seat in GREEDY_SEATS[:MAX_HOLDS]:
        await _call(http, tally, "release", seat, "greedy")


def _outcome(status: int) -> str:
    return {200: "success", 201: "success", 409: "conflict", 404: "invalid"}[status]


@pytest.mark.slow
async def test_metrics_agree_with_a_load_of_concurrent_shoppers_and_viewers(
    make_edge_stack: Callable[..., EdgeStack],
) -> None:
    """200 concurrent REST shoppers and 20 WebSocket viewers: both /metrics, scraped during
    and after, count exactly the requests by outcome, holds, bookings, orders and edge
    frames and connections."""
    stack = make_edge_stack(
        booking_env={"HOLD_SECONDS": "120", "MAX_HOLDS_PER_SESSION": str(MAX_HOLDS)}
    )
    edge_urls = [edge.url + "/metrics" for edge in stack.edges]
    tally: Tally = Counter()
    async with AsyncExitStack() as exits:
        http = await exits.enter_async_context(http_client(stack.api, connections=CLIENTS))
        viewers: list[list[EdgeClient]] = [[], []]
        for edge, group in enumerate(viewers):
            for _ in range(VIEWERS_PER_EDGE):
                viewer = await exits.enter_async_context(EdgeClient.connect(stack.ws_url(edge)))
                await viewer.subscribe(batch=True)
                await viewer.expect("VENUE_STATE")
                group.append(viewer)
        version_before = await venue_version(http)
        before = await scrape(stack.api + "/metrics")

        shoppers = [_shopper(http, tally, index) for index in range(CLIENTS)]
        load = asyncio.ensure_future(asyncio.gather(_greedy(http, tally), *shoppers))

        async def served_some() -> bool:
            return _requests(await scrape(stack.api + "/metrics"), "select", "success") > 0

        assert await poll_until(served_some, within=10, interval=0.01)
        during = await scrape(stack.api + "/metrics")
        during_edges = [await scrape(url) for url in edge_urls]
        assert not load.done(), "the load ended before the scrape during it"
        await load

        version_after = await venue_version(http)
        for viewer in (viewer for group in viewers for viewer in group):
            await viewer.wait_for(lambda v=viewer: v.version == version_after, what="last change")
        after = await scrape(stack.api + "/metrics")
        after_edges = [await scrape(url) for url in edge_urls]

    changes = version_after - version_before
    for (action, status), count in tally.items():
        outcome = _outcome(status)
        assert _requests(after, action, outcome) - _requests(before, action, outcome) == count
        assert _requests(during, action, outcome) <= _requests(after, action, outcome)
    held = after.value("booking_seat_changes_total", type="held")
    booked = after.value("booking_seat_changes_total", type="booked")
    released = after.value("booking_seat_changes_total", type="released")
    assert held == tally[("select", 200)]
    orders = tally[("create_order", 201)]
    assert booked == tally[("book", 200)] + orders
    assert tally[("book", 200)] > 0
    assert after.value("booking_orders_total") - before.value("booking_orders_total") == orders
    assert orders > 0
    assert released == tally[("release", 200)]
    assert held + booked + released == changes
    assert after.value("booking_seat_changes_total", type="auto_released") == 0
    assert after.value("booking_hold_cap_refusals_total") == 1
    assert after.value("booking_active_holds", event="main") == 0
    assert tally[("select", 409)] > 0
    assert tally[("select", 404)] == CLIENTS

    for group, during_edge, edge in zip(viewers, during_edges, after_edges, strict=True):
        assert edge.value("edge_connections_open") == VIEWERS_PER_EDGE
        assert edge.value("edge_connections_total") == VIEWERS_PER_EDGE
        assert edge.value("edge_messages_in_total") == VIEWERS_PER_EDGE
        # Batched viewers get one frame per write: every frame written is one received.
        assert edge.value("edge_messages_out_total") == sum(len(v.frames) for v in group)
        assert during_edge.value("edge_messages_out_total") <= edge.value("edge_messages_out_total")
        assert edge.value("edge_fanout_delay_seconds_count") == changes
        assert 0 < edge.value("edge_fanout_delay_seconds_sum") < changes * 1.0
        assert edge.value("edge_frames_dropped_total") == 0


async def test_metrics_of_two_workers_add_up(
    start_booking: Callable[..., BookingProcess],
) -> None:
    """With WORKERS=2 both workers serve requests, and /metrics, whichever worker answers,
    counts every request made to either."""
    booking = start_booking(WORKERS="2")
    before = await scrape(booking.url + "/metrics")
    requests = 200
    instances: set[str] = set()
    # No keepalive: every request comes on a new connection, which either worker accepts.
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=booking.url, limits=limits, timeout=10) as http:

        async def health() -> None:
            response = await http.get("/health")
            assert response.status_code == 200, response.text
            instances.add(response.json()["instance"])

        async def hold_and_release(index: int) -> None:
            seat = f"{'ABCDEFGHIJ'[index // 10]}{index % 10 + 1}"
            assert (await seat_call(http, "select", seat, user_id=f"w{index}")).status_code == 200
            assert (await seat_call(http, "release", seat, user_id=f"w{index}")).status_code == 200

        await asyncio.gather(*(health() for _ in range(requests)))
        await asyncio.gather(*(hold_and_release(index) for index in range(100)))
    assert len(instances) == 2, instances
    for _ in range(6):
        metrics = await scrape(booking.url + "/metrics")
        health_served = _requests(metrics, "health", "success")
        assert health_served - _requests(before, "health", "success") == requests
        assert _requests(metrics, "select", "success") == 100
        assert _requests(metrics, "release", "success") == 100
        assert metrics.value("booking_seat_changes_total", type="held") == 100
        assert metrics.value("booking_active_holds", event="main") == 0


def _raw_get(port: int, path: str) -> tuple[int, bytes]:
    """A GET of ``path`` exactly as written (no client normalises it): status and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        request = f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        connection.sendall(request.encode())
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


METRICS_SPELLINGS = (
    "/metrics",
    "/metrics/",
    "/METRICS",
    "/Metrics?format=text",
    "//metrics",
    "/%6detrics",
    "/api/metrics",
    "/api/../metrics",
    "/api/%2e%2e/metrics",
    "/api/seats/..%2F..%2Fmetrics",
    "/api/events/main/../../../metrics",
    "/health/../metrics",
)


def test_nginx_answers_every_spelling_of_metrics_404(
    make_edge_stack: Callable[..., EdgeStack], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Through NGINX no spelling of /metrics reaches a service: each is the API's JSON 404,
    while the services answer /metrics on their own ports."""
    stack = make_edge_stack(edge_count=1)
    nginx = NginxServer(
        tmp_path_factory.mktemp("nginx"),
        booking=stack.api.removeprefix("http://"),
        edges=[edge.url.removeprefix("http://") for edge in stack.edges],
    )
    nginx.start()
    try:
        for path in METRICS_SPELLINGS:
            status, body = _raw_get(nginx.port, path)
            assert (status, body) == (404, b'{"error": "Not found"}\n'), path
        assert _raw_get(nginx.port, "/api/seats")[0] == 200
        for url in (stack.api, stack.edges[0].url):
            port = int(url.rsplit(":", 1)[1])
            status, body = _raw_get(port, "/metrics")
            assert status == 200, url
            assert b"# TYPE" in body, url
    finally:
        nginx.stop()
