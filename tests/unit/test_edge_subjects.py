"""Which event a NATS subject speaks for."""

from __future__ import annotations

import pytest

from edge_server.subjects import SubjectEvent, event_of_subject


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("seats.held", SubjectEvent("main", heartbeat=False)),
        ("seats.heartbeat", SubjectEvent("main", heartbeat=True)),
        ("events.rock-1a2b.released", SubjectEvent("rock-1a2b", heartbeat=False)),
        ("events.rock-1a2b.heartbeat", SubjectEvent("rock-1a2b", heartbeat=True)),
        ("events.main.booked", SubjectEvent("main", heartbeat=False)),
        ("seats.other", None),
        ("seats.held.extra", None),
        ("events.rock-1a2b", None),
        ("events.Rock.held", None),
        ("events.rock-1a2b.auto_released", None),
        ("orders.rock-1a2b.held", None),
    ],
)
def test_subjects_name_their_event(subject: str, expected: SubjectEvent | None) -> None:
    """seats.* is the default event's, events.<id>.* that event's; anything else none."""
    assert event_of_subject(subject, "main") == expected
