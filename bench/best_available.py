"""Best available under load: ``python -m bench.best_available --buyers 50 --group 4``.

Starts Redis, NATS and one booking service in a temporary directory (``--plan`` a
shipped plan as the default event's, else a ``--rows`` x ``--cols`` grid hall), or
targets the service at ``--url`` (event ``--event``, whose seats should be free). Then
``--buyers`` concurrent buyers each ask for the best ``--group`` seats, again and again
(each group as a new tokenless user, so the hold cap never refuses), until the service
says no seats fit; a buyer told "selling fast" asks again. Prints one JSON object:
seats sold, groups, requests per second, latency percentiles, refusals by sentence,
retries (choices made again within a call, from the Best-Available-Attempts header),
double-sold seats (seats two successful calls both got; must be 0), seats the service
shows held by someone else than the group that got them, and free seats left stranded
on their own in their run, and the CPU seconds the buyers themselves used (they share
the machine with the service).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import uvloop

from bench.stack import booking_stack
from bench.stats import percentile
from booking_service.best_available import SeatChooser
from shared.plans.focal import focal_point
from shared.plans.loading import parse_plan

_SELLING_FAST = "Seats are selling fast; please try again"


@dataclass
class Tally:
    """What the buyers saw: every call's latency, the groups they got, the refusals."""

    latencies: list[float] = field(default_factory=list)
    groups: list[tuple[str, list[str]]] = field(default_factory=list)
    refusals: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    errors: int = 0


async def _post(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, body: bytes
) -> tuple[int, bytes, bytes]:
    """One keep-alive HTTP/1.1 POST: status, lower-cased head and body of the reply.

    A lean client, so that the load generator, not the service, is never what limits
    the figures on a small machine.
    """
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    head = (await reader.readuntil(b"\r\n\r\n")).lower()
    start = head.index(b"content-length:") + len(b"content-length:")
    length = int(head[start : head.index(b"\r\n", start)])
    return int(head[9:12]), head, await reader.readexactly(length)


def _attempts(head: bytes) -> int:
    start = head.index(b"best-available-attempts:") + len(b"best-available-attempts:")
    return int(head[start : head.index(b"\r\n", start)])


async def _buyer(url: str, path: str, name: str, body: dict[str, Any], tally: Tally) -> None:
    """Ask for groups until the service says none fit (or fails)."""
    address = httpx.URL(url)
    reader, writer = await asyncio.open_connection(address.host, address.port)
    try:
        for n in itertools.count():
            user_id = f"{name}-{n}"
            started = time.perf_counter()
            status, head, reply = await _post(
                reader, writer, path, orjson.dumps({**body, "user_id": user_id})
            )
            tally.latencies.append(time.perf_counter() - started)
            if status == 200:
                tally.groups.append((user_id, orjson.loads(reply)["seat_ids"]))
                tally.retries += _attempts(head) - 1
                continue
            if status != 409:
                tally.errors += 1
                return
            sentence = orjson.loads(reply)["error"]
            tally.refusals[sentence] += 1
            if sentence != _SELLING_FAST:
                return
    finally:
        writer.close()


async def _run(url: str, event_id: str, args: argparse.Namespace) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        plan_json = (await http.get(f"/api/events/{event_id}/plan")).content
        plan, layout = parse_plan(plan_json)
        chooser = SeatChooser(layout, focal_point(plan))
        body = {"quantity": args.group, "allow_split": args.split}
        path = f"/api/events/{event_id}/holds/best"
        tally = Tally()
        started, cpu_before = time.perf_counter(), time.process_time()
        await asyncio.gather(
            *(_buyer(url, path, f"buyer{b}", body, tally) for b in range(args.buyers))
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_before
        seats = orjson.loads((await http.get(f"/api/events/{event_id}/seats")).content)
    by_id = {seat["id"]: seat for seat in seats}
    got = Counter(seat_id for _, seat_ids in tally.groups for seat_id in seat_ids)
    misheld = sum(
        1
        for user_id, seat_ids in tally.groups
        for seat_id in seat_ids
        if by_id[seat_id].get("held_by") != user_id
    )
    free = [
        by_id[seat_id]["status"] == 0 and not by_id[seat_id].get("blocked")
        for seat_id in layout.seat_ids
    ]
    latencies = sorted(tally.latencies)
    return {
        "plan": layout.name,
        "seats_total": len(layout),
        "buyers": args.buyers,
        "group": args.group,
        "allow_split": args.split,
        "seats_sold": sum(got.values()),
        "groups": len(tally.groups),
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "load_generator_cpu_s": round(cpu, 3),
        "latency_ms": {
            name: round(percentile(latencies, q) * 1000, 1)
            for name, q in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))
        },
        "refusals": dict(tally.refusals),
        "retries": tally.retries,
        "errors": tally.errors,
        "double_sold": sum(1 for count in got.values() if count > 1),
        "held_by_another": misheld,
        "seats_left": sum(free),
        "orphans_left": len(chooser.stranded(free)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=50, help="concurrent buyers")
    parser.add_argument("--group", type=int, default=4, help="seats per best-available call")
    parser.add_argument("--plan", default="", help="shipped plan of the default event")
    parser.add_argument("--rows", type=int, default=20, help="grid hall rows (no --plan)")
    parser.add_argument("--cols", type=int, default=25, help="grid hall seats per row")
    parser.add_argument("--split", action="store_true", help="allow splitting over rows")
    parser.add_argument("--workers", type=int, default=1, help="booking-service processes")
    parser.add_argument("--url", default="", help="a running booking service to target")
    parser.add_argument("--event", default="main", help="event id (with --url)")
    args = parser.parse_args()

    if args.url:
        result = uvloop.run(_run(args.url, args.event, args))
    else:
        settings = {
            "WORKERS": str(args.workers),
            "DEFAULT_PLAN": args.plan,
            "VENUE_ROWS": str(args.rows),
            "VENUE_COLS": str(args.cols),
            "MAX_HOLDS_PER_SESSION": str(max(6, args.group)),
        }
        with booking_stack(settings) as booking:
            result = uvloop.run(_run(booking.url, "main", args))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
