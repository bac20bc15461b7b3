"""VenueMirror: the venue as this edge knows it, one version at a time.

The mirror is pure state (no I/O, time passed in) so its ordering rules can be tested
on their own. It promises:

- Events are applied, and their frames handed out for broadcast, strictly in version
  order and each version once. An event that arrives early waits in a small reorder
  buffer; one that is older than the mirror is dropped.
- It asks for a fresh snapshot (``resync_due``) when it has been behind for longer
  than ``gap_timeout`` (a gap in the versions, or a heartbeat naming a version it has
  not seen), when heartbeats stay behind it for ``reset_timeout`` (the venue's version
  went backwards: the store was reset), after heartbeats fell silent, or on request
  (a NATS reconnect).
- A snapshot that differs from the mirror (seats or version) yields one fresh
  ``VENUE_STATE`` frame, followed by the buffered events newer than it. A snapshot
  older than the mirror is ignored (events overtook the fetch) unless heartbeats have
  been saying for a while that the venue went backwards; then it replaces the mirror.
- ``venue_state()`` is serialised once per version, however many clients ask.
"""

from __future__ import annotations

import logging
from typing import Any

from edge_server.protocol import encode
from shared.messages import MessageType

__all__ = ["VenueMirror", "seat_update_frame"]

logger = logging.getLogger(__name__)

_LAYOUT_KEYS = ("venue_id", "rows", "cols", "hold_seconds")
_SEAT_UPDATE_PREFIX = b'{"type":"' + MessageType.SEAT_UPDATE.encode() + b'","data":'


def seat_update_frame(event_json: bytes) -> bytes:
    """The ``SEAT_UPDATE`` frame of an event, embedding its JSON as published (no re-encoding)."""
    return _SEAT_UPDATE_PREFIX + event_json + b"}"


class VenueMirror:
    """Seats by id at ``version``, plus what is needed to keep that version true."""

    def __init__(
        self,
        *,
        gap_timeout: float = 0.2,
        reset_timeout: float = 1.0,
        heartbeat_silence: float = 1.5,
        max_pending: int = 4096,
    ) -> None:
        self._gap_timeout = gap_timeout
        self._reset_timeout = reset_timeout
        self._heartbeat_silence = heartbeat_silence
        self._max_pending = max_pending
        self._version: int | None = None
        self._seats: dict[str, Any] = {}
        self._layout: dict[str, Any] = {}
        self._pending: dict[int, tuple[dict[str, Any], bytes]] = {}
        self._awaited = 0
        self._behind_since: float | None = None
        self._backwards_since: float | None = None
        self._last_heartbeat: float | None = None
        self._wanted = False
        self._state_cache: tuple[int, bytes] | None = None

    @property
    def version(self) -> int | None:
        """The version every client has been sent, or None before the first snapshot."""
        return self._version

    def seats(self) -> list[Any]:
        """The seats in layout order, as the mirror holds them."""
        return list(self._seats.values())

    def venue_state(self) -> bytes | None:
        """The ``VENUE_STATE`` frame at the current version, or None before the first snapshot."""
        if self._version is None:
            return None
        cached = self._state_cache
        if cached is not None and cached[0] == self._version:
            return cached[1]
        data = {**self._layout, "seats": list(self._seats.values()), "version": self._version}
        frame = encode(MessageType.VENUE_STATE, data)
        self._state_cache = (self._version, frame)
        return frame

    def on_event(self, event: dict[str, Any], frame: bytes, now: float) -> list[bytes]:
        """Take in a seat event; returns the frames now due for broadcast, in order."""
        version: int = event["version"]
        if self._version is not None and version <= self._version:
            return []
        if len(self._pending) >= self._max_pending:
            logger.warning("reorder buffer full; resyncing", extra={"version": self._version})
            self._pending.clear()
            self._wanted = True
            return []
        self._pending[version] = (event, frame)
        self._awaited = max(self._awaited, version)
        return self._advance(now)

    def on_heartbeat(self, version: int, now: float) -> None:
        """Take in the venue's current version as the booking service announced it."""
        last, self._last_heartbeat = self._last_heartbeat, now
        if last is not None and now - last > self._heartbeat_silence:
            logger.info("heartbeats resumed after silence; resyncing")
            self._wanted = True
        if self._version is None:
            return
        if version < self._version:
            if self._backwards_since is None:
                self._backwards_since = now
            return
        self._backwards_since = None
        if version > self._version:
            self._awaited = max(self._awaited, version)
            if self._behind_since is None:
                self._behind_since = now

    def request_resync(self) -> None:
        """Ask for a snapshot at the next opportunity (e.g. NATS reconnected)."""
        self._wanted = True

    def resync_due(self, now: float) -> bool:
        """Whether the mirror may be wrong and a snapshot should be fetched now."""
        if self._version is None or self._wanted:
            return True
        if self._behind_since is not None and now - self._behind_since >= self._gap_timeout:
            return True
        backwards = self._backwards_since
        return backwards is not None and now - backwards >= self._reset_timeout

    def start_resync(self) -> None:
        """A snapshot is being fetched: requests made from now on need another one."""
        self._wanted = False

    def apply_snapshot(self, snapshot: dict[str, Any], now: float) -> list[bytes]:
        """Install a snapshot fetched after a resync request; returns the frames due."""
        version: int = snapshot["version"]
        seats: list[Any] = snapshot["seats"]
        previous = self._version
        if previous is not None and version < previous:
            if self._backwards_since is None:
                return self._advance(now)
            logger.warning("venue version went backwards", extra={"was": previous, "now": version})
            self._pending.clear()
        changed = previous != version or list(self._seats.values()) != seats
        self._seats = {seat["id"]: seat for seat in seats}
        self._layout = {key: snapshot[key] for key in _LAYOUT_KEYS if key in snapshot}
        self._version = version
        self._awaited = version
        self._behind_since = None
        self._backwards_since = None
        for stale in [v for v in self._pending if v <= version]:
            del self._pending[stale]
        if self._pending:
            self._awaited = max(self._pending)
        frames = [state] if changed and (state := self.venue_state()) is not None else []
        return frames + self._advance(now)

    def _advance(self, now: float) -> list[bytes]:
        """Apply buffered events that follow the current version; track whether we lag."""
        frames: list[bytes] = []
        if self._version is not None:
            while (entry := self._pending.pop(self._version + 1, None)) is not None:
                event, frame = entry
                self._seats[event["seat_id"]] = event["seat"]
                self._version += 1
                frames.append(frame)
        current = self._version if self._version is not None else -1
        if current >= self._awaited:
            self._behind_since = None
        elif self._behind_since is None:
            self._behind_since = now
        return frames
