"""OperatorFeed: what the dashboards of this process hear on NATS.

One NATS link per booking process subscribes to every event's change subjects
(``seats.>`` for the default event, ``events.>`` for the others), to the edges'
census (``edges.census``) and to audit notices (``operator.audit``). It keeps the
newest ``RECENT_CHANGES`` changes of each event (since this process started; raw,
parsed only when a dashboard asks), the census, and tells ``on_change`` which event
changed (None: the census did). Heartbeats are not changes and are skipped.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import Any

import orjson
from nats.aio.client import Client
from nats.aio.msg import Msg

from booking_service.dashboard.census import Census, parse_report
from shared.constants import (
    AUDIT_SUBJECT,
    CENSUS_SUBJECT,
    EVENTS_SUBJECT_ALL,
    SUBJECT_ALL,
    event_of_subject,
)
from shared.nats_link import NatsLink

__all__ = ["RECENT_CHANGES", "OperatorFeed"]

logger = logging.getLogger(__name__)

RECENT_CHANGES = 50
_CHANGE_KEYS = ("event_type", "seat_id", "user_id", "status", "timestamp", "version")
_SUBJECTS = (SUBJECT_ALL, EVENTS_SUBJECT_ALL, CENSUS_SUBJECT, AUDIT_SUBJECT)


class OperatorFeed(NatsLink):
    """Recent changes per event and the census, kept from NATS while the link lives."""

    def __init__(self, servers: list[str], *, default_event: str) -> None:
        super().__init__(
            servers, name="booking-operator", on_connect=self._subscribe, drain_on_close=False
        )
        self._default_event = default_event
        self._recent: dict[str, deque[bytes]] = {}
        self.census = Census()
        self.on_change: Callable[[str | None], None] = lambda _: None

    def recent_changes(self, event_id: str) -> list[dict[str, Any]]:
        """The event's newest changes heard here, newest first (at most RECENT_CHANGES)."""
        changes = []
        for raw in reversed(self._recent.get(event_id, ())):
            body = orjson.loads(raw)
            changes.append({key: body.get(key) for key in _CHANGE_KEYS})
        return changes

    async def _subscribe(self, client: Client) -> None:
        await client.subscribe(CENSUS_SUBJECT, cb=self._census)
        await client.subscribe(AUDIT_SUBJECT, cb=self._audit)
        for subject in (SUBJECT_ALL, EVENTS_SUBJECT_ALL):
            await client.subscribe(subject, cb=self._change)
        await client.flush(timeout=2)
        logger.info("operator feed subscribed", extra={"subjects": list(_SUBJECTS)})

    async def _change(self, msg: Msg) -> None:
        if msg.subject.endswith(".heartbeat"):
            return
        event_id = event_of_subject(msg.subject, self._default_event)
        if event_id is None:
            return
        recent = self._recent.get(event_id)
        if recent is None:
            recent = self._recent[event_id] = deque(maxlen=RECENT_CHANGES)
        recent.append(msg.data)
        self.on_change(event_id)

    async def _census(self, msg: Msg) -> None:
        report = parse_report(msg.data)
        if report is None:
            logger.warning("census report refused", extra={"bytes": len(msg.data)})
            return
        self.census.note(report)
        self.on_change(None)

    async def _audit(self, msg: Msg) -> None:
        try:
            event_id = orjson.loads(msg.data).get("event_id")
        except (orjson.JSONDecodeError, AttributeError):
            return
        if isinstance(event_id, str):
            self.on_change(event_id)
