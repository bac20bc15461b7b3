"""Event ids made from names, and the paths of the seat commands."""

from __future__ import annotations

import pytest

from booking_service.api.commands import command_route
from booking_service.events.info import new_event_id
from shared.identifiers import is_event_id


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Jazz Night in Köln", "jazz-night-in-koln-"),
        ("  The Very Long Name of a Festival  ", "the-very-long-name-o-"),
        ("Sold -- Out", "sold-out-"),
        ("!!!", "event-"),
        ("Ünïcode ☃ Show", "unicode-show-"),
    ],
)
def test_event_id_from_name_is_a_slug_and_four_hex(name: str, slug: str) -> None:
    """A new id is the name's slug (at most 20 characters) plus "-" and 4 random hex digits."""
    event_id = new_event_id(name)
    assert event_id.startswith(slug)
    assert len(event_id) == len(slug) + 4
    assert is_event_id(event_id)


def test_event_id_rule_is_a_full_match() -> None:
    """Ids are 1-32 of a-z, 0-9 and -; upper case, dots, a newline or 33 characters are not."""
    assert is_event_id("main")
    for bad in ("", "Main", "a.b", "main\n", "a" * 33, "a/b"):
        assert not is_event_id(bad)


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/api/seats/select", (None, "select")),
        ("/api/events/jazz-1a2b/seats/book", ("jazz-1a2b", "book")),
        ("/api/events//seats/release", ("", "release")),
        ("/api/events/jazz/seats", None),
        ("/api/events/a/b/seats/select", None),
        ("/api/events/jazz/seats/refund", None),
        ("/api/seats", None),
    ],
)
def test_command_route_matches_seed_and_event_paths(
    path: str, route: tuple[str | None, str] | None
) -> None:
    """The lean path serves /api/seats/<action> and /api/events/{id}/seats/<action> only."""
    assert command_route(path) == route
