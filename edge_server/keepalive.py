"""Keepalive: one task pings every open connection of the edge, in place of one
keepalive task per connection (the WebSocket library's), which costs about 1.5 KB per
idle viewer.

The promise is the library's: each connection is pinged every ``interval`` seconds,
the first time ``interval`` after it was added, and one whose pong has not come back
``timeout`` after its ping fails with 1011 "keepalive ping timeout". Connections are
spread over ``SLOTS`` slots by the time they were added, and one slot is visited per
``interval / SLOTS``, so pings go out in small steps rather than all at once, and a
timeout is noticed at most one step late. Pings are written without waiting for the
client to read (like the hub's broadcasts): a client that stops reading is the hub's
to drop, and one that stops answering is this module's.
"""

from __future__ import annotations

import asyncio
import logging
import random
import struct
from collections import deque

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode
from websockets.protocol import State

__all__ = ["SLOTS", "Keepalive"]

logger = logging.getLogger(__name__)

SLOTS = 20


class Keepalive:
    """Pings the connections it is given; ``run`` until cancelled."""

    def __init__(self, *, interval: float, timeout: float) -> None:
        self._interval = interval
        self._timeout = timeout
        self._slots: list[set[ServerConnection]] = [set() for _ in range(SLOTS)]
        self._slot_of: dict[ServerConnection, int] = {}
        self._current = 0
        self._failing: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._slot_of)

    def add(self, connection: ServerConnection) -> None:
        """Ping the connection from now on, first ``interval`` from now."""
        # The slot visited last: its next visit is one interval away.
        slot = self._current
        self._slots[slot].add(connection)
        self._slot_of[connection] = slot

    def discard(self, connection: ServerConnection) -> None:
        """Stop pinging the connection. Idempotent."""
        slot = self._slot_of.pop(connection, None)
        if slot is not None:
            self._slots[slot].discard(connection)

    async def run(self) -> None:
        """Visit one slot per step: fail the connections whose ping has timed out, ping
        the others. Runs until cancelled; then waits for the connections it is failing."""
        loop = asyncio.get_running_loop()
        step = self._interval / SLOTS
        # (deadline, slot): when the pings sent to a slot have timed out.
        checks: deque[tuple[float, int]] = deque()
        next_step = loop.time() + step
        try:
            while True:
                await asyncio.sleep(max(0.0, next_step - loop.time()))
                next_step += step
                now = loop.time()
                while checks and checks[0][0] <= now:
                    self._expire(self._slots[checks.popleft()[1]], now)
                self._current = (self._current + 1) % SLOTS
                self._ping(self._slots[self._current], now)
                checks.append((now + self._timeout, self._current))
        finally:
            for task in self._failing:
                task.cancel()
            await asyncio.gather(*self._failing, return_exceptions=True)

    def _ping(self, connections: set[ServerConnection], now: float) -> None:
        """Ping each open connection that has no ping awaiting its pong."""
        for connection in list(connections):
            if connection.protocol.state is not State.OPEN:
                continue
            if connection.pending_pings:
                self._expire_one(connection, now)
                continue
            send_ping(connection, now)

    def _expire(self, connections: set[ServerConnection], now: float) -> None:
        for connection in list(connections):
            self._expire_one(connection, now)

    def _expire_one(self, connection: ServerConnection, now: float) -> None:
        """Fail the connection if its oldest ping has waited ``timeout`` for a pong."""
        if connection.protocol.state is not State.OPEN or not connection.pending_pings:
            return
        _, sent = next(iter(connection.pending_pings.values()))
        if now - sent < self._timeout:
            return
        self.discard(connection)
        logger.info("keepalive ping timeout", extra={"remote": str(connection.remote_address)})
        task = asyncio.create_task(_fail(connection))
        self._failing.add(task)
        task.add_done_callback(self._failing.discard)


def send_ping(connection: ServerConnection, now: float) -> None:
    """Write a ping to an open connection, without waiting, and register it the way
    ``ServerConnection.ping`` does, so that its pong is matched by the library."""
    data = struct.pack("!I", random.getrandbits(32))
    connection.pending_pings[data] = (connection.loop.create_future(), now)
    connection.protocol.send_ping(data)
    connection.send_data()


async def _fail(connection: ServerConnection) -> None:
    """Close with 1011 as the library's keepalive does: the close frame, then the TCP
    connection, cut off after the close timeout."""
    try:
        async with connection.send_context():
            connection.protocol.fail(CloseCode.INTERNAL_ERROR, "keepalive ping timeout")
    except ConnectionClosed:
        # send_context() raises it once the connection is closed: the expected end.
        logger.debug(
            "keepalive closed a connection", extra={"remote": str(connection.remote_address)}
        )
