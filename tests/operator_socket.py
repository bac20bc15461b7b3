"""OperatorSocket: a client of the live operator socket (``/api/admin/live``), as tests use it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

__all__ = ["OperatorSocket", "live_url"]

TIMEOUT = 5.0


def live_url(base_url: str) -> str:
    """The live socket's URL on a service (or NGINX) at ``base_url``."""
    return base_url.replace("http://", "ws://") + "/api/admin/live"


class OperatorSocket:
    """One connection; every frame is recorded (with its arrival time) as it comes."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.frames: list[dict[str, Any]] = []
        self.arrivals: list[float] = []
        self.close_code: int | None = None
        self.closed = False
        self._cursor = 0
        self._changed = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, base_url: str) -> AsyncIterator[OperatorSocket]:
        """Connect to ``base_url``'s live socket, record frames, close on exit."""
        async with connect(live_url(base_url), open_timeout=TIMEOUT) as connection:
            client = cls(connection)
            client._reader = asyncio.create_task(client._read())
            try:
                yield client
            finally:
                await connection.close()
                await asyncio.gather(client._reader, return_exceptions=True)

    async def send(self, message: str | bytes | dict[str, Any]) -> None:
        """Send a frame: a dict as JSON text, anything else exactly as given."""
        await self.connection.send(
            orjson.dumps(message).decode() if isinstance(message, dict) else message
        )

    async def login(self, token: str, *, operator: str = "tester") -> dict[str, Any]:
        """AUTH and the WELCOME frame."""
        await self.send({"type": "AUTH", "token": token, "operator": operator})
        return await self.next("WELCOME")

    async def watch(self, event_id: str) -> dict[str, Any]:
        """WATCH and the first DASHBOARD's data."""
        await self.send({"type": "WATCH", "event_id": event_id})
        frame = await self.next("DASHBOARD")
        data: dict[str, Any] = frame["data"]
        return data

    def arrival_of(self, frame: dict[str, Any]) -> float:
        """When ``frame`` (one this socket received, not an equal one) arrived, monotonic."""
        received = zip(self.arrivals, self.frames, strict=True)
        return next(at for at, each in received if each is frame)

    def skip_received(self) -> None:
        """Pass over every frame received so far: ``next`` looks only at later ones."""
        self._cursor = len(self.frames)

    async def next(
        self,
        kind: str,
        predicate: Callable[[dict[str, Any]], bool] = lambda _: True,
        *,
        within: float = TIMEOUT,
    ) -> dict[str, Any]:
        """The next ``kind`` frame after those returned before that satisfies ``predicate``."""
        found: list[dict[str, Any]] = []

        def arrived() -> bool:
            while self._cursor < len(self.frames):
                frame = self.frames[self._cursor]
                self._cursor += 1
                if frame.get("type") == kind and predicate(frame):
                    found.append(frame)
                    return True
            return self.closed

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(arrived), within)
            except TimeoutError:
                raise AssertionError(f"no {kind} within {within}s: {self.frames[-3:]}") from None
        if not found:
            raise AssertionError(f"closed ({self.close_code}) before {kind}: {self.frames[-3:]}")
        return found[0]

    async def wait_closed(self, *, within: float = TIMEOUT) -> int | None:
        """The close code once the server has closed the connection."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: self.closed), within)
        return self.close_code

    async def _read(self) -> None:
        try:
            async for message in self.connection:
                async with self._changed:
                    self.frames.append(orjson.loads(message))
                    self.arrivals.append(time.monotonic())
                    self._changed.notify_all()
        except ConnectionClosed:
            pass
        finally:
            async with self._changed:
                self.closed = True
                self.close_code = self.connection.close_code
                self._changed.notify_all()
