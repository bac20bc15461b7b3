"""A Redis Cluster master killed with ``kill -9`` while seats are booked and orders made:
its replica takes over, the service recovers by itself, and no acknowledged booking or
order is lost."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import pytest

from booking_service.events.keys import event_key
from tests.cluster import ClusterNodeServer, RedisClusterServers, events_on_every_master
from tests.event_api import ADMIN_TOKEN, OPERATOR, event_call
from tests.seat_api import Action, http_client, poll_until, start_session
from tests.servers import BookingProcess

pytestmark = pytest.mark.slow

logger = logging.getLogger(__name__)

PRICES = {"Standard": 25.0}
ROWS, COLS = 10, 30
BOOKERS_PER_EVENT = 2
# Pause between one worker's seats, so the load spans the whole failover.
PACE = 0.03
# How long an order is retried with its Idempotency-Key before it counts as refused.
ORDER_RETRY_SECONDS = 15.0
# From the kill until writes on the failed shard are acknowledged again, at most.
RECOVERY_LIMIT = 10.0
# How long the promoted master stays without a replica before the dead node restarts.
ORPHAN_SECONDS = 1.5


@dataclass
class Ledger:
    """What the service acknowledged (2xx) and the outcome of every write, in order."""

    bookings: dict[tuple[str, str], str] = field(default_factory=dict)
    orders: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    outcomes: list[tuple[float, str, int]] = field(default_factory=list)
    health: list[tuple[float, int]] = field(default_factory=list)

    def back(self, event_id: str, *, after: float) -> float | None:
        """When writes on the event succeeded again after their last failure since
        ``after`` (None while they still fail, or never did)."""
        since = [(at, status) for at, event, status in self.outcomes if event == event_id]
        return _back([(at, status) for at, status in since if at > after])

    def health_back(self, *, after: float) -> float | None:
        """When /health answered 200 again after its last other answer since ``after``."""
        return _back([(at, status) for at, status in self.health if at > after])

    def served(self, event_id: str, *, start: float, end: float) -> bool:
        return any(
            event == event_id and start <= at <= end and 200 <= status < 300
            for at, event, status in self.outcomes
        )


def _within(at: float, span: tuple[float, float]) -> bool:
    return span[0] <= at <= span[1]


def _back(answers: list[tuple[float, int]]) -> float | None:
    """When the answers turned to successes for good: the first after the last failure (an
    error or no answer; a refusal such as 409 is an answer)."""
    failed = [n for n, (_, status) in enumerate(answers) if status >= 500 or status == 0]
    if not failed:
        return answers[0][0] if answers else None
    rest = answers[failed[-1] + 1 :]
    return rest[0][0] if rest else None


async def _watch_health(http: httpx.AsyncClient, ledger: Ledger, stop: asyncio.Event) -> None:
    """Ask /health every 50 ms until stopped, recording each answer (0: none)."""
    while not stop.is_set():
        try:
            status = (await http.get("/health")).status_code
        except httpx.HTTPError:
            status = 0
        ledger.health.append((time.monotonic(), status))
        await asyncio.sleep(0.05)


async def _status(ledger: Ledger, event_id: str, call: Awaitable[httpx.Response]) -> int:
    """The call's status (0 when no answer came), recorded in the ledger."""
    try:
        status = (await call).status_code
    except httpx.HTTPError:
        status = 0
    ledger.outcomes.append((time.monotonic(), event_id, status))
    return status


async def _book(
    http: httpx.AsyncClient, ledger: Ledger, event_id: str, seats: list[str], user: str,
    stop: asyncio.Event,
) -> None:  # fmt: skip
    """Select and book each seat in turn; a booked seat is acknowledged on a 200."""
    for seat in seats:
        if stop.is_set():
            return
        actions: tuple[Action, Action] = ("select", "book")
        for action in actions:
            status = await _status(
                ledger, event_id, event_call(http, event_id, action, seat, user_id=user)
            )
            if status != 200:
                break
        else:
            ledger.bookings[(event_id, seat)] = user
        await asyncio.sleep(PACE)


async def _order(
    http: httpx.AsyncClient, ledger: Ledger, event_id: str, seats: list[str],
    stop: asyncio.Event,
) -> None:  # fmt: skip
    """Hold two seats at a time and order them, retrying with the same Idempotency-Key
    until the order is acknowledged (201/200) or refused."""
    token = await start_session(http, f"buyer-{event_id}")
    for n in range(0, len(seats) - 1, 2):
        if stop.is_set():
            return
        pair = seats[n : n + 2]
        headers = {"X-Session-Token": token, "Idempotency-Key": f"{event_id}-{n}"}
        hold = http.post(f"/api/events/{event_id}/holds", json={"seat_ids": pair}, headers=headers)
        if await _status(ledger, event_id, hold) != 200:
            continue
        give_up = time.monotonic() + ORDER_RETRY_SECONDS
        while time.monotonic() < give_up:
            with contextlib.suppress(httpx.HTTPError):
                response = await http.post(
                    f"/api/events/{event_id}/orders", json={}, headers=headers
                )
                ledger.outcomes.append((time.monotonic(), event_id, response.status_code))
                if response.status_code in (200, 201):
                    # The whole cart: with seats of an earlier hold answered 503 (made,
                    # not confirmed) still in it.
                    order = response.json()
                    seat_ids = [seat["id"] for seat in order["seats"]]
                    ledger.orders[order["reference"]] = (event_id, seat_ids)
                    break
                if response.status_code != 503:
                    break
            await asyncio.sleep(0.1)
        await asyncio.sleep(PACE)


async def _until(check: Callable[[], bool], *, within: float) -> float:
    """Poll a blocking check off the event loop; the moment it held."""

    async def holds() -> bool:
        return await asyncio.to_thread(check)

    assert await poll_until(holds, within=within, interval=0.05)
    return time.monotonic()


def _is_master(node: ClusterNodeServer) -> bool:
    with contextlib.suppress(Exception):
        return node.info("replication").get("role") == "master"
    return False


async def _verify(http: httpx.AsyncClient, ledger: Ledger, event_ids: list[str]) -> None:
    """Every acknowledged booking and order is still there."""
    seats: dict[str, dict[str, dict[str, object]]] = {}
    for event_id in event_ids:
        venue = await http.get(f"/api/events/{event_id}/venue")
        assert venue.status_code == 200, venue.text
        seats[event_id] = {seat["id"]: seat for seat in venue.json()["seats"]}
    for (event_id, seat_id), user in ledger.bookings.items():
        seat = seats[event_id][seat_id]
        assert (seat["status"], seat.get("booked_by")) == (2, user), (event_id, seat)
    for reference, (event_id, seat_ids) in ledger.orders.items():
        response = await http.get(f"/api/orders/{reference}", headers=OPERATOR)
        assert response.status_code == 200, (reference, response.text)
        order = response.json()
        assert order["status"] == "confirmed"
        assert [seat["id"] for seat in order["seats"]] == seat_ids
        assert all(seats[event_id][seat_id]["status"] == 2 for seat_id in seat_ids)


@dataclass(frozen=True)
class Failover:
    """When each step of the failover happened (monotonic seconds)."""

    killed: float
    promoted: float
    restarted: float
    replicated: float

    def after_kill(self, at: float) -> float:
        return at - self.killed


async def _fail_over(cluster: RedisClusterServers, event_id: str) -> Failover:
    """kill -9 the master of the event, wait for its replica's promotion, then start the
    dead node again and wait until it is the new master's replica, in sync."""
    victim = cluster.master_of(event_key(event_id, "seats"))
    replica = cluster.replica_of(victim)
    victim.kill9()
    killed = time.monotonic()
    promoted = await _until(lambda: _is_master(replica), within=10)
    # Without a replica the promoted master's writes cannot be confirmed: for a while,
    # they are refused. Then its supervisor starts the dead node again: it rejoins as the
    # new master's replica, and WAIT 1 is satisfied once more.
    await asyncio.sleep(ORPHAN_SECONDS)
    restarted = time.monotonic()
    victim.start()
    replicated = await _until(lambda: cluster.replicas_online(replica) >= 1, within=15)
    return Failover(killed, promoted, restarted, replicated)


async def _load(
    http: httpx.AsyncClient, ledger: Ledger, event_ids: list[str], stop: asyncio.Event
) -> list[Awaitable[None]]:
    """Per event, bookers and an order maker on their own seats; and a /health watcher."""
    workers = [_watch_health(http, ledger, stop)]
    for event_id in event_ids:
        venue = (await http.get(f"/api/events/{event_id}/venue")).json()
        ids = [seat["id"] for seat in venue["seats"]]
        share = len(ids) // (BOOKERS_PER_EVENT + 1)
        for n in range(BOOKERS_PER_EVENT):
            mine = ids[n * share : (n + 1) * share]
            workers.append(_book(http, ledger, event_id, mine, f"fan-{n}", stop))
        workers.append(_order(http, ledger, event_id, ids[BOOKERS_PER_EVENT * share :], stop))
    return workers


def _check_outage(ledger: Ledger, event_ids: list[str], failover: Failover) -> None:
    """Once the client knows the new master, and until it has a replica, no write there is
    acknowledged: each is a 503 (or refused by the seat's state, as ever), and /health
    says so. The other shards serve throughout."""
    victim_event = event_ids[0]

    def answers(start: float, end: float) -> list[int]:
        return [s for at, e, s in ledger.outcomes if e == victim_event and start <= at <= end]

    orphaned = answers(failover.promoted + 0.5, failover.restarted)
    assert not [status for status in orphaned if 200 <= status < 300], orphaned
    unconfirmed = (failover.promoted + 0.5, failover.replicated)
    assert 503 in answers(*unconfirmed)
    assert 503 in [status for at, status in ledger.health if _within(at, unconfirmed)]
    for event_id in event_ids[1:]:
        assert ledger.served(event_id, start=failover.killed, end=failover.promoted), event_id


async def test_master_killed_under_load_loses_no_acknowledged_write(
    redis_cluster: RedisClusterServers, start_booking: Callable[..., BookingProcess]
) -> None:
    """kill -9 of a master mid-load: its replica is promoted, writes there are answered
    again once it has a replica of its own (the killed node, restarted), the other shards
    serve throughout, /health is 200 again, and every 2xx booking and order survives."""
    booking = start_booking(REDIS_URL=redis_cluster.url, ADMIN_TOKEN=ADMIN_TOKEN)
    ledger, stop = Ledger(), asyncio.Event()
    async with http_client(booking.url, connections=40) as http:
        spread = await events_on_every_master(http, redis_cluster, PRICES, rows=ROWS, cols=COLS)
        event_ids = list(spread.values())
        load = asyncio.gather(*await _load(http, ledger, event_ids, stop))
        try:
            await asyncio.sleep(1.0)
            failover = await _fail_over(redis_cluster, event_ids[0])

            async def recovered() -> bool:
                after = failover.replicated
                return (
                    ledger.back(event_ids[0], after=after) is not None
                    and ledger.health_back(after=after) is not None
                )

            assert await poll_until(recovered, within=RECOVERY_LIMIT)
            await asyncio.sleep(0.5)
        finally:
            stop.set()
            await load
        writes_back = ledger.back(event_ids[0], after=failover.killed)
        health_back = ledger.health_back(after=failover.killed)
        assert writes_back is not None
        assert health_back is not None
        logger.info(
            "failover: promoted %.2f s, replica back %.2f s, writes acknowledged again "
            "%.2f s, /health 200 again %.2f s after the kill; %d bookings, %d orders "
            "acknowledged, %d writes answered otherwise",
            failover.after_kill(failover.promoted), failover.after_kill(failover.replicated),
            failover.after_kill(writes_back), failover.after_kill(health_back),
            len(ledger.bookings), len(ledger.orders),
            sum(1 for _, _, status in ledger.outcomes if not 200 <= status < 300),
        )  # fmt: skip
        assert failover.after_kill(writes_back) < RECOVERY_LIMIT
        _check_outage(ledger, event_ids, failover)
        await _verify(http, ledger, event_ids)
