"""A lean HTTP/1.1 keep-alive load generator: select → release cycles on distinct seats.

Each client owns one connection and one seat and runs its cycle as fast as the server
answers; the work runs in several processes so the generator is not the bottleneck.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from dataclasses import dataclass, field

import orjson
import uvloop

__all__ = ["LoadResult", "run_load"]


@dataclass
class LoadResult:
    """What the clients measured after the warm-up: operations, failures, latencies, and
    the CPU seconds the generator's own processes spent over the whole run."""

    operations: int = 0
    failures: int = 0
    latencies: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0

    def merge(self, other: LoadResult) -> None:
        self.operations += other.operations
        self.failures += other.failures
        self.latencies.extend(other.latencies)
        self.cpu_seconds += other.cpu_seconds


def _request(host: str, port: int, path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _read_status(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lower = head.lower()
    start = lower.index(b"content-length:") + len(b"content-length:")
    length = int(lower[start : lower.index(b"\r\n", start)])
    await reader.readexactly(length)
    return int(head[9:12])


async def _client(
    host: str, port: int, seat_id: str, measure_from: float, until: float, result: LoadResult
) -> None:
    body = orjson.dumps({"seat_id": seat_id, "user_id": f"bench-{seat_id}"})
    cycle = [
        _request(host, port, "/api/seats/select", body),
        _request(host, port, "/api/seats/release", body),
    ]
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < until:
            for request in cycle:
                started = time.perf_counter()
                writer.write(request)
                status = await _read_status(reader)
                if started >= measure_from:
                    result.operations += 1
                    result.latencies.append(time.perf_counter() - started)
                    if status != 200:
                        result.failures += 1
    finally:
        writer.close()


async def _process_main(
    host: str, port: int, seat_ids: list[str], warmup: float, duration: float
) -> LoadResult:
    result = LoadResult()
    start = time.perf_counter()
    clients = [
        _client(host, port, seat_id, start + warmup, start + warmup + duration, result)
        for seat_id in seat_ids
    ]
    await asyncio.gather(*clients)
    return result


def _worker(
    host: str,
    port: int,
    seat_ids: list[str],
    warmup: float,
    duration: float,
    queue: multiprocessing.Queue[LoadResult],
) -> None:
    cpu_before = time.process_time()
    result = uvloop.run(_process_main(host, port, seat_ids, warmup, duration))
    result.cpu_seconds = time.process_time() - cpu_before
    queue.put(result)


def run_load(
    host: str,
    port: int,
    seat_ids: list[str],
    *,
    processes: int,
    warmup: float,
    duration: float,
) -> LoadResult:
    """Run one client per seat, spread over ``processes``; returns the merged result."""
    queue: multiprocessing.Queue[LoadResult] = multiprocessing.Queue()
    shares = [seat_ids[i::processes] for i in range(processes)]
    workers = [
        multiprocessing.Process(target=_worker, args=(host, port, share, warmup, duration, queue))
        for share in shares
        if share
    ]
    for worker in workers:
        worker.start()
    total = LoadResult()
    for _ in workers:
        total.merge(queue.get())
    for worker in workers:
        worker.join()
    return total
