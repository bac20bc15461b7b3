"""Seat statuses, change types and NATS subjects: the vocabulary both services speak.

Subjects: the default event keeps the seed's ``seats.held|released|booked`` and
``seats.heartbeat``; every other event ``events.<id>.held|released|booked|heartbeat``.
A lapse (``auto_released``) goes out on the ``released`` subject, as in the seed.
Edges report their connections on ``edges.census``; the booking service tells its
processes of a new audit entry on ``operator.audit``.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

__all__ = [
    "AUDIT_SUBJECT",
    "CENSUS_SUBJECT",
    "EVENTS_SUBJECT_ALL",
    "HEARTBEAT_SUBJECT",
    "STATUS_AFTER",
    "SUBJECT_ALL",
    "ChangeType",
    "SeatStatus",
    "event_of_subject",
    "heartbeat_subject",
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

# Every subject of the default event, and of every other event.
SUBJECT_ALL = "seats.>"
EVENTS_SUBJECT_ALL = "events.>"
HEARTBEAT_SUBJECT = "seats.heartbeat"
# Each edge's count of its connections (edges publish, the booking service listens).
CENSUS_SUBJECT = "edges.census"
# An operator action was recorded in an event's audit log ({"event_id"}; booking only).
AUDIT_SUBJECT = "operator.audit"

_DEFAULT_PREFIX = "seats."
_EVENT_PREFIX = "events."
_HEARTBEAT = "heartbeat"
_SUFFIXES = {
    ChangeType.HELD: "held",
    ChangeType.RELEASED: "released",
    ChangeType.BOOKED: "booked",
    # The seed has no subject of its own for lapses: they are releases.
    ChangeType.AUTO_RELEASED: "released",
}


def _prefix(event_id: str, default_event: str) -> str:
    return _DEFAULT_PREFIX if event_id == default_event else f"{_EVENT_PREFIX}{event_id}."


def subject_for(event_id: str, change_type: ChangeType, *, default_event: str) -> str:
    """The subject a change of this type to this event is published on (``seats.held`` …)."""
    return _prefix(event_id, default_event) + _SUFFIXES[change_type]


def heartbeat_subject(event_id: str, *, default_event: str) -> str:
    """The subject of this event's heartbeat (``seats.heartbeat`` for the default event)."""
    return _prefix(event_id, default_event) + _HEARTBEAT


def event_of_subject(subject: str, default_event: str) -> str | None:
    """The event a change or heartbeat subject belongs to, or None if it is not one of ours.

    ``seats.held`` → ``default_event``; ``events.jazz-3f9a.held`` → ``jazz-3f9a``.
    """
    if subject.startswith(_DEFAULT_PREFIX):
        return default_event
    parts = subject.split(".")
    if len(parts) == 3 and parts[0] + "." == _EVENT_PREFIX and parts[1]:
        return parts[1]
    return None
