"""Timestamps as the wire carries them."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.timestamps import iso_time


def test_iso_time_is_utc_with_milliseconds_across_seconds() -> None:
    """Each millisecond is written as its own UTC instant, whichever second came before."""
    for ms in (0, 999, 1_000, 1_700_000_000_123, 1_700_000_000_999, 1_700_000_001_000, 999):
        expected = datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")
        assert iso_time(ms) == expected.removesuffix("+00:00") + "Z"
    assert iso_time(1_700_000_000_123) == "2023-11-14T22:13:20.123Z"
