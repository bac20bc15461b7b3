"""The corked transport: a write goes out with the next one, at once, or alone at the turn's end."""

from __future__ import annotations

import asyncio
from typing import cast

from booking_service.corked_transport import CorkedTransport


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


async def test_corked_transport_sends_a_head_with_its_body_at_once() -> None:
    """A head is kept until the body comes, then both go out in one write, right then."""
    corked, socket = _corked()
    corked.write(b"HTTP/1.1 200 OK\r\n\r\n")
    assert socket.writes == []
    assert corked.get_write_buffer_size() == 19
    corked.write(b"{}")
    assert socket.writes == [b"HTTP/1.1 200 OK\r\n\r\n{}"]
    await asyncio.sleep(0)
    assert socket.writes == [b"HTTP/1.1 200 OK\r\n\r\n{}"]


async def test_corked_transport_sends_a_lone_write_at_the_end_of_the_turn() -> None:
    """A write nothing joins goes out by itself once the turn ends, in order with the rest."""
    corked, socket = _corked()
    corked.write(b"a")
    await asyncio.sleep(0)
    assert socket.writes == [b"a"]
    corked.writelines([b"b", b"c"])
    corked.write(b"d")
    corked.write(b"e")
    await asyncio.sleep(0)
    assert socket.writes == [b"a", b"bcd", b"e"]


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
