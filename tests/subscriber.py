"""ReferenceSubscriber: the simplest subscriber that keeps a venue mirror true by itself.

It applies seat events in version order and fetches the snapshot at ``GET /api/venue``
whenever it can tell that it missed something: an event whose version skips ahead, or
heartbeats that stay ahead of its version for more than one beat (one beat ahead is
normal: the heartbeat may overtake an event still being published). It is the
contract every real subscriber (an edge, a browser) must meet, so tests of the
booking service can check that its events and heartbeats make convergence possible.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import nats
import orjson
from nats.aio.client import Client
from nats.aio.msg import Msg

from shared.constants import HEARTBEAT_SUBJECT, SUBJECT_ALL

__all__ = ["ReferenceSubscriber"]

logger = logging.getLogger(__name__)

Seat = dict[str, Any]


class ReferenceSubscriber:
    """A mirror of one venue fed by NATS, resynchronised from a booking service's snapshot."""

    def __init__(self, snapshot_url: str) -> None:
        self.snapshot_url = snapshot_url
        self.version = -1
        self.resyncs = 0
        self._seats: dict[str, Seat] = {}
        self._beats_behind = 0
        self._lock = asyncio.Lock()
        self._client: Client | None = None
        self._http = httpx.AsyncClient(timeout=2)

    @property
    def seats(self) -> list[Seat]:
        """The mirrored seats, in layout order."""
        return list(self._seats.values())

    async def connect(self, nats_url: str) -> ReferenceSubscriber:
        """Subscribe to ``seats.>``, then load the snapshot it builds on."""
        self._client = await nats.connect(
            nats_url, max_reconnect_attempts=-1, reconnect_time_wait=0.2
        )
        await self._client.subscribe(SUBJECT_ALL, cb=self._on_message)
        await self._client.flush()
        await self.resync()
        return self

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
        await self._http.aclose()

    async def resync(self) -> None:
        """Replace the mirror with the snapshot, unless it is older than what we have."""
        try:
            response = await self._http.get(f"{self.snapshot_url}/api/venue")
            response.raise_for_status()
        except httpx.HTTPError as exc:
            logger.warning("snapshot unavailable, retrying on the next beat: %s", exc)
            return
        snapshot = response.json()
        async with self._lock:
            if snapshot["version"] >= self.version:
                self._seats = {seat["id"]: seat for seat in snapshot["seats"]}
                self.version = snapshot["version"]
                self._beats_behind = 0
                self.resyncs += 1

    async def _on_message(self, msg: Msg) -> None:
        payload = orjson.loads(msg.data)
        if msg.subject == HEARTBEAT_SUBJECT:
            stale = await self._on_heartbeat(payload["version"])
        else:
            stale = await self._on_change(payload)
        if stale:
            await self.resync()

    async def _on_change(self, event: dict[str, Any]) -> bool:
        """Apply the next event in order; whether one was missed before it."""
        async with self._lock:
            version = event["version"]
            if version <= self.version:
                return False
            if version > self.version + 1:
                return True
            self._seats[event["seat_id"]] = event["seat"]
            self.version = version
            return False

    async def _on_heartbeat(self, version: int) -> bool:
        """Count beats that are ahead of us; whether they have been for more than one."""
        async with self._lock:
            self._beats_behind = self._beats_behind + 1 if version > self.version else 0
            return self._beats_behind > 1
