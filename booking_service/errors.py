"""Domain errors of the booking service, each with the HTTP status it answers with.

::

    BookingError
     ├── InvalidRequest          400  the request is malformed
     │    └── InvalidSession     400  the session token is not one we issued
     ├── SessionRequired         401  tokenless writes are switched off
     ├── SeatNotFound            404  no such seat in this venue
     ├── SeatConflict            409  the seat's state forbids the operation
     │    ├── SeatTaken               held by someone else
     │    ├── SeatAlreadyBooked       booked: final
     │    ├── SeatNotHeld             nobody holds it
     │    ├── HoldNotYours            held, by another session or user
     │    └── HoldExpired             your hold has lapsed
     ├── PayloadTooLarge         413  the body is over the limit
     ├── UnsupportedMediaType    415  a write whose body is not declared as JSON
     └── StoreUnavailable        503  Redis cannot be reached
"""

from __future__ import annotations

__all__ = [
    "BookingError",
    "HoldExpired",
    "HoldNotYours",
    "InvalidRequest",
    "InvalidSession",
    "PayloadTooLarge",
    "SeatAlreadyBooked",
    "SeatConflict",
    "SeatNotFound",
    "SeatNotHeld",
    "SeatTaken",
    "SessionRequired",
    "StoreUnavailable",
    "UnsupportedMediaType",
]


class BookingError(Exception):
    """An operation was refused; ``str(error)`` is the sentence shown to the client."""

    status_code = 500


class InvalidRequest(BookingError):
    status_code = 400


class InvalidSession(InvalidRequest):
    pass


class SessionRequired(BookingError):
    status_code = 401


class SeatNotFound(BookingError):
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


class PayloadTooLarge(BookingError):
    status_code = 413


class UnsupportedMediaType(BookingError):
    status_code = 415


class StoreUnavailable(BookingError):
    status_code = 503
