"""Seat statuses, event types and NATS subjects: the vocabulary both services speak."""

from __future__ import annotations

from enum import IntEnum, StrEnum

__all__ = [
    "HEARTBEAT_SUBJECT",
    "STATUS_AFTER",
    "SUBJECT_ALL",
    "EventType",
    "SeatStatus",
    "subject_for",
]


class SeatStatus(IntEnum):
    """A seat's state as the wire carries it."""

    AVAILABLE = 0
    HELD = 1
    BOOKED = 2


class EventType(StrEnum):
    """What happened to a seat, as carried in `SEAT_UPDATE.event_type`."""

    HELD = "held"
    RELEASED = "released"
    BOOKED = "booked"
    AUTO_RELEASED = "auto_released"


# The status a seat has after each kind of event.
STATUS_AFTER: dict[EventType, SeatStatus] = {
    EventType.HELD: SeatStatus.HELD,
    EventType.BOOKED: SeatStatus.BOOKED,
    EventType.RELEASED: SeatStatus.AVAILABLE,
    EventType.AUTO_RELEASED: SeatStatus.AVAILABLE,
}

SUBJECT_ALL = "seats.>"
HEARTBEAT_SUBJECT = "seats.heartbeat"

_SUBJECTS = {
    EventType.HELD: "seats.held",
    EventType.RELEASED: "seats.released",
    EventType.BOOKED: "seats.booked",
    # The seed has no subject of its own for lapses: they are releases.
    EventType.AUTO_RELEASED: "seats.released",
}


def subject_for(event_type: EventType) -> str:
    """The NATS subject an event of this type is published on."""
    return _SUBJECTS[event_type]
