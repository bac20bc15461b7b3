"""StateFrames: one event's ``VENUE_STATE`` frames, full and compact, each serialised once
per version however many clients ask.

The full frame is what seed clients get: ``{"event_id", <layout>, "seats": [every seat],
"version"}``, the layout being what the snapshot carried (``rows``/``cols`` of a grid,
``hold_seconds``). The compact frame is for clients that ask for it in ``SUBSCRIBE``:
``{"event_id", "version", "compact": true, "hold_seconds", "seats": [...], "booked": [...],
"blocked": [...]}`` with only the seats that are not available: held ones in ``seats``,
each with only what a client that has the plan needs to draw it (``COMPACT_SEAT_KEYS``:
``id``, ``status``, ``holder``, ``expires_at``), and booked and blocked ones as bare ids
(an on-sale's bulk, so a few bytes each). A client draws every seat it does not list as
available. Where a seat is and what it costs come from the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from edge_server.protocol import encode
from shared.constants import SeatStatus
from shared.messages import MessageType

__all__ = ["COMPACT_SEAT_KEYS", "StateFrames", "compact_seat"]

COMPACT_SEAT_KEYS = ("id", "status", "holder", "expires_at")


def compact_seat(seat: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of ``COMPACT_SEAT_KEYS`` the seat has, in that order."""
    return {key: seat[key] for key in COMPACT_SEAT_KEYS if key in seat}


class StateFrames:
    """The cached frames of one event; ``clear()`` when the seats changed at one version."""

    __slots__ = ("_compact", "_event_id", "_full")

    def __init__(self, event_id: str) -> None:
        self._event_id = event_id
        self._full: tuple[int, bytes] | None = None
        self._compact: tuple[int, bytes] | None = None

    def clear(self) -> None:
        """Forget both frames (a snapshot replaced the seats without a new version)."""
        self._full = self._compact = None

    def full(self, version: int, layout: Mapping[str, Any], seats: Iterable[Any]) -> bytes:
        """The full ``VENUE_STATE`` at ``version``."""
        cached = self._full
        if cached is not None and cached[0] == version:
            return cached[1]
        data = {"event_id": self._event_id, **layout, "seats": list(seats), "version": version}
        frame = encode(MessageType.VENUE_STATE, data)
        self._full = (version, frame)
        return frame

    def compact(self, version: int, layout: Mapping[str, Any], seats: Iterable[Any]) -> bytes:
        """The compact ``VENUE_STATE`` at ``version``: only the seats that are taken."""
        cached = self._compact
        if cached is not None and cached[0] == version:
            return cached[1]
        data: dict[str, Any] = {"event_id": self._event_id, "version": version, "compact": True}
        if "hold_seconds" in layout:
            data["hold_seconds"] = layout["hold_seconds"]
        held: list[dict[str, Any]] = []
        booked: list[str] = []
        blocked: list[str] = []
        for seat in seats:
            if seat.get("blocked"):
                blocked.append(seat["id"])
            elif seat.get("status") == SeatStatus.BOOKED:
                booked.append(seat["id"])
            elif seat.get("status") == SeatStatus.HELD:
                held.append(compact_seat(seat))
        data["seats"] = held
        data["booked"] = booked
        data["blocked"] = blocked
        frame = encode(MessageType.VENUE_STATE, data)
        self._compact = (version, frame)
        return frame
