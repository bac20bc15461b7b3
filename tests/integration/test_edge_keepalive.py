"""Keepalive: every connection is pinged each interval; one that does not answer is closed."""

from __future__ import annotations

import asyncio
import base64
import itertools
import os
import struct
from collections.abc import Iterator

import pytest

from tests.stack import EdgeStack

INTERVAL = 0.4
TIMEOUT = 0.6
PING, PONG, CLOSE = 0x9, 0xA, 0x8


@pytest.fixture(scope="module")
def keepalive_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EdgeStack]:
    """One edge that pings every 0.4 s and gives up on a pong after 0.6 s."""
    stack = EdgeStack(
        tmp_path_factory.mktemp("edge-keepalive"),
        edge_count=1,
        edge_env={"PING_INTERVAL": str(INTERVAL), "PING_TIMEOUT": str(TIMEOUT)},
    )
    try:
        yield stack.start()
    finally:
        stack.stop()


class RawClient:
    """A WebSocket client on bare streams, so that it can choose not to answer pings."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int) -> RawClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        return cls(reader, writer)

    async def frame(self) -> tuple[int, bytes]:
        """The next frame from the server (unmasked, unfragmented): opcode and payload."""
        first, second = await self.reader.readexactly(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", await self.reader.readexactly(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
        return first & 0x0F, await self.reader.readexactly(length)

    def pong(self, payload: bytes) -> None:
        """Answer a ping (masked with a zero key, so the payload stays as it is)."""
        self.writer.write(bytes([0x80 | PONG, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)

    def close(self) -> None:
        self.writer.close()


async def test_answering_client_is_pinged_every_interval_and_kept(
    keepalive_stack: EdgeStack,
) -> None:
    """A client that answers each ping gets one per interval and stays connected."""
    client = await RawClient.connect(keepalive_stack.edges[0].port)
    try:
        loop = asyncio.get_running_loop()
        pings: list[float] = []
        start = loop.time()
        async with asyncio.timeout(INTERVAL * 6):
            while len(pings) < 4:
                opcode, payload = await client.frame()
                assert opcode != CLOSE, payload
                if opcode == PING:
                    pings.append(loop.time())
                    client.pong(payload)
        assert pings[0] - start >= INTERVAL * 0.8
        gaps = [later - earlier for earlier, later in itertools.pairwise(pings)]
        assert all(INTERVAL * 0.7 <= gap <= INTERVAL * 1.5 for gap in gaps), gaps
    finally:
        client.close()


async def test_silent_client_is_closed_with_1011_after_the_timeout(
    keepalive_stack: EdgeStack,
) -> None:
    """A client that leaves a ping unanswered is closed with 1011 about TIMEOUT later."""
    client = await RawClient.connect(keepalive_stack.edges[0].port)
    try:
        loop = asyncio.get_running_loop()
        pinged: float | None = None
        async with asyncio.timeout(INTERVAL + TIMEOUT * 3):
            while True:
                opcode, payload = await client.frame()
                if opcode == PING and pinged is None:
                    pinged = loop.time()
                if opcode == CLOSE:
                    break
        assert pinged is not None
        waited = loop.time() - pinged
        assert TIMEOUT * 0.9 <= waited <= TIMEOUT + INTERVAL, waited
        (code,) = struct.unpack("!H", payload[:2])
        assert (code, payload[2:]) == (1011, b"keepalive ping timeout")
    finally:
        client.close()
