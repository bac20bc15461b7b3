"""Seat changes over a three-node NATS cluster, through the death of a node under load."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import httpx
import pytest

from shared.nats_link import CONNECT_TIMEOUT, MAX_OUTSTANDING_PINGS, PING_INTERVAL
from tests.edge import EdgeClient
from tests.nats_cluster import NatsCluster
from tests.servers import BookingProcess, EdgeProcess, RedisServer
from tests.stack import SECRET

logger = logging.getLogger(__name__)

VIEWERS = 100
CONVERGE_WITHIN = 2.0
# How long a service may take to leave a NATS server that stopped answering: it counts
# the server stale, and may try it once more before another.
LEAVE_HUNG_NODE = PING_INTERVAL * (MAX_OUTSTANDING_PINGS + 1) + CONNECT_TIMEOUT
# Seats the load cycles through, each worker (one user) over its own share.
SEATS = [f"{row}{col}" for row in "AB" for col in range(1, 11)]
LOAD_WORKERS = 2
LOAD_PAUSE = 0.01


@dataclass
class ClusterStack:
    """Redis, the NATS cluster, one booking service and one edge, all told every node."""

    redis: RedisServer
    nats: NatsCluster
    booking: BookingProcess
    edge: EdgeProcess

    @property
    def ws_url(self) -> str:
        return self.edge.url.replace("http://", "ws://") + "/ws"


@pytest.fixture(scope="module")
def cluster_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterStack]:
    """The stack, shared by this module's tests; ``whole_cluster`` restores it after each."""
    tmp_path = tmp_path_factory.mktemp("cluster-stack")
    redis = RedisServer(tmp_path / "redis")
    nats = NatsCluster(tmp_path / "nats")
    logs = tmp_path / "logs"
    started: list[RedisServer | NatsCluster | BookingProcess | EdgeProcess] = []
    try:
        started.append(redis)
        redis.start()
        started.append(nats)
        nats.start()
        # Ports are picked once the nodes' routes hold theirs, so no pick collides.
        booking = BookingProcess(
            logs,
            {
                "REDIS_URL": redis.url,
                "NATS_URL": nats.url,
                "DATA_DIR": str(tmp_path / "data"),
                "SESSION_SECRET": SECRET,
                "LOG_LEVEL": "warning",
            },
            name="booking",
        )
        started.append(booking)
        booking.start()
        edge = EdgeProcess(
            logs,
            {"BOOKING_SERVICE_URL": booking.url, "NATS_URL": nats.edge_url, "LOG_LEVEL": "info"},
            name="edge",
        )
        started.append(edge)
        edge.start()
        yield ClusterStack(redis, nats, booking, edge)
    finally:
        for server in reversed(started):
            server.stop()


@pytest.fixture
def whole_cluster(cluster_stack: ClusterStack) -> Iterator[ClusterStack]:
    """The shared stack; afterwards a hung node is resumed and a killed one restarted."""
    yield cluster_stack
    for node in cluster_stack.nats.nodes:
        node.resume()
    cluster_stack.nats.start()


class Load:
    """Workers selecting and releasing seats through REST, LOAD_PAUSE apart, until stopped;
    ``changes`` counts the calls that changed a seat, ``failures`` the others."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http
        self._stopped = False
        self._tasks: list[asyncio.Task[None]] = []
        self.changes = 0
        self.failures = 0

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._work(SEATS[worker::LOAD_WORKERS], f"buyer-{worker}"))
            for worker in range(LOAD_WORKERS)
        ]

    async def stop(self) -> None:
        self._stopped = True
        await asyncio.gather(*self._tasks)

    async def _work(self, seats: Sequence[str], user_id: str) -> None:
        for seat in itertools.cycle(seats):
            if self._stopped:
                return
            for action in ("select", "release"):
                response = await self._http.post(
                    f"/api/seats/{action}", json={"seat_id": seat, "user_id": user_id}
                )
                if response.status_code == 200:
                    self.changes += 1
                else:
                    self.failures += 1
                await asyncio.sleep(LOAD_PAUSE)


async def _open_viewers(exits: contextlib.AsyncExitStack, url: str) -> list[EdgeClient]:
    viewers = await asyncio.gather(
        *(exits.enter_async_context(EdgeClient.connect(url)) for _ in range(VIEWERS))
    )
    await asyncio.gather(*(viewer.subscribe() for viewer in viewers))
    await asyncio.gather(*(viewer.expect("VENUE_STATE") for viewer in viewers))
    return viewers


async def _reached(viewers: Sequence[EdgeClient], version: int, *, deadline: float) -> float:
    """Wait until every viewer shows ``version`` or a later one, failing at ``deadline``
    (``time.monotonic()``); the time it happened."""
    while any(viewer.version is None or viewer.version < version for viewer in viewers):
        if time.monotonic() > deadline:
            behind = sum(1 for viewer in viewers if (viewer.version or -1) < version)
            raise AssertionError(f"{behind} viewers did not reach version {version} in time")
        await asyncio.sleep(0.005)
    return time.monotonic()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("loss", "within"), [("killed", CONVERGE_WITHIN), ("hung", LEAVE_HUNG_NODE + CONVERGE_WITHIN)]
)
async def test_nats_node_lost_under_load_every_viewer_converges(
    whole_cluster: ClusterStack, loss: str, within: float
) -> None:
    """The edge's NATS node killed (kill -9: all viewers converge within 2 s) or hung
    (SIGSTOP: within 2 s of the edge having left it), mid-load, with no update missed or
    out of order."""
    stack = whole_cluster
    async with (
        contextlib.AsyncExitStack() as exits,
        httpx.AsyncClient(base_url=stack.booking.url, timeout=5) as http,
    ):
        viewers = await _open_viewers(exits, stack.ws_url)
        load = Load(http)
        load.start()
        load_started = time.monotonic()
        await asyncio.sleep(1.0)

        victim = stack.nats.node_of("edge-server")
        shared = "booking-service" in victim.client_names()
        if loss == "killed":
            victim.kill9()
        else:
            victim.pause()
        lost_at = time.monotonic()
        deadline = lost_at + within
        # The first change committed after the loss: every viewer's stream has resumed.
        first_after = (await http.get("/api/venue")).json()["version"] + 1
        resumed = await _reached(viewers, first_after, deadline=deadline) - lost_at
        # Changes keep coming for a while after the streams resumed.
        await asyncio.sleep(max(0.0, lost_at + 1.0 - time.monotonic(), 0.5))
        await load.stop()
        load_seconds = time.monotonic() - load_started

        final = (await http.get("/api/venue")).json()
        expected = {seat["id"]: seat["status"] for seat in final["seats"]}
        settled = await _reached(viewers, final["version"], deadline=deadline) - lost_at
        logger.info(
            "nats node %s (the booking service's too: %s) under %.0f changes/s; every viewer "
            "had the first change after it %.3f s and the final state %.3f s after it",
            loss,
            shared,
            load.changes / load_seconds,
            resumed,
            settled,
        )
        assert load.failures == 0
        assert load.changes > 20
        for viewer in viewers:
            assert viewer.version == final["version"]
            assert viewer.statuses() == expected
            assert viewer.anomalies == []
            assert not viewer.closed
