"""Timestamps as the wire carries them."""

from __future__ import annotations

import time
from datetime import UTC, datetime

__all__ = ["iso_time", "unix_seconds"]


# The last whole second formatted: every seat change carries a timestamp, and most fall
# in the same second as the one before.
_last_second: tuple[int, str] = (-1, "")


def iso_time(ms: int | None = None) -> str:
    """Unix milliseconds (default: now) as ISO-8601 UTC, e.g. ``2024-01-01T12:00:00.000Z``."""
    global _last_second
    if ms is None:
        ms = int(time.time() * 1000)
    second, millis = divmod(ms, 1000)
    seen, text = _last_second
    if second != seen:
        text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        _last_second = (second, text)
    return f"{text}.{millis:03d}Z"


def unix_seconds(value: object) -> float | None:
    """An ISO-8601 time with its offset (as ``iso_time`` writes it) as unix seconds;
    None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None
