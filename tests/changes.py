"""ChangeCollector: a real NATS subscriber that records every seat change for assertions."""

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
from tests.contract import event_violation

__all__ = ["ChangeCollector", "Received"]


def _is_heartbeat(subject: str) -> bool:
    return subject == HEARTBEAT_SUBJECT or subject.endswith(".heartbeat")


@dataclass(frozen=True)
class Received:
    """One message as it arrived: subject, decoded payload and local arrival time."""

    subject: str
    payload: dict[str, Any]
    at: float = field(default_factory=time.time)


class ChangeCollector:
    """Subscribes to ``seats.>`` (or other subjects) and lets tests wait for what they expect."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.violations: list[str] = []
        self._changed = asyncio.Condition()
        self._client: Client | None = None

    async def connect(
        self, url: str, subjects: tuple[str, ...] = (SUBJECT_ALL,)
    ) -> ChangeCollector:
        """Subscribe to ``subjects`` (the default event's ``seats.>`` unless told)."""
        self._client = await nats.connect(url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
        for subject in subjects:
            await self._client.subscribe(subject, cb=self._on_message)
        await self._client.flush()
        return self

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()

    async def _on_message(self, msg: Msg) -> None:
        payload = orjson.loads(msg.data)
        violation = event_violation(msg.subject, payload)
        if violation:
            self.violations.append(violation)
        async with self._changed:
            self.received.append(Received(msg.subject, payload))
            self._changed.notify_all()

    @property
    def changes(self) -> list[dict[str, Any]]:
        """Seat changes (heartbeats left out), in arrival order."""
        return [r.payload for r in self.received if not _is_heartbeat(r.subject)]

    def of_type(self, event_type: str, seat_id: str | None = None) -> list[Received]:
        """Messages of one change type (``heartbeat`` included), optionally of one seat."""
        return [
            r
            for r in self.received
            if r.payload.get("event_type") == event_type
            and (seat_id is None or r.payload.get("seat_id") == seat_id)
        ]

    @property
    def heartbeats(self) -> list[Received]:
        """Heartbeats, in arrival order."""
        return [r for r in self.received if _is_heartbeat(r.subject)]

    def has_versions(self, first: int, last: int) -> bool:
        """Whether a seat change of every version from ``first`` to ``last`` has arrived."""
        seen = {change["version"] for change in self.changes}
        return seen.issuperset(range(first, last + 1))

    async def wait_for_versions(self, first: int, last: int, *, within: float = 5.0) -> None:
        """Wait for a seat change of every version ``first``…``last``: all of them published."""
        await self.wait_for(lambda c: c.has_versions(first, last), within=within)

    async def wait_for_beat_after(self, since: float, *, interval: float = 0.5) -> None:
        """Wait for a heartbeat that arrived more than ``interval`` after ``since``.

        Every booking process beats every ``interval`` seconds on the connection it
        publishes changes on, so by then whatever any of them published before ``since``
        has arrived: a later count of changes is final.
        """
        await self.wait_for(
            lambda c: any(beat.at > since + interval for beat in c.heartbeats),
            within=interval + 3.0,
        )

    async def wait_for(
        self, predicate: Callable[[ChangeCollector], bool], *, within: float = 5.0
    ) -> None:
        """Wait until ``predicate(self)`` holds; fail the test after ``within`` seconds."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: predicate(self)), within)
