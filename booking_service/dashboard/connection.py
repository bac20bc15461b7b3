"""OperatorConnection: one live operator socket (``/api/admin/live``), by its protocol.

Every frame is one JSON object:

1. The client sends ``{"type": "AUTH", "token", "operator"}`` within ``AUTH_SECONDS``.
   A wrong or missing token (or any other first frame) gets ``ERROR {"error":
   "Authentication required"}`` and the close code 1008; the right one ``WELCOME
   {"events": [...]}``, every event with its seat counts.
2. ``{"type": "WATCH", "event_id"}`` (again to switch) gets a ``DASHBOARD`` at once and
   as the event changes (``booking_service.dashboard.live``). An unknown id gets
   ``ERROR {"error": "No event with id ..."}``.
3. Any other or malformed frame gets an ``ERROR`` and the connection stays. A frame over
   the size limit closes it with 1009, a flood (more than ``RATE`` frames a second on
   average, ``BURST`` at once) with 1008.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from booking_service.dashboard.board import event_listing
from booking_service.dashboard.live import LiveBoard, LiveSession
from booking_service.errors import EventNotFound, StoreUnavailable
from booking_service.operator import (
    AUTHENTICATION_REQUIRED,
    DEFAULT_OPERATOR,
    OperatorToken,
    operator_name,
)

__all__ = ["AUTH_SECONDS", "BURST", "RATE", "OperatorConnection"]

logger = logging.getLogger(__name__)

AUTH_SECONDS = 5.0
RATE = 10.0
BURST = 20
# Close codes: policy violation (authentication, flood), message too big, and the
# server unable to go on (Redis away while listing the events).
POLICY = 1008
TOO_BIG = 1009
UNAVAILABLE = 1011
_MALFORMED = "Every frame must be one JSON object with a type"


def _frame(kind: str, **fields: Any) -> bytes:
    return orjson.dumps({"type": kind, **fields})


class OperatorConnection:
    """Runs one operator socket for the board, with the operator token to check."""

    def __init__(
        self, websocket: WebSocket, board: LiveBoard, token: OperatorToken, *, max_bytes: int
    ) -> None:
        self._websocket = websocket
        self._board = board
        self._token = token
        self._max_bytes = max_bytes

    async def run(self) -> None:
        """Serve the socket until it closes (the protocol in the module docstring)."""
        websocket = self._websocket
        await websocket.accept()
        session = LiveSession(websocket)
        writer = asyncio.create_task(session.write(), name="live-writer")
        closing: _Closing | None = None
        try:
            reader = _Reader(websocket, max_bytes=self._max_bytes)
            who = await self._authenticate(reader)
            logger.info("operator connected live", extra={"operator": who})
            session.send(_frame("WELCOME", events=await event_listing(self._board.events)))
            while True:
                message = await reader.next()
                error = _MALFORMED if message is None else await self._handle(session, message)
                if error is not None:
                    session.send(_frame("ERROR", error=error))
        except _Closing as exc:
            closing = exc
        except StoreUnavailable as exc:
            closing = _Closing(UNAVAILABLE, str(exc))
        except (WebSocketDisconnect, _Gone):
            pass
        finally:
            self._board.leave(session)
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)
        await _close(websocket, closing)

    async def _authenticate(self, reader: _Reader) -> str:
        """The operator's name once the first frame proves the token; _Closing if not."""
        try:
            async with asyncio.timeout(AUTH_SECONDS):
                message = await reader.next()
        except TimeoutError:
            raise _Closing(POLICY, AUTHENTICATION_REQUIRED) from None
        given = message.get("token") if message and message.get("type") == "AUTH" else None
        if message is None or not isinstance(given, str) or not self._token.matches(given):
            raise _Closing(POLICY, AUTHENTICATION_REQUIRED)
        name = message.get("operator")
        return (operator_name(name) if isinstance(name, str) else None) or DEFAULT_OPERATOR

    async def _handle(self, session: LiveSession, message: dict[str, Any]) -> str | None:
        """Act on one frame after AUTH; the error to answer with, if any."""
        kind = message.get("type")
        if kind != "WATCH":
            return "Already authenticated" if kind == "AUTH" else f"Unknown message type: {kind}"
        event_id = message.get("event_id")
        if not isinstance(event_id, str):
            return "WATCH needs an event_id"
        try:
            event = await self._board.events.get(event_id)
        except EventNotFound:
            return f"No event with id {event_id[:100]}"
        except StoreUnavailable as exc:
            return str(exc)
        self._board.watch(session, event)
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
