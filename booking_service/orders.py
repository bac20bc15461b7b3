"""OrderStore: booking a cart as one order, exactly once per idempotency key.

An order is written by the same Lua script that books its seats, so either the order
exists with every seat of the cart booked or nothing changed. Its reference is 8
characters of an unambiguous alphabet drawn with ``secrets``; the script takes the first
candidate no order of the event uses yet. Orders live in the event's ``orders`` hash
(``event:{<id>}:orders``); the global ``orders`` hash maps a reference to its event and
is written right after the script, so a lookup that misses it scans the events.
An order is never deleted: cancelling marks it and makes its seats available again.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import orjson

from booking_service.errors import (
    CartEmpty,
    HoldExpired,
    OrderCancelled,
    OrderNotFound,
    SalesNotOpen,
    StoreUnavailable,
)
from booking_service.events.keys import EVENTS_KEY, ORDERS_KEY, event_key
from booking_service.redis_client import RedisClient
from booking_service.seats import Change, SeatStore, redis_errors
from shared.constants import ChangeType

__all__ = ["REFERENCE_ALPHABET", "OrderStore", "Placed", "new_reference", "public_order"]

# No 0/O, 1/I/L: a reference read out over the phone stays unambiguous.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 8
# Fresh references the script may choose from in one call, and calls before giving up.
_CANDIDATES = 4
_ATTEMPTS = 4


def new_reference() -> str:
    """A fresh, unguessable order reference."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def _iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# The order's keys as the API shows them (Lua's JSON encoder keeps no order).
_ORDER_KEYS = (
    "reference", "event_id", "status", "seats", "total", "currency", "buyer", "created_at",
    "cancelled_at",
)  # fmt: skip


def public_order(raw: bytes) -> dict[str, Any]:
    """The stored order JSON as the API shows it, keys in a fixed order (the owner key
    stays private)."""
    stored: dict[str, Any] = orjson.loads(raw)
    order = {key: stored[key] for key in _ORDER_KEYS if key in stored}
    order["seats"] = [
        {"id": seat["id"], "category": seat["category"], "price": seat["price"]}
        for seat in order.get("seats", [])
    ]
    buyer = order.get("buyer", {})
    order["buyer"] = {key: buyer.get(key) for key in ("user_id", "name", "email")}
    return order


def owner_of(raw: bytes) -> str | None:
    owner = orjson.loads(raw).get("owner")
    return owner if isinstance(owner, str) else None


@dataclass(frozen=True, slots=True)
class Placed:
    """What booking a cart gave: the order, whether this call made it, its changes."""

    order: dict[str, Any]
    created: bool
    changes: list[Change]


class OrderStore:
    """Every event's orders, over the service's Redis client."""

    def __init__(self, redis: RedisClient) -> None:
        self._redis = redis

    async def place(
        self,
        store: SeatStore,
        *,
        owner: str,
        buyer: Mapping[str, str | None],
        prices: Mapping[str, float],
        currency: str,
        idempotency_key: str | None,
    ) -> Placed:
        """Book every seat of the owner's cart as one order, or change nothing.

        With an idempotency key this owner used before, the order it made is returned
        (``created`` false) whatever the cart holds now. Raises CartEmpty, HoldExpired
        naming the lapsed seat, or SalesNotOpen.
        """
        event_id = store.event_id
        keys = [*store.keys, *(event_key(event_id, n) for n in ("orders", "idempotency"))]
        keys += [event_key(event_id, n) for n in ("owner_orders", "order_counts")]
        head: list[str | bytes] = [owner, idempotency_key or "", orjson.dumps(dict(prices))]
        head.append(currency)
        head += [orjson.dumps(dict(buyer)), _iso_now(), event_id]
        with redis_errors():
            for _ in range(_ATTEMPTS):
                args = head + [new_reference() for _ in range(_CANDIDATES)]
                code, reference, raw, now, changes = await store.scripts.book_cart(
                    keys=keys, args=args
                )
                if code != b"collision":
                    break
            else:
                raise StoreUnavailable("No free order reference; try again")
        if code in (b"ok", b"existing"):
            # The shortcut from reference to event; a crash before it only slows lookups.
            await self._redis.hset(ORDERS_KEY, reference, event_id)
            placed = [
                Change(event_id, ChangeType.BOOKED, s.decode(), u.decode(), int(v), j, int(now))
                for s, u, v, j in changes
            ]
            return Placed(public_order(raw), code == b"ok", placed)
        if code == b"empty":
            raise CartEmpty("Your cart is empty")
        if code == b"expired":
            seat_id = reference.decode()
            error = HoldExpired(f"Your hold on seat {seat_id} has expired; nothing was booked")
            error.seat_id = seat_id
            raise error
        raise SalesNotOpen(
            "Sales for this event have not started yet"
            if code == b"not_started"
            else "Sales for this event are closed"
        )

    async def find(self, reference: str) -> tuple[str, bytes]:
        """The event id and stored JSON of the order; OrderNotFound when there is none."""
        with redis_errors():
            known = cast("bytes | None", await self._redis.hget(ORDERS_KEY, reference))
            # Without the shortcut (lost before it was written), look in every event.
            candidates = [known] if known else sorted(await self._event_ids())
            for candidate in candidates:
                event_id = candidate.decode()
                raw = cast(
                    "bytes | None", await self._redis.hget(event_key(event_id, "orders"), reference)
                )
                if raw:
                    return event_id, raw
        raise OrderNotFound(f"No order {reference}")

    async def _event_ids(self) -> set[bytes]:
        return cast("set[bytes]", await self._redis.smembers(EVENTS_KEY))

    async def of_owner(self, event_ids: list[str], *, owner: str) -> list[dict[str, Any]]:
        """The owner's orders on these events, newest first."""
        orders: list[dict[str, Any]] = []
        with redis_errors():
            for event_id in event_ids:
                refs = await self._redis.hget(event_key(event_id, "owner_orders"), owner)
                if not refs:
                    continue
                raws = cast(
                    "list[bytes | None]",
                    await self._redis.hmget(event_key(event_id, "orders"), orjson.loads(refs)),
                )
                orders += [public_order(raw) for raw in raws if raw]
        orders.sort(key=lambda order: str(order["created_at"]), reverse=True)
        return orders

    async def cancel(self, store: SeatStore, reference: str) -> tuple[dict[str, Any], list[Change]]:
        """Cancel the order: its seats become available (one ``released`` change each)."""
        keys = [*store.keys, *(event_key(store.event_id, n) for n in ("orders", "order_counts"))]
        with redis_errors():
            code, raw, now, changes = await store.scripts.cancel_order(
                keys=keys, args=[reference, _iso_now()]
            )
        if code == b"unknown":
            raise OrderNotFound(f"No order {reference}")
        if code == b"cancelled":
            raise OrderCancelled(f"Order {reference} is cancelled already")
        order = public_order(raw)
        buyer = str(order["buyer"]["user_id"])
        released = [
            Change(store.event_id, ChangeType.RELEASED, s.decode(), buyer, int(v), j, int(now))
            for s, v, j in changes
        ]
        return order, released
