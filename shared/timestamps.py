"""Timestamps as the wire carries them."""

from __future__ import annotations

import time
from datetime import UTC, datetime

__all__ = ["iso_time", "unix_seconds"]


def iso_time(ms: int | None = None) -> str:
    """Unix milliseconds (default: now) as ISO-8601 UTC, e.g. ``2024-01-01T12:00:00.000Z``."""
    if ms is None:
        ms = int(time.time() * 1000)
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


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
