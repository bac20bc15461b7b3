"""Seat statuses, change types and NATS subjects: the vocabulary both services speak."""

from __future__ import annotations

from enum import IntEnum, StrEnum

__all__ = [
    "HEARTBEAT_SUBJECT",
    "STATUS_AFTER",
    "SUBJECT_ALL",
    "ChangeType",
    "SeatStatus",
    "subject_for",
]


class SeatStatus(IntEnum):
    """A seat's state as the wire carries it."""

    AVAILABLE = 0
    HELD = 1
    BOOKED = 2


class ChangeType(StrEnum):
    """What happened to a seat, as carried in `SEAT_UPDATE.event_type`."""

    HELD = "held"
    RELEASED = "released"
    BOOKED = "booked"
    AUTO_RELEASED = "auto_released"


# The status a seat has after each kind of change.
STATUS_AFTER: dict[ChangeType, SeatStatus] = {
    ChangeType.HELD: SeatStatus.HELD,
    ChangeType.BOOKED: SeatStatus.BOOKED,
    ChangeType.RELEASED: SeatStatus.AVAILABLE,
    ChangeType.AUTO_RELEASED: SeatStatus.AVAILABLE,
}

SUBJECT_ALL = "seats.>"
HEARTBEAT_SUBJECT = "seats.heartbeat"

_SUBJECTS = {
    ChangeType.HELD: "seats.held",
    ChangeType.RELEASED: "seats.released",
    ChangeType.BOOKED: "seats.booked",
    # The seed has no subject of its own for lapses: they are releases.
    ChangeType.AUTO_RELEASED: "seats.released",
}


def subject_for(event_type: ChangeType) -> str:
    """The NATS subject a change of this type is published on."""
    return _SUBJECTS[event_type]
