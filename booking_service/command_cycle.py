"""CommandCycle: a seat command answered by the HTTP protocol itself, without ASGI.

For every request uvicorn builds an ASGI scope, a ``RequestResponseCycle`` with its
event, message dicts for the body and for each part of the reply, and checks every
reply header against two regular expressions. For the seat commands, whose handling
is a Redis script and a NATS publish, that machinery was a large share of the
service's CPU per request. A ``CommandCycle`` takes the place of uvicorn's cycle for
one such request (``HttpProtocol`` creates it when the path is a seat command) and
keeps the cycle's side of its contract with the protocol, so the protocol's own
keep-alive, pipelining, flow control, shutdown and disconnect handling apply to it
unchanged:

- the protocol appends the body to ``body`` as it arrives, clears ``more_body`` at its
  end, and calls ``message_event.set()`` after each;
- on a lost connection it sets ``disconnected``; at shutdown it clears ``keep_alive``;
- it starts ``run_asgi()`` as the request's task when the requests before it have been
  answered, and waits for ``on_response`` before starting the next one.

The reply is the one ``SeatCommands.answer`` gives the ASGI path, written as uvicorn
writes it (the server's default headers first, ``connection: close`` when the
connection ends after it, no body for HEAD), in one write.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping

from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.httptools_impl import STATUS_LINE

from booking_service.api.bodies import check_length
from booking_service.api.commands import CONTENT_TYPE, SeatCommands
from booking_service.corked_transport import CorkedTransport
from booking_service.metrics import observe_request

__all__ = ["CommandCycle"]

logger = logging.getLogger(__name__)

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_CONTENT_HEADERS = b"content-type: " + CONTENT_TYPE + b"\r\ncontent-length: %d\r\n"


class Arrival:
    """Wakes the request's task, if it waits for more of the body, when some arrives.

    What ``asyncio.Event`` is to uvicorn's cycle, without its state: the task checks
    ``more_body`` and ``disconnected`` itself before each wait.
    """

    __slots__ = ("_waiter",)

    def __init__(self) -> None:
        self._waiter: asyncio.Future[None] | None = None

    def set(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self) -> None:
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None


class CommandCycle:
    """One seat command request on a connection, from its headers to its reply."""

    __slots__ = (
        "_commands",
        "_default_headers",
        "_flow",
        "_headers",
        "_method",
        "_path",
        "_route",
        "_transport",
        "body",
        "disconnected",
        "keep_alive",
        "message_event",
        "more_body",
        "on_response",
        "response_complete",
        "waiting_for_100_continue",
    )

    def __init__(
        self,
        commands: SeatCommands,
        route: tuple[str | None, str],
        *,
        method: str,
        path: str,
        headers: Mapping[bytes, bytes],
        transport: CorkedTransport,
        flow: FlowControl,
        default_headers: list[tuple[bytes, bytes]],
        expect_100_continue: bool,
        keep_alive: bool,
        on_response: Callable[[], None],
    ) -> None:
        self._commands = commands
        self._route = route
        self._method = method
        self._path = path
        self._headers = headers
        self._transport = transport
        self._flow = flow
        self._default_headers = default_headers
        self.waiting_for_100_continue = expect_100_continue
        self.keep_alive = keep_alive
        self.on_response = on_response
        self.body = bytearray()
        self.more_body = True
        self.message_event = Arrival()
        self.disconnected = False
        self.response_complete = False

    async def run_asgi(self, app: object) -> None:
        """Answer the request and count it in the request metrics.

        Named after the method of uvicorn's cycle it stands in for; ``app`` is not used.
        """
        started = time.perf_counter()
        route = self._route
        try:
            status, body, extra = await self._commands.answer(
                route, self._method, self._headers, self._read, path=self._path
            )
            if self._flow.write_paused and not self.disconnected:
                await self._flow.drain()
            self._respond(status, body, extra)
        except Exception:
            logger.exception("reply not sent", extra={"path": self._path})
            self._transport.close()
            return
        observe_request(route[1], status, time.perf_counter() - started)

    async def _read(self, limit: int) -> bytes:
        if self.waiting_for_100_continue and not self._transport.is_closing():
            self._transport.write(_CONTINUE)
            self.waiting_for_100_continue = False
        while self.more_body and not self.disconnected:
            self._flow.resume_reading()
            await self.message_event.wait()
        # As over ASGI, a client gone mid-body leaves the part that came.
        check_length(None, len(self.body), limit=limit)
        return bytes(self.body)

    def _respond(self, status: int, body: bytes, extra: list[tuple[bytes, bytes]]) -> None:
        self.waiting_for_100_continue = False
        if self.disconnected or self._transport.is_closing():
            return
        parts = [STATUS_LINE[status]]
        for name, value in self._default_headers:
            parts += (name, b": ", value, b"\r\n")
        parts.append(_CONTENT_HEADERS % len(body))
        for name, value in extra:
            parts += (name, b": ", value, b"\r\n")
        if not self.keep_alive:
            parts.append(b"connection: close\r\n")
        parts.append(b"\r\n")
        if self._method != "HEAD":
            parts.append(body)
        self._transport.send(b"".join(parts))
        self.response_complete = True
        if not self.keep_alive:
            self._transport.close()
        self.on_response()
