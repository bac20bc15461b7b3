"""Timestamps as the wire carries them."""

from __future__ import annotations

import time
from datetime import UTC, datetime

__all__ = ["iso_time"]


def iso_time(ms: int | None = None) -> str:
    """Unix milliseconds (default: now) as ISO-8601 UTC, e.g. ``2024-01-01T12:00:00.000Z``."""
    if ms is None:
        ms = int(time.time() * 1000)
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"
