"""VENUE_STATE size: ``python -m bench.venue_state_bytes --plan arena --taken 5000``.

Starts Redis, NATS, a booking service (with an operator token and a hold cap above
``--taken``) and one edge in a temporary directory, creates an on-sale event on the
shipped plan ``--plan`` through the operator API, and takes ``--taken`` seats spread
over the plan, split ``--mix`` (booked:held:blocked, default 3:1:1): booked and held by
one tokenless user over the REST API, blocked by the operator. Then one client
subscribes in full and one with ``compact: true``, and it prints both ``VENUE_STATE``
frames' sizes in bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path
from typing import Any

import httpx

from shared.plans.loading import shipped_plan
from tests.edge import EdgeClient
from tests.stack import EdgeStack

ADMIN_TOKEN = "bench-operator-token-0123456789abcdef"
CONCURRENCY = 16


async def create_event(http: httpx.AsyncClient, plan: str) -> tuple[str, list[dict[str, Any]]]:
    """A new on-sale event on the shipped plan, priced in every category; its id and seats."""
    operator = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    categories = shipped_plan(plan)[1].categories
    body = {
        "name": f"Bench {plan}",
        "plan": plan,
        "prices": dict.fromkeys(categories, 45.0),
        "currency": "EUR",
        "hold_seconds": 3600,
        "state": "on_sale",
    }
    reply = await http.post("/api/admin/events", json=body, headers=operator)
    reply.raise_for_status()
    event_id: str = reply.json()["id"]
    seats = (await http.get(f"/api/events/{event_id}/seats")).json()
    return event_id, seats


def split(seat_ids: list[str], mix: tuple[int, int, int]) -> tuple[list[str], ...]:
    """``seat_ids`` cut into booked, held and blocked ones in the proportions of ``mix``."""
    total = sum(mix)
    first = len(seat_ids) * mix[0] // total
    second = first + len(seat_ids) * mix[1] // total
    return seat_ids[:first], seat_ids[first:second], seat_ids[second:]


async def take_seats(
    http: httpx.AsyncClient, event_id: str, seat_ids: list[str], mix: tuple[int, int, int]
) -> None:
    """Book, hold and block ``seat_ids`` in the proportions of ``mix``."""
    booked, held, blocked = split(seat_ids, mix)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def command(action: str, seat_id: str) -> None:
        async with gate:
            reply = await http.post(
                f"/api/events/{event_id}/seats/{action}",
                json={"seat_id": seat_id, "user_id": "bench"},
            )
        reply.raise_for_status()

    await asyncio.gather(*(command("select", seat_id) for seat_id in booked + held))
    await asyncio.gather(*(command("book", seat_id) for seat_id in booked))
    if not blocked:
        return
    reply = await http.post(
        f"/api/admin/events/{event_id}/blocks",
        json={"seat_ids": blocked, "blocked": True},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    reply.raise_for_status()


async def measure(
    stack: EdgeStack, plan: str, taken: int, mix: tuple[int, int, int]
) -> tuple[int, int, int, int]:
    """Seats in the plan, seats taken, and the full and compact VENUE_STATE bytes."""
    async with httpx.AsyncClient(base_url=stack.api, timeout=60) as http:
        event_id, seats = await create_event(http, plan)
        step = max(1, len(seats) // taken)
        await take_seats(http, event_id, [seat["id"] for seat in seats[::step][:taken]], mix)
    async with (
        EdgeClient.connect(stack.ws_url(0), max_size=None) as full,
        EdgeClient.connect(stack.ws_url(0)) as compact,
    ):
        await full.subscribe(event_id=event_id)
        await full.expect("VENUE_STATE", within=30)
        await compact.subscribe(event_id=event_id, compact=True)
        state = await compact.expect("VENUE_STATE", within=30)
        listed = sum(len(state.get(key, ())) for key in ("seats", "booked", "blocked"))
        return len(seats), listed, full.frame_bytes[-1], compact.frame_bytes[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", default="arena", help="a shipped plan in venues/")
    parser.add_argument("--taken", type=int, default=5000, help="seats held, booked or blocked")
    parser.add_argument("--mix", default="3:1:1", help="booked:held:blocked proportions")
    args = parser.parse_args()
    booked, held, blocked = (int(part) for part in args.mix.split(":"))
    with tempfile.TemporaryDirectory(prefix="bench-venue-state-") as tmp:
        stack = EdgeStack(
            Path(tmp),
            edge_count=1,
            booking_env={
                "ADMIN_TOKEN": ADMIN_TOKEN,
                "MAX_HOLDS_PER_SESSION": str(args.taken + 1),
                "MAX_BODY_BYTES": str(1 << 20),
            },
        )
        try:
            stack.start()
            total, taken, full_bytes, compact_bytes = asyncio.run(
                measure(stack, args.plan, args.taken, (booked, held, blocked))
            )
        finally:
            stack.stop()
    print(
        f"{args.plan}: {total:,} seats, {taken:,} taken ({args.mix} booked:held:blocked): "
        f"VENUE_STATE full {full_bytes:,} bytes, "
        f"compact {compact_bytes:,} bytes ({full_bytes / compact_bytes:.1f}x smaller)"
    )


if __name__ == "__main__":
    main()
