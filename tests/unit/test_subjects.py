"""NATS subjects per event: the seed's for the default event, events.<id>.* for the others."""

from __future__ import annotations

from shared.constants import ChangeType, event_of_subject, heartbeat_subject, subject_for


def test_subjects_default_event_keeps_the_seeds() -> None:
    """The default event's changes and heartbeat use seats.held|released|booked|heartbeat."""
    subjects = [subject_for("main", kind, default_event="main") for kind in ChangeType]
    assert subjects == ["seats.held", "seats.released", "seats.booked", "seats.released"]
    assert heartbeat_subject("main", default_event="main") == "seats.heartbeat"


def test_subjects_other_events_have_their_own() -> None:
    """Another event publishes on events.<id>.*, a lapse on .released."""
    assert (
        subject_for("jazz-1a2b", ChangeType.HELD, default_event="main") == "events.jazz-1a2b.held"
    )
    lapse = subject_for("jazz-1a2b", ChangeType.AUTO_RELEASED, default_event="main")
    assert lapse == "events.jazz-1a2b.released"
    assert heartbeat_subject("jazz-1a2b", default_event="main") == "events.jazz-1a2b.heartbeat"


def test_subjects_name_their_event() -> None:
    """event_of_subject reads the event back; other subjects belong to none."""
    assert event_of_subject("seats.booked", "main") == "main"
    assert event_of_subject("events.jazz-1a2b.heartbeat", "main") == "jazz-1a2b"
    assert event_of_subject("events..held", "main") is None
    assert event_of_subject("orders.created", "main") is None
