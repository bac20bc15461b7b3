"""WebSocket checks for the shell test scripts, against a running stack.

``python scripts/ws_probe.py flow WS_URL``      one client holds and books a free seat
``python scripts/ws_probe.py realtime WS_URL``  a change by one client reaches another
``python scripts/ws_probe.py spread WS_URL STATS_URL``  connections reach every edge
Exits 0 when the check holds, 1 with a sentence on stderr when it does not.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import urllib.request
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

TIMEOUT = 5.0


class Probe:
    """One browser-like client: subscribed, with the venue state it was sent."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.user_id = ""
        self.seats: dict[str, dict[str, Any]] = {}

    @classmethod
    async def open(cls, url: str) -> Probe:
        probe = cls(await connect(url, open_timeout=TIMEOUT, compression=None))
        await probe.expect("WELCOME")
        await probe.send("SUBSCRIBE", {"user_id": f"probe-{time.monotonic_ns()}"})
        ack = await probe.expect("SUBSCRIBE_ACK")
        probe.user_id = ack["data"]["user_id"]
        state = await probe.expect("VENUE_STATE")
        probe.seats = {seat["id"]: seat for seat in state["seats"]}
        return probe

    async def send(self, kind: str, data: dict[str, Any]) -> None:
        await self.connection.send(orjson.dumps({"type": kind, "data": data}).decode())

    async def expect(self, kind: str, **match: Any) -> dict[str, Any]:
        """The data of the next frame of this type whose fields match; fails on timeout."""
        deadline = time.monotonic() + TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            frame = orjson.loads(await asyncio.wait_for(self.connection.recv(), left))
            data: dict[str, Any] = frame.get("data", {})
            if frame.get("type") == kind and all(data.get(k) == v for k, v in match.items()):
                return data
        raise AssertionError(f"no {kind} {match or ''} within {TIMEOUT:.0f}s")

    def free_seat(self) -> str:
        free = [seat_id for seat_id, seat in self.seats.items() if seat["status"] == 0]
        if not free:
            raise AssertionError("no seat is available")
        return free[len(free) // 2]

    async def command(self, kind: str, seat_id: str) -> dict[str, Any]:
        await self.send(kind, {"seat_id": seat_id, "user_id": self.user_id})
        reply = await self.expect(f"{kind}_RESPONSE")
        if not reply.get("success"):
            raise AssertionError(f"{kind} {seat_id} failed: {reply.get('message')}")
        return reply


async def flow(url: str) -> str:
    probe = await Probe.open(url)
    async with probe.connection:
        seat_id = probe.free_seat()
        await probe.command("SELECT_SEAT", seat_id)
        await probe.expect("SEAT_UPDATE", seat_id=seat_id, event_type="held")
        await probe.command("BOOK_SEAT", seat_id)
        await probe.expect("SEAT_UPDATE", seat_id=seat_id, event_type="booked")
    return f"held and booked {seat_id} over {url}"


async def realtime(url: str) -> str:
    actor, watcher = await Probe.open(url), await Probe.open(url)
    async with actor.connection, watcher.connection:
        seat_id = actor.free_seat()
        started = time.perf_counter()
        await actor.command("SELECT_SEAT", seat_id)
        await watcher.expect("SEAT_UPDATE", seat_id=seat_id, event_type="held")
        held_after = time.perf_counter() - started
        await actor.command("RELEASE_SEAT", seat_id)
        await watcher.expect("SEAT_UPDATE", seat_id=seat_id, event_type="released")
    if held_after > 1.0:
        raise AssertionError(f"the update took {held_after:.3f}s (limit 1s)")
    return f"the other client saw {seat_id} held after {held_after * 1000:.0f} ms"


async def spread(url: str, stats_url: str) -> str:
    """Open connections through the balancer; /stats must show clients on every edge.

    Each edge rebuilds its /stats at most once a second, so /stats is asked again until
    it shows the connections or TIMEOUT passes.
    """
    probes = [await Probe.open(url) for _ in range(8)]
    deadline = time.monotonic() + TIMEOUT
    try:
        while True:
            stats = orjson.loads(await asyncio.to_thread(_get, stats_url))
            edges = stats.get("edges", {})
            counts = {name: edge.get("clients_connected", 0) for name, edge in edges.items()}
            spread_out = len(counts) >= 2 and all(counts.values())
            if spread_out or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.25)
    finally:
        for probe in probes:
            await probe.connection.close()
    if not spread_out:
        raise AssertionError(f"8 connections were not spread over the edges: {counts}")
    return f"8 connections spread as {counts}"


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
        body: bytes = response.read()
        return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", choices=["flow", "realtime", "spread"])
    parser.add_argument("url")
    parser.add_argument("stats_url", nargs="?", help="for spread: the /stats URL")
    args = parser.parse_args()
    try:
        if args.check == "spread":
            outcome = asyncio.run(spread(args.url, args.stats_url))
        else:
            outcome = asyncio.run({"flow": flow, "realtime": realtime}[args.check](args.url))
    except (AssertionError, OSError, TimeoutError, ValueError) as exc:
        sys.stderr.write(f"{args.check}: {exc or type(exc).__name__}\n")
        sys.exit(1)
    sys.stdout.write(f"{outcome}\n")


if __name__ == "__main__":
    main()
