"""SeatStore: each seat operation of one event as one atomic Lua script, results as domain values.

One store serves one event: its seats are those of the event's ``SeatLayout``, its keys
those of ``booking_service.events.keys``. The store promises that a seat has at most one
holder and at most one booking however many processes call it at once, that only the
hold's owner can book or release it, that no owner ever has more than ``max_holds``
holds, that an owner whose hold on a seat lapsed cannot hold it again for
``cooldown_ms``, and that every committed change bumps the event's version by exactly
one and keeps its digest (``shared/venue_digest.py``) equal to the digest of the seats.
Selling (select, book) is refused while the event's sale state is ``scheduled`` or
``closed``; release always works. A blocked seat is never sold, and only an available
seat can be blocked.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import orjson
from redis.exceptions import RedisClusterException, RedisError

from booking_service.errors import (
    BookingError,
    HoldExpired,
    HoldLimitReached,
    HoldNotYours,
    ReholdCooldown,
    SalesNotOpen,
    SeatAlreadyBooked,
    SeatConflict,
    SeatNotBlockable,
    SeatNotForSale,
    SeatNotFound,
    SeatNotHeld,
    SeatTaken,
    StoreUnavailable,
)
from booking_service.events.keys import script_keys
from booking_service.lua_scripts import Scripts
from booking_service.metrics import REDIS_ERRORS
from booking_service.redis_client import RedisClient
from shared.constants import ChangeType
from shared.plans.layout import SeatLayout

__all__ = ["Change", "SeatStore", "Snapshot", "Sweep", "VenueState", "redis_errors"]


_CONFLICTS: dict[bytes, tuple[type[SeatConflict], str]] = {
    b"taken": (SeatTaken, "Seat {} is held by another user"),
    b"booked": (SeatAlreadyBooked, "Seat {} is already booked"),
    b"not_held": (SeatNotHeld, "Seat {} is not held"),
    b"not_yours": (HoldNotYours, "Seat {} is held by someone else"),
    b"expired": (HoldExpired, "Your hold on seat {} has expired"),
    b"blocked": (SeatNotForSale, "Seat {} is not for sale"),
    b"not_started": (SalesNotOpen, "Sales for this event have not started yet"),
    b"closed": (SalesNotOpen, "Sales for this event are closed"),
}
_UNBLOCKABLE = {
    b"held": "Seat {} is held; only an available seat can be blocked",
    b"booked": "Seat {} is booked; only an available seat can be blocked",
}


@dataclass(frozen=True)
class Change:
    """A seat change of one event committed in Redis (or, with ``changed`` false, a no-op)."""

    event_id: str
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
    """The holds one sweep released, when the next one falls due, and how late past its
    deadline the sweep released the most overdue of them (None if it released none)."""

    now_ms: int
    next_deadline_ms: int | None
    released: list[Change]
    lag_ms: int | None = None


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


@contextmanager
def redis_errors() -> Iterator[None]:
    """Turn every Redis failure into StoreUnavailable (a 503), never a 500.

    Not only a lost connection: a Redis that refuses writes (MISCONF, READONLY, OOM,
    NOREPLICAS), a cluster with no master for the slot yet, or any other error reply
    leaves the store just as unusable for now.
    """
    try:
        yield
    except (RedisError, RedisClusterException, OSError) as exc:
        REDIS_ERRORS.inc()
        raise StoreUnavailable("The seat store is unavailable; try again shortly") from exc


class SeatStore:
    """Seat state of one event in Redis."""

    def __init__(
        self,
        redis: RedisClient,
        event_id: str,
        layout: SeatLayout,
        *,
        hold_ms: int,
        max_holds: int,
        cooldown_ms: int,
        scripts: Scripts | None = None,
    ) -> None:
        self.event_id = event_id
        self._redis = redis
        self._layout = layout
        self._hold_ms = hold_ms
        self._max_holds = max_holds
        self._cooldown_ms = cooldown_ms
        self._keys = script_keys(event_id)
        self._scripts = scripts or Scripts.register(redis)
        self._layout_args: list[str | int] = []
        for seat_id in layout.seat_ids:
            seat = layout.seat(seat_id)
            self._layout_args += [seat_id, seat.row, seat.col, seat.category]

    @property
    def layout(self) -> SeatLayout:
        return self._layout

    @property
    def hold_ms(self) -> int:
        """How long a hold lasts, in milliseconds."""
        return self._hold_ms

    @property
    def max_holds(self) -> int:
        """The most holds one owner may have at once."""
        return self._max_holds

    @property
    def cooldown_ms(self) -> int:
        """How long an owner waits to re-take a seat its own hold on lapsed (ms)."""
        return self._cooldown_ms

    @property
    def keys(self) -> list[str]:
        """The KEYS every seat script of this event receives."""
        return self._keys

    @property
    def scripts(self) -> Scripts:
        return self._scripts

    async def initialise(self) -> int:
        """Create the venue's missing seats (never touching existing ones); returns how many."""
        with redis_errors():
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
            self.event_id,
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

    async def block(self, seat_ids: Sequence[str], *, blocked: bool) -> list[Change]:
        """Block (take out of sale) or unblock every seat of ``seat_ids``, all or none.

        Only available seats can be blocked: a held or booked one refuses the whole call
        (SeatNotBlockable), as does an unknown one (SeatNotFound). Unblocking a seat that
        is not blocked changes nothing. Returns one change per seat whose flag flipped,
        in commit order, of type ``released``: the seat is available, unsellable only by
        its block, so a subscriber that knows nothing of blocks stays right.
        """
        for seat_id in seat_ids:
            if seat_id not in self._layout:
                raise SeatNotFound(f"Seat {seat_id} does not exist")
        args = ["1" if blocked else "0", *seat_ids]
        with redis_errors():
            code, seat_id, now, changed = await self._scripts.block_seats(
                keys=self._keys, args=args
            )
            if code == b"unknown" and await self.initialise():
                code, seat_id, now, changed = await self._scripts.block_seats(
                    keys=self._keys, args=args
                )
        if code == b"unknown":
            raise SeatNotFound(f"Seat {seat_id.decode()} does not exist")
        if code in _UNBLOCKABLE:
            raise SeatNotBlockable(_UNBLOCKABLE[code].format(seat_id.decode()))
        return [
            Change(
                self.event_id,
                ChangeType.RELEASED,
                changed_id.decode(),
                "",
                int(version),
                seat_json,
                int(now),
            )
            for changed_id, version, seat_json in changed
        ]

    async def expire_due(self, *, limit: int) -> Sweep:
        """Release up to ``limit`` holds whose deadline has passed by Redis's clock."""
        with redis_errors():
            now, next_deadline, released, lag = await self._scripts.expire_holds(
                keys=self._keys, args=[limit, self._cooldown_ms]
            )
        changes = [
            Change(
                self.event_id,
                ChangeType.AUTO_RELEASED,
                seat_id.decode(),
                user_id.decode(),
                int(version),
                seat_json,
                int(now),
            )
            for seat_id, user_id, version, seat_json in released
        ]
        return Sweep(
            int(now),
            None if next_deadline < 0 else int(next_deadline),
            changes,
            None if lag < 0 else int(lag),
        )

    async def snapshot(self) -> Snapshot:
        """Every seat of the layout at one consistent version."""
        with redis_errors():
            version, digest, flat = await self._scripts.read_venue(keys=self._keys)
            if len(flat) < 2 * len(self._layout.seat_ids) and await self.initialise():
                version, digest, flat = await self._scripts.read_venue(keys=self._keys)
        by_id = dict(zip(flat[::2], flat[1::2], strict=True))
        ordered = [by_id[seat_id.encode()] for seat_id in self._layout.seat_ids]
        return Snapshot(int(version), digest.decode(), b"[" + b",".join(ordered) + b"]")

    async def state(self) -> VenueState:
        """The venue's current version and digest, read at one instant."""
        with redis_errors():
            version, digest = await self._scripts.read_version(keys=self._keys)
        return VenueState(int(version), digest.decode())

    async def _run(self, seat_id: str, call: Callable[[], Awaitable[Any]]) -> list[Any]:
        """Run a seat script, recreating the venue once if Redis lost it."""
        if seat_id not in self._layout:
            raise SeatNotFound(f"Seat {seat_id} does not exist")
        with redis_errors():
            reply: list[Any] = await call()
            if reply[0] == b"unknown" and await self.initialise():
                reply = await call()
        code = reply[0]
        if code in (b"ok", b"mine"):
            return reply
        raise self.refusal(code, seat_id, reply[5] if code == b"cooldown" else 0)

    def refusal(self, code: bytes, seat_id: str, wait_ms: int | bytes = 0) -> BookingError:
        """The domain error of a seat script's refusal ``code`` on ``seat_id``.

        ``wait_ms`` is the remaining cooldown of a ``cooldown`` refusal.
        """
        if code == b"unknown":
            return SeatNotFound(f"Seat {seat_id} does not exist")
        if code == b"cap":
            return HoldLimitReached(f"You can hold at most {self._max_holds} seats at a time")
        if code == b"cooldown":
            wait = max(1, math.ceil(int(wait_ms) / 1000))
            return ReholdCooldown(
                f"You held seat {seat_id} until it lapsed; you can take it again in {wait} s"
            )
        error, template = _CONFLICTS[code]
        return error(template.format(seat_id))

    def _change(
        self, event_type: ChangeType, seat_id: str, reply: list[Any], *, changed: bool = True
    ) -> Change:
        _, version, seat_json, now, user_id = reply
        return Change(
            self.event_id,
            event_type,
            seat_id,
            user_id.decode(),
            int(version),
            seat_json,
            int(now),
            changed,
        )

    async def held_count(self) -> int:
        """How many of the event's seats are held right now (lapsed ones not yet swept too)."""
        with redis_errors():
            return int(await self._redis.hlen(self._keys[1]))

    async def overdue_seconds(self) -> float:
        """How far the oldest deadline in the expiry index is behind Redis's clock (0 if none).

        A sweeper that keeps up holds this under a fraction of a second; it grows while
        lapsed holds stay unreleased.
        """
        with redis_errors():
            overdue_ms = await self._scripts.read_overdue(keys=self._keys)
        return int(overdue_ms) / 1000
