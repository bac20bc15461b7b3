"""Fan-out receivers for the edge benchmark: many WebSocket clients in one process.

Each client is a real WebSocket connection driven by websockets' sans-I/O
``ClientProtocol`` inside a plain asyncio protocol, so a process can hold thousands
of them without a task per connection. Clients SUBSCRIBE (with a shared session
token, as reconnecting browsers would; with ``batch``, asking for ``SEAT_UPDATES``
frames, each element of which counts as its own update) and note, per update version, when
the last of them received it and how many did; each client also checks that the
versions it sees follow one another (a ``VENUE_STATE`` restarts the count).

``run_worker`` is the body of a child process: it connects, reports ready, then on
request sends its measurements and exits.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from collections import defaultdict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import cast

import orjson
import uvloop
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

__all__ = ["Tally", "cpu_seconds", "run_worker"]

logger = logging.getLogger(__name__)

CONNECT_CONCURRENCY = 200
_UPDATE = b'{"type":"SEAT_UPDATE"'
_UPDATES = b'{"type":"SEAT_UPDATES"'
_STATE = b'{"type":"VENUE_STATE"'


@dataclass
class Tally:
    """What one process's clients saw: per version, the last arrival and how many got it."""

    clients: int = 0
    last_arrival_ns: dict[int, int] = field(default_factory=dict)
    received: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    out_of_order: int = 0
    closed: int = 0

    def note(self, version: int, at_ns: int) -> None:
        if at_ns > self.last_arrival_ns.get(version, 0):
            self.last_arrival_ns[version] = at_ns
        self.received[version] += 1


class BenchClient(asyncio.Protocol):
    """One WebSocket connection that records SEAT_UPDATE arrivals into a shared Tally."""

    def __init__(self, uri: str, subscribe: bytes, tally: Tally) -> None:
        self._protocol = ClientProtocol(parse_uri(uri), max_size=None)
        self._subscribe = subscribe
        self._tally = tally
        self._transport: asyncio.Transport | None = None
        self._version: int | None = None
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport, but behave as one.
        self._transport = cast(asyncio.Transport, transport)
        self._protocol.send_request(self._protocol.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        now = time.monotonic_ns()
        self._protocol.receive_data(data)
        for event in self._protocol.events_received():
            if isinstance(event, Frame):
                if event.opcode is Opcode.TEXT:
                    self._on_text(bytes(event.data), now)
            elif isinstance(event, Response):
                self._on_handshake(event)
        self._flush()

    def connection_lost(self, exc: Exception | None) -> None:
        self._tally.closed += 1
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"connection lost: {exc}"))

    def _on_handshake(self, response: Response) -> None:
        if response.status_code != 101:
            self.opened.set_exception(ConnectionError(f"handshake: {response.status_code}"))
            return
        self._protocol.send_text(self._subscribe)

    def _on_text(self, data: bytes, now: int) -> None:
        if data.startswith(_UPDATE):
            self._on_update(orjson.loads(data)["data"]["version"], now)
        elif data.startswith(_UPDATES):
            for update in orjson.loads(data)["data"]["updates"]:
                self._on_update(update["version"], now)
        elif data.startswith(_STATE):
            self._version = orjson.loads(data)["data"]["version"]
            if not self.opened.done():
                self.opened.set_result(None)

    def _on_update(self, version: int, now: int) -> None:
        if self._version is not None and version != self._version + 1:
            self._tally.out_of_order += 1
        self._version = version
        self._tally.note(version, now)

    def _flush(self) -> None:
        assert self._transport is not None
        for chunk in self._protocol.data_to_send():
            if chunk:
                self._transport.write(chunk)
            elif self._transport.can_write_eof():
                self._transport.write_eof()


async def _open_all(
    urls: list[str], count: int, token: str, tally: Tally, *, batch: bool
) -> list[asyncio.Transport]:
    """``count`` subscribed clients spread round-robin over ``urls``."""
    loop = asyncio.get_running_loop()
    data: dict[str, object] = {"session_token": token}
    if batch:
        data["batch"] = True
    subscribe = orjson.dumps({"type": "SUBSCRIBE", "data": data})
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    transports: list[asyncio.Transport] = []

    async def open_one(index: int) -> None:
        uri = urls[index % len(urls)]
        wsuri = parse_uri(uri)
        async with gate:
            client = BenchClient(uri, subscribe, tally)
            transport, _ = await loop.create_connection(lambda: client, wsuri.host, wsuri.port)
            await asyncio.wait_for(client.opened, 30)
            transports.append(transport)

    await asyncio.gather(*(open_one(index) for index in range(count)))
    tally.clients = len(transports)
    return transports


def cpu_seconds() -> float:
    """User plus system CPU time this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _serve(pipe: Connection, urls: list[str], count: int, token: str, batch: bool) -> None:
    tally = Tally()
    transports = await _open_all(urls, count, token, tally, batch=batch)
    pipe.send(("ready", len(transports)))
    cpu_at_ready = cpu_seconds()
    loop = asyncio.get_running_loop()
    request = asyncio.Event()
    loop.add_reader(pipe.fileno(), request.set)
    await request.wait()
    loop.remove_reader(pipe.fileno())
    pipe.recv()
    pipe.send(
        (
            "tally",
            {
                "clients": tally.clients,
                "last_arrival_ns": tally.last_arrival_ns,
                "received": dict(tally.received),
                "out_of_order": tally.out_of_order,
                "closed": tally.closed,
                "cpu_s": cpu_seconds() - cpu_at_ready,
            },
        )
    )
    for transport in transports:
        transport.abort()


def run_worker(pipe: Connection, urls: list[str], count: int, token: str, batch: bool) -> None:
    """Child process body: connect ``count`` clients (asking for ``SEAT_UPDATES`` if
    ``batch``), report ready, report the tally (and the CPU used since ready) on request."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        uvloop.run(_serve(pipe, urls, count, token, batch))
    except Exception as exc:
        pipe.send(("error", repr(exc)))
        raise
