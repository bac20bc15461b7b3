"""Booking-service throughput: ``python -m bench.booking --clients 64 --workers 1``.

Starts Redis, NATS and one booking service (``--workers`` uvicorn processes) in a
temporary directory, runs ``--clients`` concurrent select → release cycles on distinct
seats for ``--duration`` seconds (events are published to NATS as usual), and prints
operations per second (each select and each release is one operation), latency, and the
CPU time the load generator itself used (on a small machine it shares the cores).
"""

from __future__ import annotations

import argparse
import math

from bench.http_load import run_load
from bench.stack import booking_stack
from bench.stats import summary
from shared.plans.grid import grid_plan
from shared.plans.layout import SeatLayout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--workers", type=int, default=1, help="booking-service processes")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--load-processes", type=int, default=2)
    args = parser.parse_args()

    cols = 10
    rows = max(10, math.ceil(args.clients / cols))
    layout = SeatLayout.from_plan(grid_plan(rows, cols))
    settings = {"WORKERS": str(args.workers), "VENUE_ROWS": str(rows), "VENUE_COLS": str(cols)}
    with booking_stack(settings) as booking:
        result = run_load(
            "127.0.0.1",
            booking.port,
            list(layout.seat_ids[: args.clients]),
            processes=args.load_processes,
            warmup=args.warmup,
            duration=args.duration,
        )
    rate = result.operations / args.duration
    print(
        f"booking service, {args.workers} worker(s), {args.clients} clients, "
        f"{args.duration:.0f} s: {rate:,.0f} operations/s  {summary(result.latencies)}  "
        f"failures {result.failures}  load generator CPU {result.cpu_seconds:.1f} s "
        f"over {args.warmup + args.duration:.0f} s"
    )


if __name__ == "__main__":
    main()
