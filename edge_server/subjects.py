"""Which event a NATS subject speaks for, and whether it is a heartbeat.

The default event publishes on the seed's ``seats.held|released|booked`` and
``seats.heartbeat``; every other event on ``events.<id>.held|released|booked|heartbeat``.
A subject of any other shape names no event.
"""

from __future__ import annotations

from typing import NamedTuple

from shared.identifiers import is_event_id

__all__ = ["EVENT_SUBJECTS", "SEAT_SUBJECTS", "SubjectEvent", "event_of_subject"]

SEAT_SUBJECTS = "seats.>"
EVENT_SUBJECTS = "events.>"
HEARTBEAT = "heartbeat"
_KINDS = frozenset({"held", "released", "booked", HEARTBEAT})


class SubjectEvent(NamedTuple):
    """The event a subject belongs to, and whether it carries that event's heartbeat."""

    event_id: str
    heartbeat: bool


def event_of_subject(subject: str, default_event: str) -> SubjectEvent | None:
    """The event and kind of ``subject``, or None if it is not a seat subject."""
    parts = subject.split(".")
    if len(parts) == 2 and parts[0] == "seats" and parts[1] in _KINDS:
        return SubjectEvent(default_event, parts[1] == HEARTBEAT)
    if len(parts) == 3 and parts[0] == "events" and parts[2] in _KINDS and is_event_id(parts[1]):
        return SubjectEvent(parts[1], parts[2] == HEARTBEAT)
    return None
