"""SeatStore: every seat operation as one atomic Lua script, results as domain values.

The store promises that a seat has at most one holder and at most one booking however
many processes call it at once, that only the hold's owner can book or release it, that
no owner ever has more than ``max_holds`` holds, that an owner whose hold on a seat
lapsed cannot hold it again for ``cooldown_ms``, and that every committed change bumps
the venue version by exactly one and keeps the venue digest (``shared/venue_digest.py``)
equal to the digest of the seats.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError

from booking_service.errors import (
    HoldExpired,
    HoldLimitReached,
    HoldNotYours,
    ReholdCooldown,
    SeatAlreadyBooked,
    SeatConflict,
    SeatNotFound,
    SeatNotHeld,
    SeatTaken,
    StoreUnavailable,
)
from booking_service.lua_scripts import Scripts
from shared.constants import ChangeType
from shared.plans.layout import SeatLayout

__all__ = ["Change", "SeatStore", "Snapshot", "Sweep", "VenueState", "venue_keys"]


_CONFLICTS: dict[bytes, tuple[type[SeatConflict], str]] = {
    b"taken": (SeatTaken, "Seat {} is held by another user"),
    b"booked": (SeatAlreadyBooked, "Seat {} is already booked"),
    b"not_held": (SeatNotHeld, "Seat {} is not held"),
    b"not_yours": (HoldNotYours, "Seat {} is held by someone else"),
    b"expired": (HoldExpired, "Your hold on seat {} has expired"),
}


@dataclass(frozen=True)
class Change:
    """A seat change committed in Redis (or, with ``changed`` false, a no-op)."""

    event_type: ChangeType
    seat_id: str
    user_id: str
    version: int
    seat_json: bytes
    at_ms: int
    changed: bool = True

    @cached_property
    def seat(self) -> dict[str, Any]:
        """The seat as it is now, parsed once for the reply and the change alike."""
        seat: dict[str, Any] = orjson.loads(self.seat_json)
        return seat


@dataclass(frozen=True, slots=True)
class Sweep:
    """The holds one sweep released and when the next one falls due."""

    now_ms: int
    next_deadline_ms: int | None
    released: list[Change]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The whole venue at one version; ``seats_json`` is a JSON array in layout order."""

    version: int
    digest: str
    seats_json: bytes


@dataclass(frozen=True, slots=True)
class VenueState:
    """The venue's version and the digest of its seats at that version."""

    version: int
    digest: str


def venue_keys(venue_id: str) -> list[str]:
    """The venue's Redis keys, sharing one hash tag so they live on one cluster slot."""
    tag = f"venue:{{{venue_id}}}"
    names = ("seats", "holds", "expiry", "version", "counts", "cooldown", "digest")
    return [f"{tag}:{name}" for name in names]


@contextmanager
def _redis_errors() -> Iterator[None]:
    """Turn every Redis failure into StoreUnavailable (a 503), never a 500.

    Not only a lost connection: a Redis that refuses writes (MISCONF, READONLY, OOM,
    NOREPLICAS) or any other error reply leaves the store just as unusable for now.
    """
    try:
        yield
    except (RedisError, OSError) as exc:
        raise StoreUnavailable("The seat store is unavailable; try again shortly") from exc


class SeatStore:
    """Seat state of one venue (``venue_id``, with the seats of ``layout``) in Redis."""

    def __init__(
        self,
        redis: Redis,
        layout: SeatLayout,
        *,
        venue_id: str,
        hold_ms: int,
        max_holds: int,
        cooldown_ms: int,
    ) -> None:
        self._redis = redis
        self._layout = layout
        self._venue_id = venue_id
        self._hold_ms = hold_ms
        self._max_holds = max_holds
        self._cooldown_ms = cooldown_ms
        self._keys = venue_keys(venue_id)
        self._scripts = Scripts.register(redis)
        self._layout_args = [part for seat in layout for part in (seat.id, seat.row, seat.col)]

    @property
    def layout(self) -> SeatLayout:
        return self._layout

    @property
    def venue_id(self) -> str:
        return self._venue_id

    async def initialise(self) -> int:
        """Create the venue's missing seats (never touching existing ones); returns how many."""
        with _redis_errors():
            created, _ = await self._scripts.init_venue(keys=self._keys, args=self._layout_args)
        return int(created)

    async def select(self, seat_id: str, *, user_id: str, owner: str, holder: str) -> list[Change]:
        """Hold the seat for ``owner``, shown as ``user_id`` and tagged ``holder``.

        Returns the changes in the order they were committed: the hold's ``held``, or,
        when the seat's previous hold had lapsed unswept, its ``auto_released`` first.
        Selecting a seat one already holds changes nothing (one change, not ``changed``).
        """
        hold_id = secrets.token_hex(8)
        args: list[str | int] = [seat_id, user_id, owner, self._hold_ms, hold_id, holder]
        args += [self._max_holds, self._cooldown_ms]
        reply = await self._run(
            seat_id, lambda: self._scripts.select_seat(keys=self._keys, args=args)
        )
        held = self._change(ChangeType.HELD, seat_id, reply[:5], changed=reply[0] == b"ok")
        if not reply[5]:
            return [held]
        version, seat_json, lapsed_user = reply[5]
        lapse = Change(
            ChangeType.AUTO_RELEASED,
            seat_id,
            lapsed_user.decode(),
            int(version),
            seat_json,
            held.at_ms,
        )
        return [lapse, held]

    async def book(self, seat_id: str, *, owner: str) -> Change:
        """Book the seat ``owner`` holds; the booking is final."""
        reply = await self._run(
            seat_id, lambda: self._scripts.book_seat(keys=self._keys, args=[seat_id, owner])
        )
        return self._change(ChangeType.BOOKED, seat_id, reply)

    async def release(self, seat_id: str, *, owner: str) -> Change:
        """Make the seat ``owner`` holds available again."""
        reply = await self._run(
            seat_id, lambda: self._scripts.release_seat(keys=self._keys, args=[seat_id, owner])
        )
        return self._change(ChangeType.RELEASED, seat_id, reply)

    async def expire_due(self, *, limit: int) -> Sweep:
        """Release up to ``limit`` holds whose deadline has passed by Redis's clock."""
        with _redis_errors():
            now, next_deadline, released = await self._scripts.expire_holds(
                keys=self._keys, args=[limit, self._cooldown_ms]
            )
        changes = [
            Change(
                ChangeType.AUTO_RELEASED,
                seat_id.decode(),
                user_id.decode(),
                int(version),
                seat_json,
                int(now),
            )
            for seat_id, user_id, version, seat_json in released
        ]
        return Sweep(int(now), None if next_deadline < 0 else int(next_deadline), changes)

    async def snapshot(self) -> Snapshot:
        """Every seat of the layout at one consistent version."""
        with _redis_errors():
            version, digest, flat = await self._scripts.read_venue(keys=self._keys)
            if len(flat) < 2 * len(self._layout) and await self.initialise():
                version, digest, flat = await self._scripts.read_venue(keys=self._keys)
        by_id = dict(zip(flat[::2], flat[1::2], strict=True))
        ordered = [by_id[seat_id.encode()] for seat_id in self._layout.seat_ids]
        return Snapshot(int(version), digest.decode(), b"[" + b",".join(ordered) + b"]")

    async def state(self) -> VenueState:
        """The venue's current version and digest, read at one instant."""
        with _redis_errors():
            version, digest = await self._scripts.read_version(keys=self._keys)
        return VenueState(int(version), digest.decode())

    async def _run(self, seat_id: str, call: Callable[[], Awaitable[Any]]) -> list[Any]:
        """Run a seat script, recreating the venue once if Redis lost it."""
        if seat_id not in self._layout:
            raise SeatNotFound(f"Seat {seat_id} does not exist")
        with _redis_errors():
            reply: list[Any] = await call()
            if reply[0] == b"unknown" and await self.initialise():
                reply = await call()
        code = reply[0]
        if code in (b"ok", b"mine"):
            return reply
        if code == b"unknown":
            raise SeatNotFound(f"Seat {seat_id} does not exist")
        if code == b"cap":
            raise HoldLimitReached(f"You can hold at most {self._max_holds} seats at a time")
        if code == b"cooldown":
            wait = max(1, math.ceil(int(reply[5]) / 1000))
            raise ReholdCooldown(
                f"You held seat {seat_id} until it lapsed; you can take it again in {wait} s"
            )
        error, template = _CONFLICTS[code]
        raise error(template.format(seat_id))

    @staticmethod
    def _change(
        event_type: ChangeType, seat_id: str, reply: list[Any], *, changed: bool = True
    ) -> Change:
        _, version, seat_json, now, user_id = reply
        return Change(
            event_type, seat_id, user_id.decode(), int(version), seat_json, int(now), changed
        )

    async def overdue_seconds(self) -> float:
        """How far the oldest deadline in the expiry index is behind Redis's clock (0 if none).

        A sweeper that keeps up holds this under a fraction of a second; it grows while
        lapsed holds stay unreleased.
        """
        with _redis_errors():
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.zrange(self._keys[2], 0, 0, withscores=True)
                pipe.time()
                oldest, (seconds, micros) = await pipe.execute()
        if not oldest:
            return 0.0
        now_ms = int(seconds) * 1000 + int(micros) // 1000
        return max(0.0, (now_ms - float(oldest[0][1])) / 1000)
