"""Carts followed by this edge: each connection's cart, sent as ``CART`` whenever it changes.

A ``CartFollower`` is one connection's view of its session's cart on the event it
watches: the cart last sent to it in a ``CART`` frame. A ``CartIndex`` (one per watched
event) finds the followers a seat change may concern, by two maps:

- seat id → the followers whose last cart holds that seat (it lapsed, was booked or
  released, or got a new deadline);
- holder tag → the followers of that session (another of its connections, or a seed
  seat command, added a seat).

A change costs the index two dictionary look-ups, whatever the number of connections,
and nothing at all for the connections it does not concern. A follower it concerns
checks whether its last cart already shows the change (its own command's reply did);
if not, it re-reads the cart (``GET …/holds``) and sends ``CART`` if the cart differs
from the last one sent. Re-reads are coalesced: at most one runs per follower, and the
changes that arrive meanwhile are checked when it ends. A follower's commands run under
``exclusive()``, so a ``CART`` a re-read sends never comes between a command and its
response. After a snapshot replaced an event's seats (changes may have been missed),
``reconcile`` compares every follower's cart with the mirror's seats.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any

from websockets.exceptions import ConnectionClosed

from edge_server.booking_client import BookingCallError
from edge_server.protocol import encode
from shared.constants import SeatStatus
from shared.messages import CartBody, MessageType

__all__ = ["CartFollower", "CartIndex", "empty_cart"]

logger = logging.getLogger(__name__)

Seat = dict[str, Any]


def empty_cart(event_id: str) -> dict[str, Any]:
    """The cart of a session that holds nothing on the event."""
    cart = CartBody(
        event_id=event_id, seats=[], expires_at=None, expires_at_ms=None, extended=False
    )
    return cart.model_dump()


class CartIndex:
    """The followers of one event's carts, by the seats they hold and by holder tag."""

    __slots__ = ("_by_holder", "_by_seat")

    def __init__(self) -> None:
        self._by_seat: dict[str, set[CartFollower]] = {}
        self._by_holder: dict[str, set[CartFollower]] = {}

    def __bool__(self) -> bool:
        return bool(self._by_seat or self._by_holder)

    def add(self, follower: CartFollower) -> None:
        """Index the follower under its holder tag and the seats of its cart."""
        if follower.holder is not None:
            self._by_holder.setdefault(follower.holder, set()).add(follower)
        for seat_id in follower.seats:
            self._by_seat.setdefault(seat_id, set()).add(follower)

    def discard(self, follower: CartFollower) -> None:
        """Forget the follower. Idempotent."""
        if follower.holder is not None:
            _unmap(self._by_holder, follower.holder, follower)
        for seat_id in follower.seats:
            _unmap(self._by_seat, seat_id, follower)

    def moved(self, follower: CartFollower, old: Iterable[str], new: Iterable[str]) -> None:
        """The follower's cart went from seats ``old`` to seats ``new``."""
        old_ids, new_ids = set(old), set(new)
        for seat_id in old_ids - new_ids:
            _unmap(self._by_seat, seat_id, follower)
        for seat_id in new_ids - old_ids:
            self._by_seat.setdefault(seat_id, set()).add(follower)

    def on_change(self, change: dict[str, Any]) -> None:
        """Tell the followers a seat change concerns (see the module docstring)."""
        seat_id: str = change["seat_id"]
        seat: Seat = change["seat"]
        holding = self._by_seat.get(seat_id)
        holder = seat.get("holder")
        session = self._by_holder.get(holder) if isinstance(holder, str) else None
        if holding:
            for follower in list(holding):
                follower.notice(seat_id, seat)
        if session:
            for follower in list(session):
                if not holding or follower not in holding:
                    follower.notice(seat_id, seat)

    def reconcile(self, seats: Iterable[Seat]) -> None:
        """Compare each follower's cart with ``seats``, the event's seats as a snapshot
        gave them, and have the followers whose cart differs re-read it."""
        if not self:
            return
        held: dict[str, dict[str, Seat]] = {}
        for seat in seats:
            holder = seat.get("holder")
            if seat.get("status") == SeatStatus.HELD and holder in self._by_holder:
                held.setdefault(holder, {})[seat["id"]] = seat
        followers: set[CartFollower] = set()
        for group in (*self._by_holder.values(), *self._by_seat.values()):
            followers.update(group)
        for follower in followers:
            follower.reconcile(held.get(follower.holder or "", {}))


def _unmap(index: dict[str, set[CartFollower]], key: str, follower: CartFollower) -> None:
    group = index.get(key)
    if group is not None:
        group.discard(follower)
        if not group:
            del index[key]


class CartFollower:
    """One connection's cart on its watched event, as last sent to it (see module docstring).

    ``read`` fetches the cart body from the booking service (``session_token`` removed);
    ``send`` writes a frame to the connection.
    """

    __slots__ = (
        "_index",
        "_last",
        "_lock",
        "_pending",
        "_read",
        "_send",
        "_stale",
        "_task",
        "holder",
        "seats",
    )

    def __init__(
        self,
        *,
        read: Callable[[], Awaitable[dict[str, Any]]],
        send: Callable[[bytes], Awaitable[None]],
    ) -> None:
        self._read = read
        self._send = send
        self.holder: str | None = None
        # Seat id → seat JSON of the last cart sent.
        self.seats: dict[str, Seat] = {}
        self._index: CartIndex | None = None
        self._last: dict[str, Any] | None = None
        # Changes not yet known to be in the last cart sent, latest per seat.
        self._pending: dict[str, Seat] = {}
        self._stale = False
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    def follow(self, index: CartIndex, holder: str | None) -> None:
        """Follow the cart of session ``holder`` on the event of ``index``; no cart has been
        sent for it yet."""
        self.unfollow()
        self.holder, self._index = holder, index
        index.add(self)

    def unfollow(self) -> None:
        """Stop following: out of the index, nothing sent any more. Idempotent."""
        if self._index is not None:
            self._index.discard(self)
        self._index, self._last, self.seats = None, None, {}
        self._pending.clear()
        self._stale = False

    def exclusive(self) -> AbstractAsyncContextManager[None]:
        """Hold while a command runs: no re-read sends ``CART`` until it is released."""
        return self._lock

    async def deliver(self, cart: dict[str, Any]) -> None:
        """Send ``cart`` as ``CART`` (always) and remember it; call within ``exclusive()``."""
        if self._index is None:
            return
        old, self._last = self.seats, cart
        self.seats = {seat["id"]: seat for seat in cart.get("seats") or ()}
        self._index.moved(self, old, self.seats)
        await self._send(encode(MessageType.CART, cart))

    async def resend(self) -> None:
        """Read the cart and send it (always); call within ``exclusive()``. A cart the
        booking service cannot give now is not sent: the next change re-reads it."""
        try:
            cart = await self._read()
        except BookingCallError as exc:
            logger.info("cart unavailable: %s", exc)
            return
        await self.deliver(cart)

    def notice(self, seat_id: str, seat: Seat) -> None:
        """A change of ``seat_id`` that may concern this cart: re-read the cart unless the
        last one sent already shows it."""
        if self._index is None or self._shows(seat_id, seat):
            return
        self._pending[seat_id] = seat
        self._schedule()

    def reconcile(self, held: dict[str, Seat]) -> None:
        """``held`` is what the event's snapshot says this session holds: re-read the cart
        if the last one sent says otherwise."""
        if self._index is not None and self._last is not None and held != self.seats:
            self._stale = True
            self._schedule()

    async def close(self) -> None:
        """Stop following and end a re-read in progress."""
        self.unfollow()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def _shows(self, seat_id: str, seat: Seat) -> bool:
        """Whether the last cart sent already agrees with the seat as the change left it."""
        if seat.get("status") == SeatStatus.HELD and seat.get("holder") == self.holder:
            return self.seats.get(seat_id) == seat
        return seat_id not in self.seats

    def _schedule(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._refresh())

    async def _refresh(self) -> None:
        """Re-read and send the cart until no change waits to be checked."""
        async with self._lock:
            while True:
                for seat_id, seat in list(self._pending.items()):
                    if self._shows(seat_id, seat):
                        del self._pending[seat_id]
                if self._index is None or not (self._stale or self._pending):
                    return
                self._stale = False
                self._pending.clear()
                index = self._index
                try:
                    cart = await self._read()
                    # Unless the connection moved to another event during the read.
                    if self._index is index and cart != self._last:
                        await self.deliver(cart)
                except BookingCallError as exc:
                    logger.info("cart not re-read: %s", exc)
                    return
                except ConnectionClosed:
                    return
