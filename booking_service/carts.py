"""CartStore: a session's holds on one event as one cart with one deadline.

A cart is its owner's holds on the event. Its deadline is set when its first seat is
held (now + the event's hold time); every seat added later takes that deadline, so
adding seats never pushes it back. Checkout extends it once, to ``checkout_ms`` from
then. The cart ends with its last hold (released, booked or lapsed); the next seat held
starts a fresh one. Each operation is one Lua script over the event's keys, so a seat is
never in two carts and a multi-seat add takes every seat or none.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

import orjson

from booking_service.errors import (
    BookingError,
    CartEmpty,
    CartExtended,
    ReholdCooldown,
    SeatAlreadyBooked,
    SeatNotForSale,
    SeatNotFound,
    SeatTaken,
    SellingFast,
)
from booking_service.seats import Change, SeatStore, redis_errors
from shared.constants import ChangeType, SeatStatus

__all__ = ["BestHeld", "Cart", "CartStore", "HeldSeats"]

# Refusals of a seat another buyer took between reading the venue and holding it.
_LOST_RACE = (SeatTaken, SeatAlreadyBooked, SeatNotForSale)

# Best-available choices on one event take turns within a process (see add_best).
_TURNS: WeakKeyDictionary[SeatStore, asyncio.Lock] = WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class Cart:
    """The seats an owner holds on one event (layout order) and their one deadline."""

    event_id: str
    seats: list[dict[str, Any]]
    deadline_ms: int | None
    extended: bool

    def body(self) -> dict[str, Any]:
        """The cart as the API shows it."""
        return {
            "event_id": self.event_id,
            "seats": self.seats,
            "expires_at": None if self.deadline_ms is None else self.deadline_ms // 1000,
            "expires_at_ms": self.deadline_ms,
            "extended": self.extended,
        }


@dataclass(frozen=True, slots=True)
class HeldSeats:
    """What one add committed: its changes in version order."""

    changes: list[Change]


@dataclass(frozen=True, slots=True)
class BestHeld:
    """What one best-available add committed: the seats chosen (layout order), its
    changes in version order and how many times it chose (1 when no one got in the way)."""

    seat_ids: list[str]
    changes: list[Change]
    attempts: int


class CartStore:
    """The carts of one event, over that event's seat store."""

    def __init__(self, store: SeatStore, *, checkout_ms: int) -> None:
        self._store = store
        self._checkout_ms = checkout_ms

    async def add(
        self, seat_ids: Sequence[str], *, user_id: str, owner: str, holder: str
    ) -> HeldSeats:
        """Hold every seat of ``seat_ids`` for ``owner`` until the cart's deadline, or none.

        Seats the owner holds already stay as they are. A refusal names the first seat in
        the way (SeatTaken says whether the rest of the cart is still held); over the cap
        is HoldLimitReached; the other refusals are select's.
        """
        store = self._store
        for seat_id in seat_ids:
            if seat_id not in store.layout:
                raise SeatNotFound(f"Seat {seat_id} does not exist")
        args: list[str | int] = [user_id, owner, store.hold_ms, holder, store.max_holds]
        args += [store.cooldown_ms, secrets.token_hex(8), *seat_ids]
        with redis_errors():
            reply = await store.scripts.hold_seats(keys=store.keys, args=args)
            if reply[0] == b"unknown" and await store.initialise():
                reply = await store.scripts.hold_seats(keys=store.keys, args=args)
        code, seat_id, now, detail, before, changes = reply
        if code != b"ok":
            raise self.refusal(code, seat_id.decode(), detail, held_before=int(before))
        return HeldSeats(
            [
                Change(
                    store.event_id,
                    ChangeType(kind.decode()),
                    changed.decode(),
                    user.decode(),
                    int(version),
                    seat_json,
                    int(now),
                )
                for kind, changed, user, version, seat_json in changes
            ]
        )

    async def add_best(
        self,
        choose: Callable[[list[bool], int], list[str]],
        *,
        attempts: int,
        user_id: str,
        owner: str,
        holder: str,
    ) -> BestHeld:
        """Hold the seats ``choose`` picks from the venue as it is now, all or none.

        ``choose`` gets one flag per layout seat (free: available and not blocked) and
        the attempt (1, 2, …), and returns the seat ids to hold, or raises. When a
        chosen seat was taken, booked or blocked between the read and the hold, nothing
        is held and the venue is read and ``choose`` asked again, ``attempts`` times in
        all before SellingFast. A seat the owner must wait for (cooldown) counts as
        taken for the rest of the call. Every other refusal of ``add`` (the cap, the
        sale state) is raised as it is.
        """
        layout = self._store.layout
        # Calls of this process take turns from read to hold: two choosing from the same
        # read would pick the same seats (one loses the race) or seats that, held
        # together, strand one between them. Other processes and seat-by-seat buyers
        # still race; the hold script keeps that safe and the retries make it succeed.
        turn = _TURNS.setdefault(self._store, asyncio.Lock())
        waiting: set[int] = set()
        for attempt in range(1, attempts + 1):
            try:
                async with turn:
                    free = await self._free()
                    for index in waiting:
                        free[index] = False
                    seat_ids = choose(free, attempt)
                    held = await self.add(seat_ids, user_id=user_id, owner=owner, holder=holder)
            except ReholdCooldown as exc:
                waiting.add(layout.seat_ids.index(exc.seat_id or seat_ids[0]))
            except _LOST_RACE:
                continue
            else:
                return BestHeld(seat_ids, held.changes, attempt)
        raise SellingFast("Seats are selling fast; please try again")

    async def _free(self) -> list[bool]:
        """One flag per layout seat, at one version: available and not blocked."""
        snapshot = await self._store.snapshot()
        return [
            seat["status"] == SeatStatus.AVAILABLE and not seat.get("blocked", False)
            for seat in orjson.loads(snapshot.seats_json)
        ]

    async def read(self, *, owner: str) -> Cart:
        """The owner's cart as it is now (no seats and no deadline when it has none)."""
        store = self._store
        with redis_errors():
            _, deadline, extended, pairs = await store.scripts.read_cart(
                keys=store.keys, args=[owner]
            )
        by_id = {seat_id.decode(): orjson.loads(raw) for seat_id, raw in pairs}
        seats = [by_id[seat_id] for seat_id in store.layout.seat_ids if seat_id in by_id]
        live = int(deadline) >= 0 and bool(seats)
        return Cart(store.event_id, seats, int(deadline) if live else None, live and bool(extended))

    async def extend(self, *, owner: str) -> list[Change]:
        """Extend the owner's cart once, for checkout; the ``held`` changes it made.

        Raises CartEmpty when the owner holds nothing, CartExtended on a second call.
        """
        store = self._store
        with redis_errors():
            code, now, _, changes = await store.scripts.extend_cart(
                keys=store.keys, args=[owner, self._checkout_ms]
            )
        if code == b"empty":
            raise CartEmpty("Your cart is empty")
        if code == b"extended":
            raise CartExtended("Your cart has already been extended for checkout")
        return [
            Change(
                store.event_id,
                ChangeType.HELD,
                seat_id.decode(),
                user_id.decode(),
                int(version),
                seat_json,
                int(now),
            )
            for seat_id, user_id, version, seat_json in changes
        ]

    def refusal(self, code: bytes, seat_id: str, detail: Any, *, held_before: int) -> BookingError:
        """The error of a refused add; a seat in the way is named in ``seat_id``."""
        error: BookingError
        if code == b"taken":
            outcome = " — your other seats are still held" if held_before else "; nothing was held"
            error = SeatTaken(f"Seat {seat_id} was just taken by someone else{outcome}")
        else:
            error = self._store.refusal(code, seat_id, detail if code == b"cooldown" else 0)
        error.seat_id = seat_id or None
        return error
