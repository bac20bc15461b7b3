"""The venue digest: a blocked seat contributes apart from the same seat unblocked."""

from __future__ import annotations

from shared.venue_digest import contribution, digest_of, seat_contribution


def test_venue_digest_blocked_seat_contributes_with_b() -> None:
    """A blocked seat's share is that of "<id>|<status>|<holder>|b", not the unblocked one."""
    blocked = {"id": "A1", "row": 0, "col": 0, "status": 0, "blocked": True}
    assert seat_contribution(blocked) == contribution("A1", 0, None, True)
    assert seat_contribution(blocked) != seat_contribution({**blocked, "blocked": False})
    assert digest_of([blocked]) != digest_of([{"id": "A1", "status": 0}])
