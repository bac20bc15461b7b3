"""VenueMirror: one event's venue as this edge knows it, one version at a time.

The mirror is pure state (no I/O, time passed in) so its ordering rules can be tested
on their own. It promises:

- Changes are applied, and the bytes given with each (the edge gives the change as
  published) handed out for broadcast, strictly in version order and each version
  once. A change that arrives early waits in a small reorder buffer; one that is
  older than the mirror is dropped.
- Changes are checked before use (``change_problem``): the seat is one of the venue's,
  the change's ``seat_id`` and ``status`` agree with its seat, and ``event_type`` with
  ``status``. The caller drops a change with a problem and asks for a resync.
- It keeps the venue digest (``shared.venue_digest``) of its seats incrementally, one
  XOR per applied change.
- It asks for a fresh snapshot (``resync_due``) when it has been behind for longer
  than ``gap_timeout`` (a gap in the versions, or a heartbeat naming a version it has
  not seen), when heartbeats stay behind it for ``reset_timeout`` (the venue's version
  went backwards: the store was reset), after heartbeats fell silent for
  ``heartbeat_silence``, when a heartbeat at its own version carries another digest
  (its seats differ from the store's), or on request (a NATS reconnect).
- ``reset_timeout`` and ``heartbeat_silence`` start at the values given, tuned for a
  heartbeat every 0.5 s; once heartbeats state their ``interval`` they become
  ``RESET_INTERVALS`` and ``SILENCE_INTERVALS`` times it.
- A snapshot that differs from the mirror (seats or version) yields one fresh
  ``VENUE_STATE`` frame, followed by the buffered changes newer than it (for callers
  that send the full and the compact state to different clients, ``take_snapshot``
  says whether a state is due, and ``drain`` hands out the changes after it). A snapshot
  older than the mirror is ignored (changes overtook the fetch) unless heartbeats have
  been saying for a while that the venue went backwards; then it replaces the mirror.
- ``venue_state()`` and ``compact_state()`` are serialised once per version, however
  many clients ask (``StateFrames``).
"""

from __future__ import annotations

import logging
from typing import Any

from edge_server.state_frames import StateFrames
from shared.constants import STATUS_AFTER, ChangeType, SeatStatus
from shared.messages import MessageType
from shared.venue_digest import digest_of, format_digest, seat_contribution

__all__ = [
    "RESET_INTERVALS",
    "SILENCE_INTERVALS",
    "VenueMirror",
    "seat_update_frame",
    "seat_updates_frame",
]

logger = logging.getLogger(__name__)

RESET_INTERVALS = 2.0
SILENCE_INTERVALS = 3.0
MAX_HEARTBEAT_INTERVAL = 60.0
_STATUSES = frozenset(int(status) for status in SeatStatus)

_LAYOUT_KEYS = ("venue_id", "rows", "cols", "hold_seconds")
_SEAT_UPDATE_PREFIX = b'{"type":"' + MessageType.SEAT_UPDATE.encode() + b'","data":'
_SEAT_UPDATES_PREFIX = b'{"type":"' + MessageType.SEAT_UPDATES.encode() + b'","data":{"updates":['


def seat_update_frame(change_json: bytes) -> bytes:
    """The ``SEAT_UPDATE`` frame of a change, embedding its JSON as published (no re-encoding)."""
    return _SEAT_UPDATE_PREFIX + change_json + b"}"


def seat_updates_frame(changes_json: list[bytes], version: int) -> bytes:
    """The ``SEAT_UPDATES`` frame of changes in version order, the last at ``version``,
    embedding their JSON as published."""
    return b"".join(
        (_SEAT_UPDATES_PREFIX, b",".join(changes_json), b'],"version":', b"%d}}" % version)
    )


class VenueMirror:
    """Seats by id at ``version``, plus what is needed to keep that version true."""

    def __init__(
        self,
        event_id: str,
        *,
        gap_timeout: float = 0.2,
        reset_timeout: float = 1.0,
        heartbeat_silence: float = 1.5,
        max_pending: int = 4096,
    ) -> None:
        self.event_id = event_id
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
        self._frames = StateFrames(event_id)
        self._digest = 0
        # (version, digest) of a snapshot whose own digest disagreed with its seats: the
        # store's heartbeats will carry that digest, and resyncing again would not help.
        self._store_digest: tuple[int, str] | None = None

    @property
    def version(self) -> int | None:
        """The version every client has been sent, or None before the first snapshot."""
        return self._version

    @property
    def digest(self) -> str:
        """The venue digest of the mirror's seats (16 hex digits)."""
        return format_digest(self._digest)

    @property
    def reset_timeout(self) -> float:
        """How long heartbeats must stay behind the mirror before it counts as a reset."""
        return self._reset_timeout

    @property
    def heartbeat_silence(self) -> float:
        """How long without a heartbeat counts as silence."""
        return self._heartbeat_silence

    def seats(self) -> list[Any]:
        """The seats in layout order, as the mirror holds them."""
        return list(self._seats.values())

    def venue_state(self) -> bytes | None:
        """The full ``VENUE_STATE`` frame at the current version, or None before the first
        snapshot."""
        if self._version is None:
            return None
        return self._frames.full(self._version, self._layout, self._seats.values())

    def compact_state(self) -> bytes | None:
        """The compact ``VENUE_STATE`` frame (taken seats only) at the current version, or
        None before the first snapshot."""
        if self._version is None:
            return None
        return self._frames.compact(self._version, self._layout, self._seats.values())

    def change_problem(self, change: dict[str, Any]) -> str | None:
        """What is wrong with a seat change (``version``, ``seat_id`` and ``seat`` present),
        or None if it may be applied. Before the first snapshot the layout is unknown;
        the seat is then checked when the change is applied."""
        seat_id = change["seat_id"]
        seat = change["seat"]
        if self._seats and seat_id not in self._seats:
            return "seat not in the venue"
        if seat.get("id") != seat_id:
            return "seat.id differs from seat_id"
        status = change.get("status")
        if type(status) is not int or status not in _STATUSES:
            return "status is not 0, 1 or 2"
        if type(seat.get("status")) is not int or seat["status"] != status:
            return "seat.status differs from status"
        try:
            kind = ChangeType(str(change.get("event_type")))
        except ValueError:
            return "event_type does not fit status"
        if STATUS_AFTER[kind] != status:
            return "event_type does not fit status"
        return None

    def on_change(self, change: dict[str, Any], frame: bytes, now: float) -> list[bytes]:
        """Take in a seat change that has no ``change_problem``; returns the frames now due
        for broadcast, in order."""
        version: int = change["version"]
        if self._version is not None and version <= self._version:
            return []
        if len(self._pending) >= self._max_pending:
            logger.warning("reorder buffer full; resyncing", extra={"version": self._version})
            self._pending.clear()
            self._wanted = True
            return []
        self._pending[version] = (change, frame)
        self._awaited = max(self._awaited, version)
        return self._advance(now)

    def on_heartbeat(
        self,
        version: int,
        now: float,
        *,
        digest: str | None = None,
        interval: float | None = None,
    ) -> None:
        """Take in the venue's version (and digest, and the heartbeat ``interval``) as the
        booking service announced them."""
        last, self._last_heartbeat = self._last_heartbeat, now
        if last is not None and now - last > self._heartbeat_silence:
            logger.info("heartbeats resumed after silence; resyncing")
            self._wanted = True
        if interval is not None and 0 < interval <= MAX_HEARTBEAT_INTERVAL:
            self._reset_timeout = RESET_INTERVALS * interval
            self._heartbeat_silence = SILENCE_INTERVALS * interval
        if self._version is None:
            return
        if (
            digest is not None
            and version == self._version
            and digest != self.digest
            and self._store_digest != (version, digest)
        ):
            logger.warning(
                "venue digest differs from the store's; resyncing",
                extra={"version": version, "mine": self.digest, "store": digest},
            )
            self._wanted = True
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
        state = self.venue_state() if self.take_snapshot(snapshot, now) else None
        frames = self.drain(now)
        return frames if state is None else [state, *frames]

    def take_snapshot(self, snapshot: dict[str, Any], now: float) -> bool:
        """Install a snapshot fetched after a resync request; whether clients need a fresh
        ``VENUE_STATE``. The caller sends it (at the snapshot's version), then ``drain``s."""
        version: int = snapshot["version"]
        seats: list[Any] = snapshot["seats"]
        previous = self._version
        if previous is not None and version < previous:
            if self._backwards_since is None:
                return False
            logger.warning("venue version went backwards", extra={"was": previous, "now": version})
            self._pending.clear()
        changed = previous != version or list(self._seats.values()) != seats
        if changed:
            # The cached VENUE_STATE is keyed by version, and the seats may differ at one.
            self._frames.clear()
        self._seats = {seat["id"]: seat for seat in seats}
        self._digest = int(digest_of(seats), 16)
        self._note_store_digest(version, snapshot.get("digest"))
        self._layout = {key: snapshot[key] for key in _LAYOUT_KEYS if key in snapshot}
        self._version = version
        self._awaited = version
        self._behind_since = None
        self._backwards_since = None
        for stale in [v for v in self._pending if v <= version]:
            del self._pending[stale]
        if self._pending:
            self._awaited = max(self._pending)
        return changed

    def drain(self, now: float) -> list[bytes]:
        """The buffered change frames that follow the current version, applied in order."""
        return self._advance(now)

    def _note_store_digest(self, version: int, digest: object) -> None:
        """Remember a snapshot digest that disagrees with the snapshot's own seats.

        An older booking service sends no digest; then there is nothing to compare.
        """
        self._store_digest = None
        if isinstance(digest, str) and digest != self.digest:
            logger.warning(
                "snapshot digest differs from its seats",
                extra={"version": version, "seats": self.digest, "store": digest},
            )
            self._store_digest = (version, digest)

    def _advance(self, now: float) -> list[bytes]:
        """Apply buffered changes that follow the current version; track whether we lag."""
        frames: list[bytes] = []
        if self._version is not None:
            while (entry := self._pending.pop(self._version + 1, None)) is not None:
                change, frame = entry
                old = self._seats.get(change["seat_id"])
                if old is None:
                    # Buffered before the layout was known; it names no seat of the venue.
                    logger.warning(
                        "change for an unknown seat dropped; resyncing",
                        extra={"seat": change["seat_id"], "version": self._version + 1},
                    )
                    self._wanted = True
                    break
                self._seats[change["seat_id"]] = change["seat"]
                self._digest ^= seat_contribution(old) ^ seat_contribution(change["seat"])
                self._version += 1
                frames.append(frame)
        current = self._version if self._version is not None else -1
        if current >= self._awaited:
            self._behind_since = None
        elif self._behind_since is None:
            self._behind_since = now
        return frames
