"""EdgeClient: a WebSocket client of an edge server for tests, built on ``websockets``.

The client records every frame it receives and keeps a seat map the way a browser
would: ``VENUE_STATE`` replaces it, ``SEAT_UPDATE`` changes one seat. It also notes
every ``SEAT_UPDATE`` whose version does not follow the one before (``anomalies``), so
tests can assert that updates arrived complete and in order.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.contract import frame_violation

__all__ = ["EdgeClient"]

DEFAULT_TIMEOUT = 5.0


class EdgeClient:
    """One connection to ``/ws``; use ``async with EdgeClient.connect(url) as client``."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.frames: list[dict[str, Any]] = []
        # The size in bytes of each frame, as received.
        self.frame_bytes: list[int] = []
        self.seats: dict[str, dict[str, Any]] = {}
        self.version: int | None = None
        self.anomalies: list[tuple[int | None, int]] = []
        self.close_code: int | None = None
        self.closed = False
        self.session_token: str | None = None
        self.user_id: str | None = None
        self._cursors: dict[str, int] = {}
        self.violations: list[str] = []
        self._changed = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, url: str, **options: Any) -> AsyncIterator[EdgeClient]:
        """Connect, start recording frames, and close on exit."""
        options.setdefault("compression", None)
        options.setdefault("open_timeout", DEFAULT_TIMEOUT)
        async with connect(url, **options) as connection:
            client = cls(connection)
            client._reader = asyncio.create_task(client._read())
            try:
                yield client
            finally:
                await connection.close()
                await asyncio.gather(client._reader, return_exceptions=True)
            assert not client.violations, client.violations

    async def send(self, kind: str, data: dict[str, Any] | None = None) -> None:
        """Send a ``{"type": kind, "data": data}`` frame."""
        await self.connection.send(orjson.dumps({"type": kind, "data": data or {}}).decode())

    async def send_raw(self, message: str | bytes) -> None:
        """Send a frame exactly as given."""
        await self.connection.send(message)

    async def expect(self, kind: str, *, within: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
        """The ``data`` of the next ``kind`` frame not returned by ``expect`` before."""
        found: dict[str, Any] = {}

        def arrived() -> bool:
            start = self._cursors.get(kind, 0)
            for index in range(start, len(self.frames)):
                if self.frames[index].get("type") == kind:
                    self._cursors[kind] = index + 1
                    found.update(self.frames[index])
                    return True
            self._cursors[kind] = len(self.frames)
            if self.closed:
                raise AssertionError(f"connection closed ({self.close_code}) before {kind}")
            return False

        await self.wait_for(arrived, within=within, what=kind)
        data: dict[str, Any] = found["data"]
        return data

    async def wait_for(
        self, predicate: Callable[[], bool], *, within: float = DEFAULT_TIMEOUT, what: str = ""
    ) -> None:
        """Wait until ``predicate()`` holds; fail with ``what`` on timeout."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(predicate), within)
            except TimeoutError:
                raise AssertionError(f"timed out after {within}s waiting for {what}") from None

    async def wait_closed(self, *, within: float = DEFAULT_TIMEOUT) -> int | None:
        """Wait until the server closes the connection; its close code."""
        await self.wait_for(lambda: self.closed, within=within, what="close")
        return self.close_code

    async def subscribe(self, **data: Any) -> dict[str, Any]:
        """SUBSCRIBE and wait for the ``SUBSCRIBE_ACK``'s data (then ``VENUE_STATE`` arrives)."""
        await self.send("SUBSCRIBE", data)
        return await self.expect("SUBSCRIBE_ACK")

    async def command(self, kind: str, seat_id: str, **data: Any) -> dict[str, Any]:
        """A seat command and the data of its ``…_RESPONSE``."""
        await self.send(kind, {"seat_id": seat_id, **data})
        return await self.expect(f"{kind}_RESPONSE")

    def last_frame_bytes(self, kind: str) -> int:
        """The size in bytes of the last frame of type ``kind`` received so far."""
        for frame, size in zip(reversed(self.frames), reversed(self.frame_bytes), strict=True):
            if frame.get("type") == kind:
                return size
        raise AssertionError(f"no {kind} frame received")

    def statuses(self) -> dict[str, int]:
        """Seat id → status as this client sees the venue."""
        return {seat_id: seat["status"] for seat_id, seat in self.seats.items()}

    async def _read(self) -> None:
        try:
            async for message in self.connection:
                frame = orjson.loads(message)
                violation = frame_violation(frame)
                if violation:
                    self.violations.append(violation)
                async with self._changed:
                    self.frames.append(frame)
                    raw = message.encode() if isinstance(message, str) else message
                    self.frame_bytes.append(len(raw))
                    self._apply(frame)
                    self._changed.notify_all()
        except ConnectionClosed:
            pass
        finally:
            async with self._changed:
                self.closed = True
                self.close_code = self.connection.close_code
                self._changed.notify_all()

    def _apply(self, frame: dict[str, Any]) -> None:
        data = frame.get("data") or {}
        if frame.get("type") == "SUBSCRIBE_ACK" and data.get("success"):
            self.session_token = data["data"].get("session_token")
            self.user_id = data["data"].get("user_id")
        elif frame.get("type") == "VENUE_STATE":
            self.seats = {seat["id"]: seat for seat in data["seats"]}
            self.version = data["version"]
        elif frame.get("type") == "SEAT_UPDATE":
            self._update(data)
        elif frame.get("type") == "SEAT_UPDATES":
            for update in data["updates"]:
                self._update(update)

    def _update(self, data: dict[str, Any]) -> None:
        """Apply one seat change, noting any version that does not follow the last."""
        version = data["version"]
        if self.version is not None and version != self.version + 1:
            self.anomalies.append((self.version, version))
        self.seats[data["seat_id"]] = data["seat"]
        self.version = version
