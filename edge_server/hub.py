"""Hub: the connected clients of this edge and the one way to send them a frame.

A broadcast serialises nothing per connection: the caller hands over the finished
frames, the hub builds their WebSocket bytes once (``edge_server.wire``) and writes
them, as one piece, straight to the transport of every open connection, without
waiting. The WebSocket library keeps the handshakes, pings, closes and reading; a
connection whose closing handshake has begun is skipped, as ``websockets.broadcast``
would. There is no backpressure, so the hub watches for clients that stop reading.
Each client socket's kernel send buffer is capped (``send_buffer_bytes``) so that
unread data shows up in the transport rather than in the kernel; a connection whose
transport passes its ``write_limit`` tells the hub (``pause_writing``), and at the next
broadcast any such connection holding more than ``slow_client_bytes`` unsent is closed
with 1013 (try again later) instead of being written to. Other clients never wait.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Collection
from typing import Any, cast

from websockets.asyncio.server import ServerConnection
from websockets.frames import CloseCode
from websockets.protocol import State

from edge_server.stats import Stats
from edge_server.wire import text_frame, text_frames

__all__ = ["Hub"]

logger = logging.getLogger(__name__)


class Hub:
    """Open client connections; ``broadcast`` reaches each of them once, in call order."""

    def __init__(
        self,
        stats: Stats,
        *,
        slow_client_bytes: int,
        close_timeout: float,
        send_buffer_bytes: int = 0,
    ) -> None:
        self._stats = stats
        self._slow_client_bytes = slow_client_bytes
        self._send_buffer_bytes = send_buffer_bytes
        self._close_timeout = close_timeout
        self._clients: set[ServerConnection] = set()
        self._backlogged: set[ServerConnection] = set()
        # Slow clients being closed: left out of every broadcast until they are gone.
        self._dropped: set[ServerConnection] = set()
        self._closing: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._clients)

    def connection_type(self) -> type[ServerConnection]:
        """A ServerConnection that reports to this hub when its write buffer fills up."""
        hub = self

        class HubConnection(ServerConnection):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                # The library only appends to, iterates and removes from its drain
                # waiters, which a list does as well as the deque it starts with, for
                # 56 bytes instead of 760 on each idle connection.
                self.drain_waiters = cast(Any, [])

            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                super().connection_made(transport)
                if hub._send_buffer_bytes:
                    sock = transport.get_extra_info("socket")
                    if sock is not None:
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, hub._send_buffer_bytes)

            def pause_writing(self) -> None:
                super().pause_writing()
                hub._backlogged.add(self)

        return HubConnection

    def add(self, connection: ServerConnection) -> None:
        """Include the connection in every broadcast from now on."""
        self._clients.add(connection)

    def remove(self, connection: ServerConnection) -> None:
        """Stop broadcasting to the connection. Idempotent."""
        self._clients.discard(connection)
        self._backlogged.discard(connection)

    def broadcast(self, frame: bytes, *groups: Collection[ServerConnection]) -> None:
        """Send ``frame`` (UTF-8 JSON) as a text frame, without waiting, to every client in
        ``groups`` (connections of this hub), or to every client when none is given."""
        self._write(text_frame(frame), groups)

    def broadcast_frames(self, frames: list[bytes], *groups: Collection[ServerConnection]) -> None:
        """Send ``frames`` (UTF-8 JSON each) as text frames, in order, in one write per
        client, like ``broadcast``."""
        self._write(text_frames(frames), groups)

    def broadcast_to_none(self) -> None:
        """Count a broadcast that had no recipient (``/stats`` counts every tick)."""
        self._stats.broadcast_sent(0)

    def _write(self, data: bytes, groups: tuple[Collection[ServerConnection], ...]) -> None:
        if self._backlogged:
            self._drop_slow_clients()
        dropped = self._dropped
        recipients = skipped = 0
        for group in groups or (self._clients,):
            for connection in group:
                if connection.protocol.state is State.OPEN and connection not in dropped:
                    connection.transport.write(data)
                    recipients += 1
                else:
                    skipped += 1
        self._stats.broadcast_sent(recipients, skipped)

    async def close(self) -> None:
        """Wait for the slow clients being closed to be gone."""
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    def _drop_slow_clients(self) -> None:
        for connection in list(self._backlogged):
            if not connection.paused:
                self._backlogged.discard(connection)
                continue
            buffered = connection.transport.get_write_buffer_size()
            if buffered <= self._slow_client_bytes:
                continue
            logger.info(
                "dropping slow client",
                extra={"remote": str(connection.remote_address), "buffered": buffered},
            )
            self.remove(connection)
            self._dropped.add(connection)
            self._stats.slow_clients_dropped += 1
            task = asyncio.create_task(self._close_slow(connection))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def _close_slow(self, connection: ServerConnection) -> None:
        """Close with 1013; a client that does not even read the close frame is cut off."""
        try:
            async with asyncio.timeout(self._close_timeout):
                await connection.close(CloseCode.TRY_AGAIN_LATER, "client too slow")
        except TimeoutError:
            connection.transport.abort()
        finally:
            self._dropped.discard(connection)
