"""The wire contract: what the test clients receive is checked against ``shared.messages``.

Each check returns a sentence naming the violation, or None; the clients collect them
and every test that used one fails if any was found.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from shared.constants import HEARTBEAT_SUBJECT
from shared.messages import (
    CART_SERVER_FRAMES,
    Envelope,
    Heartbeat,
    MessageType,
    SeatChange,
    SeatUpdates,
)

__all__ = ["event_violation", "frame_violation"]


def event_violation(subject: str, payload: Any) -> str | None:
    """Why a NATS message breaks the contract (a seat change or a heartbeat), if it does."""
    heartbeat = subject == HEARTBEAT_SUBJECT or subject.endswith(".heartbeat")
    model = Heartbeat if heartbeat else SeatChange
    try:
        model.model_validate(payload)
    except ValidationError as exc:
        return f"{subject}: {exc}"
    return None


def frame_violation(frame: Any) -> str | None:
    """Why a WebSocket frame breaks the contract, if it does."""
    try:
        envelope = Envelope.model_validate(frame)
        if envelope.type is MessageType.SEAT_UPDATE:
            SeatChange.model_validate(envelope.data)
        elif envelope.type is MessageType.SEAT_UPDATES:
            updates = SeatUpdates.model_validate(envelope.data)
            if updates.version != updates.updates[-1].version:
                return f"{frame!r:.200}: version is not the last update's"
        elif envelope.type in CART_SERVER_FRAMES:
            CART_SERVER_FRAMES[envelope.type].model_validate(envelope.data)
    except ValidationError as exc:
        return f"{frame!r:.200}: {exc}"
    return None
