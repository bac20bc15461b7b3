"""OperatorFeed: what the dashboards of this process hear on NATS.

One NATS link per booking process listens to the edges' census (``edges.census``) and
to audit notices (``operator.audit``) all the time: both are a few messages a second.
Seat changes are another matter: every process would pay for every change of every
process, on the hot path of an on-sale, so the feed subscribes to them (``seats.>``
for the default event, ``events.>`` for the others) only while a dashboard of this
process wants them: while a live socket watches an event here, and for ``LINGER``
seconds after a dashboard was last read. It keeps the newest ``RECENT_CHANGES`` changes
of each event heard meanwhile (raw, parsed only when a dashboard asks) and forgets
them when it stops listening, so a list of recent changes never has a hole. It tells
``on_change`` which event changed (None: the census did; heartbeats are skipped), and
``on_listening`` when it has begun to listen, as a change made just before was missed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import orjson
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from booking_service.dashboard.census import Census, parse_report
from shared.constants import (
    AUDIT_SUBJECT,
    CENSUS_SUBJECT,
    EVENTS_SUBJECT_ALL,
    SUBJECT_ALL,
    event_of_subject,
)
from shared.nats_link import NatsError, NatsLink

__all__ = ["LINGER", "RECENT_CHANGES", "OperatorFeed"]

logger = logging.getLogger(__name__)

RECENT_CHANGES = 50
# How long the feed listens to changes after a dashboard was last read (seconds).
LINGER = 60.0
RETRY_SECONDS = 1.0
_CHANGE_KEYS = ("event_type", "seat_id", "user_id", "status", "timestamp", "version")
_CHANGE_SUBJECTS = (SUBJECT_ALL, EVENTS_SUBJECT_ALL)


class OperatorFeed(NatsLink):
    """The census always, and recent changes per event while dashboards want them."""

    def __init__(
        self, servers: list[str], *, default_event: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(
            servers,
            name="booking-operator",
            on_connect=self._subscribe,
            on_ready=self._wake_up,
            drain_on_close=False,
        )
        self._default_event = default_event
        self._clock = clock
        self._recent: dict[str, deque[bytes]] = {}
        self._changes: list[Subscription] = []
        self._watching = 0
        self._read_until = 0.0
        self._wake = asyncio.Event()
        self.census = Census()
        self.on_change: Callable[[str | None], None] = lambda _: None
        self.on_listening: Callable[[], None] = lambda: None

    @property
    def listening(self) -> bool:
        """Whether the feed is subscribed to seat changes right now."""
        return bool(self._changes)

    def watched(self, count: int) -> None:
        """Live sockets of this process now watch ``count`` events (changes wanted while > 0)."""
        self._watching = count
        self._wake.set()

    def read(self) -> None:
        """A dashboard was read: listen to changes for the next ``LINGER`` seconds."""
        self._read_until = self._clock() + LINGER
        if not self._changes:
            self._wake.set()

    def recent_changes(self, event_id: str) -> list[dict[str, Any]]:
        """The event's newest changes heard here, newest first (at most RECENT_CHANGES)."""
        changes = []
        for raw in reversed(self._recent.get(event_id, ())):
            body = orjson.loads(raw)
            changes.append({key: body.get(key) for key in _CHANGE_KEYS})
        return changes

    async def run(self) -> None:
        """Subscribe to changes while they are wanted and NATS is up, unsubscribe when
        they no longer are; until cancelled."""
        while True:
            wanted = self._watching > 0 or self._clock() < self._read_until
            client = self.client
            if wanted and not self._changes and client is not None and self.connected:
                await self._listen(client)
            elif not wanted and self._changes:
                await self._stop_listening()
            # Only a read dashboard's lingering ends by itself: wake when it does.
            lingering = wanted and not self._watching
            timeout = max(0.0, self._read_until - self._clock()) if lingering else None
            self._wake.clear()
            try:
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def _listen(self, client: Client) -> None:
        try:
            for subject in _CHANGE_SUBJECTS:
                self._changes.append(await client.subscribe(subject, cb=self._change))
            await client.flush(timeout=2)
        except (NatsError, TimeoutError) as exc:
            logger.warning("operator feed cannot listen to changes: %s", exc)
            await self._stop_listening()
            await asyncio.sleep(RETRY_SECONDS)
            self._wake.set()
            return
        logger.info("operator feed listening to changes", extra={"subjects": _CHANGE_SUBJECTS})
        # A change made while the subscription was on its way was not heard: count again.
        self.on_listening()

    async def _stop_listening(self) -> None:
        changes, self._changes = self._changes, []
        for subscription in changes:
            try:
                await subscription.unsubscribe()
            except NatsError as exc:
                logger.debug("operator feed unsubscribe failed: %s", exc)
        self._recent.clear()
        logger.info("operator feed stopped listening to changes")

    def _wake_up(self) -> None:
        self._wake.set()

    async def _subscribe(self, client: Client) -> None:
        await client.subscribe(CENSUS_SUBJECT, cb=self._census)
        await client.subscribe(AUDIT_SUBJECT, cb=self._audit)
        await client.flush(timeout=2)
        logger.info("operator feed subscribed", extra={"subjects": [CENSUS_SUBJECT, AUDIT_SUBJECT]})

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
