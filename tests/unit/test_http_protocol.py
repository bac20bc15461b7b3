"""The corked transport: what one loop turn writes reaches the socket as one write, in order."""

from __future__ import annotations

import asyncio
from typing import cast

from booking_service.http_protocol import CorkedTransport


class FakeTransport:
    """Records what reaches the socket; closing and aborting as asyncio transports do."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closing = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        assert not self.closing, "write after close"
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.closing = True
        self.aborted = True

    def get_write_buffer_size(self) -> int:
        return 0


def _corked() -> tuple[CorkedTransport, FakeTransport]:
    socket = FakeTransport()
    corked = CorkedTransport(cast(asyncio.Transport, socket), asyncio.get_running_loop())
    return corked, socket


async def test_corked_transport_sends_one_turns_writes_as_one_write() -> None:
    """A head and a body written in one turn go out together, in order, after that turn."""
    corked, socket = _corked()
    corked.write(b"HTTP/1.1 200 OK\r\n\r\n")
    corked.write(b"{}")
    assert socket.writes == []
    assert corked.get_write_buffer_size() == 21
    await asyncio.sleep(0)
    assert socket.writes == [b"HTTP/1.1 200 OK\r\n\r\n{}"]


async def test_corked_transport_writes_of_later_turns_go_out_later() -> None:
    """Each turn's writes form their own write; nothing is held past the turn after it."""
    corked, socket = _corked()
    corked.write(b"a")
    await asyncio.sleep(0)
    corked.writelines([b"b", b"c"])
    await asyncio.sleep(0)
    assert socket.writes == [b"a", b"bc"]


async def test_corked_transport_close_sends_what_it_kept_first() -> None:
    """Closing sends the kept bytes before the socket closes; nothing is written after."""
    corked, socket = _corked()
    corked.write(b"bye")
    corked.close()
    assert socket.writes == [b"bye"]
    assert socket.closing
    await asyncio.sleep(0)
    assert socket.writes == [b"bye"]


async def test_corked_transport_abort_drops_what_it_kept() -> None:
    """An abort drops the kept bytes, as the socket transport drops its own buffer."""
    corked, socket = _corked()
    corked.write(b"lost")
    corked.abort()
    await asyncio.sleep(0)
    assert socket.writes == []
    assert socket.aborted
