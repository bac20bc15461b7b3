"""Domain errors of the booking service, each with the HTTP status it answers with.

::

    BookingError
     ├── InvalidRequest          400  the request is malformed
     │    └── InvalidSession     400  the session token is not one we issued
     ├── SessionRequired         401  tokenless writes are switched off
     ├── OperatorRequired        401  an operator call without the operator token
     ├── SeatNotFound            404  no such seat in this venue
     ├── EventNotFound           404  no such event
     ├── OrderNotFound           404  no such order, or not yours to see
     ├── SeatConflict            409  the seat's state forbids the operation
     │    ├── SeatTaken               held by someone else
     │    ├── SeatAlreadyBooked       booked: final
     │    ├── SeatNotHeld             nobody holds it
     │    ├── HoldNotYours            held, by another session or user
     │    ├── HoldExpired             your hold has lapsed
     │    ├── HoldLimitReached        you already hold MAX_HOLDS_PER_SESSION seats
     │    ├── ReholdCooldown          your own hold on it lapsed moments ago
     │    ├── SeatNotForSale          blocked by the operator
     │    ├── SeatNotBlockable        held or booked, so it cannot be blocked
     │    ├── CartEmpty               checkout of a cart that holds nothing
     │    ├── CartExtended            the cart's one checkout extension is used
     │    ├── OrderCancelled          the order is cancelled already
     │    ├── NoSeatsFit              best available found no free seats for the group
     │    ├── SellingFast             best available lost every retry to other buyers
     │    └── SalesNotOpen            the event is scheduled or closed
     ├── PayloadTooLarge         413  the body is over the limit
     ├── UnsupportedMediaType    415  a write whose body is not declared as JSON
     └── StoreUnavailable        503  Redis cannot be reached
          └── NotReplicated           a write no replica confirmed in time (it may be
                                      lost on a failover; a retry is safe)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

__all__ = [
    "BookingError",
    "CartEmpty",
    "CartExtended",
    "EventNotFound",
    "HoldExpired",
    "HoldLimitReached",
    "HoldNotYours",
    "InvalidRequest",
    "InvalidSession",
    "NoSeatsFit",
    "NotReplicated",
    "OperatorRequired",
    "OrderCancelled",
    "OrderNotFound",
    "PayloadTooLarge",
    "ReholdCooldown",
    "SalesNotOpen",
    "SeatAlreadyBooked",
    "SeatConflict",
    "SeatNotBlockable",
    "SeatNotForSale",
    "SeatNotFound",
    "SeatNotHeld",
    "SeatTaken",
    "SellingFast",
    "SessionRequired",
    "StoreUnavailable",
    "UnsupportedMediaType",
]


class BookingError(Exception):
    """An operation was refused; ``str(error)`` is the sentence shown to the client."""

    status_code = 500
    # The seat a refusal of several seats names (shown as the body's `seat_id`).
    seat_id: str | None = None
    # Response headers the refusal comes with.
    headers: ClassVar[Mapping[str, str]] = MappingProxyType({})


class InvalidRequest(BookingError):
    status_code = 400


class InvalidSession(InvalidRequest):
    pass


class SessionRequired(BookingError):
    status_code = 401


class OperatorRequired(BookingError):
    status_code = 401
    headers = MappingProxyType({"WWW-Authenticate": "Bearer"})


class SeatNotFound(BookingError):
    status_code = 404


class EventNotFound(BookingError):
    status_code = 404


class OrderNotFound(BookingError):
    status_code = 404


class SeatConflict(BookingError):
    status_code = 409


class SeatTaken(SeatConflict):
    pass


class SeatAlreadyBooked(SeatConflict):
    pass


class SeatNotHeld(SeatConflict):
    pass


class HoldNotYours(SeatConflict):
    pass


class HoldExpired(SeatConflict):
    pass


class HoldLimitReached(SeatConflict):
    pass


class ReholdCooldown(SeatConflict):
    pass


class SeatNotForSale(SeatConflict):
    pass


class SeatNotBlockable(SeatConflict):
    pass


class CartEmpty(SeatConflict):
    pass


class CartExtended(SeatConflict):
    pass


class OrderCancelled(SeatConflict):
    pass


class NoSeatsFit(SeatConflict):
    pass


class SellingFast(SeatConflict):
    pass


class SalesNotOpen(SeatConflict):
    pass


class PayloadTooLarge(BookingError):
    status_code = 413


class UnsupportedMediaType(BookingError):
    status_code = 415


class StoreUnavailable(BookingError):
    status_code = 503


class NotReplicated(StoreUnavailable):
    """The write happened on the master, but too few replicas confirmed it in time."""
