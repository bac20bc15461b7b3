"""Edge fan-out: ``python -m bench.edge_fanout --clients 1000``.

Starts Redis, NATS, one booking service and two edges (``tests/servers.py``) in a
temporary directory and spreads ``--clients`` subscribed WebSocket clients over both
edges, from ``--processes`` client processes. An actor then makes seat changes through
the REST API (select, then release, seat after seat), either ``--changes`` of them one
every ``--interval`` seconds, or steadily at ``--rate`` per second for ``--duration``
seconds. For every change it measures the time from the actor's command to the
receipt of its ``SEAT_UPDATE`` by the last client, and it checks that every client got
every update, in version order. It prints p50/p99/max of that latency, missed and
out-of-order updates, each edge's resident memory per idle connection (VmRSS
before and after the clients connected), and the CPU the load generator itself used
while measuring (client processes and actor), which shares the machine with the
servers it measures. With ``--batch`` the clients ask for ``SEAT_UPDATES`` frames (as
the page does); the edges sign sessions themselves, as ``start-all.sh`` sets them up.
With ``--via-nginx`` the clients connect through NGINX (the project's config,
``least_conn`` over both edges) instead.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import resource
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import httpx

from bench.fanout_client import cpu_seconds, run_worker
from bench.stats import summary
from tests.servers import NginxServer
from tests.stack import SECRET, EdgeStack

logger = logging.getLogger("bench.edge_fanout")

READY_TIMEOUT = 300.0

Worker = tuple[BaseProcess, Connection]
DELIVERY_GRACE = 2.0


@dataclass
class Outcome:
    """What a run measured."""

    latencies_s: list[float]
    changes: int
    missed: int
    out_of_order: int
    clients: int
    closed: int
    rss_per_connection: list[float]
    edge_stats: list[dict[str, Any]]
    # The load generator's CPU while measuring: client processes, actor, wall time.
    clients_cpu_s: float
    actor_cpu_s: float
    wall_s: float


def vm_rss_kib(pid: int) -> int:
    """A process's resident set size in KiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def start_workers(
    urls: list[str], clients: int, processes: int, token: str, *, batch: bool
) -> list[Worker]:
    """Client processes holding ``clients`` connections between them, once all are open."""
    context = multiprocessing.get_context("spawn")
    workers: list[Worker] = []
    for index in range(processes):
        count = clients // processes + (1 if index < clients % processes else 0)
        parent, child = context.Pipe()
        # Start each process on the other edge first so both edges get half the clients.
        order = urls[index % len(urls) :] + urls[: index % len(urls)]
        worker = context.Process(target=run_worker, args=(child, order, count, token, batch))
        worker.start()
        workers.append((worker, parent))
    for process, pipe in workers:
        if not pipe.poll(READY_TIMEOUT):
            raise RuntimeError(f"client process {process.pid} did not get ready")
        kind, value = pipe.recv()
        if kind != "ready":
            raise RuntimeError(f"client process failed: {value}")
    return workers


def collect(workers: list[Worker]) -> dict[str, Any]:
    """Merge the client processes' tallies: latest arrival and receipt count per version."""
    last: dict[int, int] = {}
    received: dict[int, int] = {}
    merged: dict[str, float] = {"clients": 0, "out_of_order": 0, "closed": 0, "cpu_s": 0.0}
    for _, pipe in workers:
        pipe.send("report")
    for process, pipe in workers:
        kind, tally = pipe.recv()
        if kind != "tally":
            raise RuntimeError(f"client process failed: {tally}")
        for key in merged:
            merged[key] += tally[key]
        for version, at in tally["last_arrival_ns"].items():
            last[version] = max(last.get(version, 0), at)
        for version, count in tally["received"].items():
            received[version] = received.get(version, 0) + count
        process.join(10)
    return {**merged, "last": last, "received": received}


async def act(api: str, token: str, *, changes: int, interval: float) -> dict[int, int]:
    """Make ``changes`` seat changes, one per ``interval`` s; version → command time (ns)."""
    sent: dict[int, int] = {}
    seats = [f"{row}{col}" for row in "ABCDEFGHIJ" for col in range(1, 11)]
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=api, timeout=10) as http:
        for index in range(changes):
            delay = started + index * interval - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            action = "select" if index % 2 == 0 else "release"
            body = {"seat_id": seats[(index // 2) % len(seats)], "session_token": token}
            at = time.monotonic_ns()
            response = await http.post(f"/api/seats/{action}", json=body)
            response.raise_for_status()
            sent[response.json()["version"]] = at
    return sent


def run(stack: EdgeStack, urls: list[str], args: argparse.Namespace) -> Outcome:
    """Connect the clients, measure memory, drive the changes, gather the tallies."""
    token = httpx.post(f"{stack.api}/api/session", json={"user_id": "bench"}).json()[
        "session_token"
    ]
    before = [vm_rss_kib(edge.pid) for edge in stack.edges]
    logger.info("connecting %d clients", args.clients)
    workers = start_workers(urls, args.clients, args.processes, token, batch=args.batch)
    try:
        time.sleep(1.0)
        after = [vm_rss_kib(edge.pid) for edge in stack.edges]
        if args.duration:
            changes, interval = int(args.rate * args.duration), 1.0 / args.rate
        else:
            changes, interval = args.changes, args.interval
        logger.info("making %d changes, one every %.3f s", changes, interval)
        started, actor_cpu = time.monotonic(), cpu_seconds()
        sent = asyncio.run(act(stack.api, token, changes=changes, interval=interval))
        actor_cpu = cpu_seconds() - actor_cpu
        time.sleep(DELIVERY_GRACE)
        edge_stats = [httpx.get(f"{edge.url}/stats").json() for edge in stack.edges]
        tally = collect(workers)
        wall = time.monotonic() - started
    finally:
        for process, _ in workers:
            if process.is_alive():
                process.kill()
                process.join()
    per_edge = args.clients / len(stack.edges)
    rss = [(a - b) / per_edge for a, b in zip(after, before, strict=True)]
    latencies = [
        (tally["last"][version] - at) / 1e9
        for version, at in sent.items()
        if version in tally["last"]
    ]
    missed = sum(args.clients - tally["received"].get(version, 0) for version in sent)
    return Outcome(
        latencies,
        len(sent),
        missed,
        int(tally["out_of_order"]),
        int(tally["clients"]),
        int(tally["closed"]),
        rss,
        edge_stats,
        tally["cpu_s"],
        actor_cpu,
        wall,
    )


def report(args: argparse.Namespace, outcome: Outcome) -> None:
    mode = (
        f"steady {args.rate:g} changes/s for {args.duration:g} s"
        if args.duration
        else f"{args.changes} changes every {args.interval * 1000:g} ms"
    )
    route = "through NGINX" if args.via_nginx else "direct"
    print(
        f"edge fan-out: {outcome.clients} clients on 2 edges, {route} "
        f"({args.processes} processes), {mode}"
    )
    kind = "SEAT_UPDATES element" if args.batch else "SEAT_UPDATE"
    print(f"  command -> last client's {kind}: {summary(outcome.latencies_s)}")
    print(
        f"  {outcome.changes} changes; missed updates {outcome.missed}, "
        f"out of order {outcome.out_of_order}, clients lost {outcome.closed}"
    )
    for index, (kib, stats) in enumerate(
        zip(outcome.rss_per_connection, outcome.edge_stats, strict=True)
    ):
        print(
            f"  edge {index + 1}: {kib:.1f} KiB RSS per idle connection, "
            f"{stats['clients_connected']} clients, {stats['broadcasts']} broadcasts, "
            f"{stats['slow_clients_dropped']} slow clients dropped, {stats['resyncs']} resyncs"
        )
    load = outcome.clients_cpu_s + outcome.actor_cpu_s
    print(
        f"  load generator CPU while measuring: {load:.2f} s in {outcome.wall_s:.1f} s "
        f"({100 * load / outcome.wall_s:.0f} % of one core; clients {outcome.clients_cpu_s:.2f} s, "
        f"actor {outcome.actor_cpu_s:.2f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between changes")
    parser.add_argument("--rate", type=float, default=50.0, help="changes/s with --duration")
    parser.add_argument("--duration", type=float, default=0.0, help="steady run length (s)")
    parser.add_argument("--via-nginx", action="store_true", help="connect through NGINX")
    parser.add_argument("--batch", action="store_true", help="clients ask for SEAT_UPDATES")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with tempfile.TemporaryDirectory(prefix="bench-edge-") as tmp:
        stack = EdgeStack(
            Path(tmp),
            booking_env={"HOLD_SECONDS": "3600"},
            edge_env={"LOG_LEVEL": "warning", "SESSION_SECRET": SECRET},
        )
        nginx: NginxServer | None = None
        try:
            stack.start()
            urls = [stack.ws_url(index) for index in range(len(stack.edges))]
            if args.via_nginx:
                nginx = NginxServer(
                    Path(tmp) / "nginx",
                    booking=stack.api.removeprefix("http://"),
                    edges=[f"127.0.0.1:{edge.port}" for edge in stack.edges],
                    # Every benchmark client comes from 127.0.0.1: lift the per-address cap.
                    ws_connections=args.clients + 1,
                )
                nginx.start()
                urls = [nginx.url.replace("http://", "ws://") + "/ws"]
            outcome = run(stack, urls, args)
        finally:
            if nginx is not None:
                nginx.stop()
            stack.stop()
    report(args, outcome)


if __name__ == "__main__":
    main()
