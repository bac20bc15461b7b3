"""CorkedTransport: a socket transport that sends a write together with the one after it.

uvicorn writes a response's status line and headers as soon as the app starts the
response, and its body when the app sends it: two ``send`` system calls for the
smallest reply. On loopback each such call also runs the receiving side's network
processing, so for small answers they were a good share of the service's CPU. This
transport keeps a write until the next one joins it, and sends both in one piece at
that moment; a write that nothing joins goes out alone at the end of the loop turn.
So a reply's body leaves exactly when it did before, and with it its head: the same
bytes in the same order, one call, and the order in which a client sees a command's
reply and the change it published on NATS stays what it was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

__all__ = ["CorkedTransport"]


class CorkedTransport(asyncio.Transport):
    """A socket transport that sends a write together with the one after it.

    A write is kept until the next write (sent with it, at once) or the end of the loop
    turn (sent alone). Everything else is the wrapped transport's. Closing sends what
    is kept first; an abort drops it, as the socket transport drops its own buffer.
    Flow control is the socket transport's too: a kept write reaches it, and may pause
    the protocol's writing, at most one turn later than without the cork.
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._transport = transport
        self._loop = loop
        self._kept: bytes | bytearray | memoryview | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        kept = self._kept
        if kept is None:
            self._kept = data
            self._loop.call_soon(self._send)
        else:
            self._kept = None
            self._transport.write(b"".join((kept, data)))

    def send(self, data: bytes | bytearray | memoryview) -> None:
        """Send ``data`` at once, in one piece with the write kept, if any."""
        kept, self._kept = self._kept, None
        self._transport.write(data if kept is None else b"".join((kept, data)))

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        self.write(b"".join(list_of_data))

    def _send(self) -> None:
        kept, self._kept = self._kept, None
        if kept is not None and not self._transport.is_closing():
            self._transport.write(kept)

    def close(self) -> None:
        self._send()
        self._transport.close()

    def abort(self) -> None:
        self._kept = None
        self._transport.abort()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._transport.get_protocol()

    def is_reading(self) -> bool:
        return self._transport.is_reading()

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._transport.set_write_buffer_limits(high, low)

    def get_write_buffer_size(self) -> int:
        kept = len(self._kept) if self._kept is not None else 0
        return self._transport.get_write_buffer_size() + kept

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._transport.get_write_buffer_limits()

    def can_write_eof(self) -> bool:
        return self._transport.can_write_eof()

    def write_eof(self) -> None:
        self._send()
        self._transport.write_eof()
