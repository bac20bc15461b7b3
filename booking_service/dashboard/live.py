"""The live operator socket (``/api/admin/live``): DASHBOARD frames pushed as things change.

Protocol (every frame one JSON object):

1. The client sends ``{"type": "AUTH", "token", "operator"}`` within ``AUTH_SECONDS``.
   A wrong or missing token (or any other first frame) gets ``ERROR {"error":
   "Authentication required"}`` and the close code 1008; the right one ``WELCOME
   {"events": [...]}``, every event with its seat counts.
2. ``{"type": "WATCH", "event_id"}`` (again to switch) gets a ``DASHBOARD`` at once,
   and again within ``MIN_GAP`` seconds of anything changing in that event (a seat, an
   order, an audit entry, the connection counts), never more often than every
   ``MIN_GAP``. An unknown id gets ``ERROR {"error": "No event with id ..."}``.
3. Any other or malformed frame gets an ``ERROR`` and the connection stays. A frame over
   the size limit closes it with 1009, a flood (more than ``RATE`` frames a second on
   average, ``BURST`` at once) with 1008.

Each process pushes to its own sockets: every process hears every change on NATS
(``booking_service.dashboard.feed``), so an operator sees what any process did. The
``LiveBoard`` owns one push task per watched event, counting its figures once for all
of its watchers; each socket has one writer task that sends only the newest DASHBOARD,
so a slow operator skips frames instead of holding anyone up.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from booking_service.dashboard.board import Dashboard
from booking_service.dashboard.figures import seat_counts
from booking_service.errors import BookingError, EventNotFound, StoreUnavailable
from booking_service.events.registry import Event, EventRegistry
from booking_service.operator import AUTHENTICATION_REQUIRED, OperatorToken, operator_name

__all__ = ["AUTH_SECONDS", "MIN_GAP", "LiveBoard", "LiveSession", "event_listing"]

logger = logging.getLogger(__name__)

AUTH_SECONDS = 5.0
MIN_GAP = 0.25
RATE = 10.0
BURST = 20
# Close codes: policy violation (authentication, flood) and message too big.
POLICY = 1008
TOO_BIG = 1009
_MALFORMED = "Every frame must be one JSON object with a type"
# How long a failed count waits before the next try.
RETRY_SECONDS = 1.0


async def event_listing(events: EventRegistry) -> list[dict[str, Any]]:
    """Every event as ``GET /api/admin/events`` lists it: its description and seat counts."""
    await events.refresh()
    listed = []
    for event in events.known():
        seats = orjson.loads((await event.store.snapshot()).seats_json)
        listed.append({**event.info.model_dump(mode="json"), "counts": seat_counts(seats)})
    return listed


def _frame(kind: str, **fields: Any) -> bytes:
    return orjson.dumps({"type": kind, **fields})


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
                self._dirty = False
                self._last_push = clock()
            elif self._dirty:
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
        return _frame("DASHBOARD", event_id=self.event_id, data=data)


class LiveBoard:
    """Every live session of this process, grouped by the event each watches."""

    def __init__(self, events: EventRegistry, dashboard: Dashboard) -> None:
        self.events = events
        self.dashboard = dashboard
        self._watches: dict[str, _Watch] = {}
        self._stopping: set[asyncio.Task[None]] = set()
        dashboard.feed.on_change = self.changed

    def watch(self, session: LiveSession, event: Event) -> None:
        """Move ``session`` to ``event``'s watchers; it gets that event's dashboard at once."""
        self.leave(session)
        session.event_id = event.id
        watch = self._watches.get(event.id)
        if watch is None:
            watch = self._watches[event.id] = _Watch(event.id, self)
        watch.join(session)

    def leave(self, session: LiveSession) -> None:
        """Stop pushing to ``session``; an event nobody watches any more stops its task."""
        watch = self._watches.get(session.event_id or "")
        if watch is None:
            return
        watch.leave(session)
        if not watch.sessions:
            del self._watches[watch.event_id]
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

    async def close(self) -> None:
        """Cancel every push task and wait until each has ended."""
        tasks = [watch.task for watch in self._watches.values()] + list(self._stopping)
        self._watches.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def serve(self, websocket: WebSocket, token: OperatorToken, *, max_bytes: int) -> None:
        """Run one operator socket until it closes (the protocol in the module docstring)."""
        await websocket.accept()
        session = LiveSession(websocket)
        writer = asyncio.create_task(session.write(), name="live-writer")
        closing: _Closing | None = None
        try:
            reader = _Reader(websocket, max_bytes=max_bytes)
            who = await self._authenticate(reader, token)
            logger.info("operator watching live", extra={"operator": who})
            session.send(_frame("WELCOME", events=await event_listing(self.events)))
            while True:
                message = await reader.next()
                error = _MALFORMED if message is None else await self._handle(session, message)
                if error is not None:
                    session.send(_frame("ERROR", error=error))
        except _Closing as exc:
            closing = exc
        except (WebSocketDisconnect, _Gone):
            pass
        finally:
            self.leave(session)
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)
        await _close(websocket, closing)

    async def _authenticate(self, reader: _Reader, token: OperatorToken) -> str:
        """The operator's name once the first frame proves the token; _Closing if not."""
        try:
            async with asyncio.timeout(AUTH_SECONDS):
                message = await reader.next()
        except TimeoutError:
            raise _Closing(POLICY, AUTHENTICATION_REQUIRED) from None
        given = message.get("token") if message and message.get("type") == "AUTH" else None
        if message is None or not isinstance(given, str) or not token.matches(given):
            raise _Closing(POLICY, AUTHENTICATION_REQUIRED)
        name = message.get("operator")
        return (operator_name(name) if isinstance(name, str) else None) or "operator"

    async def _handle(self, session: LiveSession, message: dict[str, Any]) -> str | None:
        """Act on one frame after AUTH; the error to answer with, if any."""
        kind = message.get("type")
        if kind != "WATCH":
            return "Already authenticated" if kind == "AUTH" else f"Unknown message type: {kind}"
        event_id = message.get("event_id")
        if not isinstance(event_id, str):
            return "WATCH needs an event_id"
        try:
            event = await self.events.get(event_id)
        except EventNotFound:
            return f"No event with id {event_id[:100]}"
        except StoreUnavailable as exc:
            return str(exc)
        self.watch(session, event)
        return None


class _Gone(Exception):
    """The client went away."""


class _Closing(Exception):
    """The connection is to be closed with ``code``, after an ERROR saying ``error``."""

    def __init__(self, code: int, error: str | None = None) -> None:
        super().__init__(code, error)
        self.code = code
        self.error = error


async def _close(websocket: WebSocket, closing: _Closing | None) -> None:
    """Send the closing ERROR (if any) and close; nothing if the client went first."""
    if closing is None:
        return
    try:
        if closing.error is not None:
            await websocket.send_text(_frame("ERROR", error=closing.error).decode())
        await websocket.close(closing.code)
    except (WebSocketDisconnect, RuntimeError, OSError):
        logger.debug("operator socket gone before its close")


class _Reader:
    """Reads an operator socket's frames as JSON objects, within its limits.

    A frame that is not one JSON object reads as None; one over ``max_bytes`` or past
    the flood limit raises _Closing, the client's leaving _Gone.
    """

    def __init__(self, websocket: WebSocket, *, max_bytes: int) -> None:
        self._websocket = websocket
        self._max_bytes = max_bytes
        self._clock = asyncio.get_running_loop().time
        self._tokens = float(BURST)
        self._stamp = self._clock()

    async def next(self) -> dict[str, Any] | None:
        """The next frame as a JSON object, or None if it is not one."""
        message = await self._websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise _Gone
        raw = message.get("text") or message.get("bytes") or ""
        if len(raw) > self._max_bytes:
            raise _Closing(TOO_BIG)
        self._admit()
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        return body if isinstance(body, dict) else None

    def _admit(self) -> None:
        now = self._clock()
        self._tokens = min(float(BURST), self._tokens + (now - self._stamp) * RATE)
        self._stamp = now
        if self._tokens < 1.0:
            raise _Closing(POLICY, "Too many messages")
        self._tokens -= 1.0
