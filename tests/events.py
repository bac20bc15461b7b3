"""EventCollector: a real NATS subscriber that records every seat event for assertions."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import nats
import orjson
from nats.aio.client import Client
from nats.aio.msg import Msg

from shared.constants import HEARTBEAT_SUBJECT, SUBJECT_ALL

__all__ = ["EventCollector", "Received"]


@dataclass(frozen=True)
class Received:
    """One message as it arrived: subject, decoded payload and local arrival time."""

    subject: str
    payload: dict[str, Any]
    at: float = field(default_factory=time.time)


class EventCollector:
    """Subscribes to ``seats.>`` and lets tests wait for what they expect to see."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._changed = asyncio.Condition()
        self._client: Client | None = None

    async def connect(self, url: str) -> EventCollector:
        self._client = await nats.connect(url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
        await self._client.subscribe(SUBJECT_ALL, cb=self._on_message)
        await self._client.flush()
        return self

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()

    async def _on_message(self, msg: Msg) -> None:
        async with self._changed:
            self.received.append(Received(msg.subject, orjson.loads(msg.data)))
            self._changed.notify_all()

    @property
    def events(self) -> list[dict[str, Any]]:
        """Seat events (heartbeats left out), in arrival order."""
        return [r.payload for r in self.received if r.subject != HEARTBEAT_SUBJECT]

    def of_type(self, event_type: str) -> list[Received]:
        return [r for r in self.received if r.payload.get("event_type") == event_type]

    async def wait_for(
        self, predicate: Callable[[EventCollector], bool], *, timeout: float = 5.0
    ) -> None:
        """Wait until ``predicate(self)`` holds; fail the test on timeout."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: predicate(self)), timeout)
