"""LiveBoard: DASHBOARD frames pushed to this process's operator sockets as events change.

The board owns one push task per watched event, which counts the event's figures once
for all of its watchers: at once for a socket that just began to watch, and within
``MIN_GAP`` seconds of anything changing in the event (a seat, an order, an audit entry,
the connection counts), never more often than every ``MIN_GAP``. Each process pushes
to its own sockets and hears every change on NATS (``booking_service.dashboard.feed``),
so an operator sees what any process did. Each socket has one writer task
(``LiveSession``) that sends only the newest DASHBOARD, so a slow operator skips frames
instead of holding anyone up. The protocol of one socket is
``booking_service.dashboard.connection``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

import orjson
from starlette.websockets import WebSocket

from booking_service.dashboard.board import Dashboard
from booking_service.errors import BookingError
from booking_service.events.registry import Event, EventRegistry

__all__ = ["MIN_GAP", "LiveBoard", "LiveSession"]

logger = logging.getLogger(__name__)

MIN_GAP = 0.25
# How long a failed count waits before the next try.
RETRY_SECONDS = 1.0


class LiveSession:
    """One operator socket: frames go out through its one writer task, in order, except
    that a DASHBOARD not yet sent is replaced by a newer one."""

    def __init__(self, websocket: WebSocket) -> None:
        self._websocket = websocket
        self._control: deque[bytes] = deque()
        self._dashboard: bytes | None = None
        self._wake = asyncio.Event()
        self.event_id: str | None = None

    def send(self, frame: bytes) -> None:
        """Queue a control frame (WELCOME, ERROR)."""
        self._control.append(frame)
        self._wake.set()

    def offer(self, event_id: str, frame: bytes) -> None:
        """Queue a DASHBOARD of ``event_id``, replacing any not yet sent; ignored if the
        session watches another event by now."""
        if event_id == self.event_id:
            self._dashboard = frame
            self._wake.set()

    async def write(self) -> None:
        """Send queued frames until cancelled (or the socket fails)."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._control or self._dashboard is not None:
                frame: bytes | None
                if self._control:
                    frame = self._control.popleft()
                else:
                    frame, self._dashboard = self._dashboard, None
                assert frame is not None
                await self._websocket.send_text(frame.decode())


class _Watch:
    """The sessions watching one event, and the task that pushes its dashboard to them."""

    def __init__(self, event_id: str, board: LiveBoard) -> None:
        self.event_id = event_id
        self.sessions: set[LiveSession] = set()
        self._board = board
        self._fresh: set[LiveSession] = set()
        self._dirty = False
        self._wake = asyncio.Event()
        self._last_push = -MIN_GAP
        self.connected: dict[str, int] | None = None
        self.task = asyncio.create_task(self._run(), name=f"dashboard-{event_id}")

    def join(self, session: LiveSession) -> None:
        self.sessions.add(session)
        self._fresh.add(session)
        self._wake.set()

    def leave(self, session: LiveSession) -> None:
        self.sessions.discard(session)
        self._fresh.discard(session)

    def touch(self) -> None:
        self._dirty = True
        self._wake.set()

    async def _run(self) -> None:
        clock = asyncio.get_running_loop().time
        while True:
            await self._wake.wait()
            self._wake.clear()
            if not self._fresh:
                # A change: wait out the gap since the last push, gathering what else comes.
                await asyncio.sleep(max(0.0, self._last_push + MIN_GAP - clock()))
            fresh, self._fresh = self._fresh, set()
            push_all = self._dirty and clock() >= self._last_push + MIN_GAP
            if push_all:
                # Cleared before counting: a change while the count reads Redis may be
                # missing from this frame, so it must leave the event dirty again.
                self._dirty = False
            frame = await self._count()
            if frame is None:
                self._fresh |= fresh
                self._dirty = True
                await asyncio.sleep(RETRY_SECONDS)
                self._wake.set()
                continue
            for session in self.sessions if push_all else fresh & self.sessions:
                session.offer(self.event_id, frame)
            if push_all:
                self._last_push = clock()
            if self._dirty:
                self._wake.set()

    async def _count(self) -> bytes | None:
        try:
            event = await self._board.events.get(self.event_id)
            data = await self._board.dashboard.data(event)
        except BookingError as exc:
            logger.warning("dashboard not counted: %s", exc, extra={"event": self.event_id})
            return None
        except Exception:
            # A bug must not end the push task: the next change tries again.
            logger.exception("dashboard not counted", extra={"event": self.event_id})
            return None
        self.connected = data["connected"]
        return orjson.dumps({"type": "DASHBOARD", "event_id": self.event_id, "data": data})


class LiveBoard:
    """Every live session of this process, grouped by the event each watches."""

    def __init__(self, events: EventRegistry, dashboard: Dashboard) -> None:
        self.events = events
        self.dashboard = dashboard
        self._watches: dict[str, _Watch] = {}
        self._stopping: set[asyncio.Task[None]] = set()
        dashboard.feed.on_change = self.changed
        dashboard.feed.on_listening = self.recount

    def watch(self, session: LiveSession, event: Event) -> None:
        """Move ``session`` to ``event``'s watchers; it gets that event's dashboard at once."""
        self.leave(session)
        session.event_id = event.id
        watch = self._watches.get(event.id)
        if watch is None:
            watch = self._watches[event.id] = _Watch(event.id, self)
            self.dashboard.feed.watched(len(self._watches))
        watch.join(session)

    def leave(self, session: LiveSession) -> None:
        """Stop pushing to ``session``; an event nobody watches any more stops its task."""
        watch = self._watches.get(session.event_id or "")
        if watch is None:
            return
        watch.leave(session)
        if not watch.sessions:
            del self._watches[watch.event_id]
            self.dashboard.feed.watched(len(self._watches))
            watch.task.cancel()
            # Kept until it has ended, so close() can await it.
            self._stopping.add(watch.task)
            watch.task.add_done_callback(self._stopping.discard)

    def changed(self, event_id: str | None) -> None:
        """Something changed in ``event_id`` (None: the census, for any event)."""
        if event_id is not None:
            watch = self._watches.get(event_id)
            if watch is not None:
                watch.touch()
            return
        census = self.dashboard.feed.census
        for watch in self._watches.values():
            if census.connected(watch.event_id) != watch.connected:
                watch.touch()

    def recount(self) -> None:
        """Push every watched event's dashboard afresh (as soon as its gap allows)."""
        for watch in self._watches.values():
            watch.touch()

    async def close(self) -> None:
        """Cancel every push task and wait until each has ended."""
        tasks = [watch.task for watch in self._watches.values()] + list(self._stopping)
        self._watches.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
