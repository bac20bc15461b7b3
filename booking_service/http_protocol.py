"""HttpProtocol: uvicorn's httptools protocol, with a lean path for the seat commands.

Two changes to uvicorn's HTTP/1.1 protocol, both for the cost per request of the
service's hot path:

- It writes through a ``CorkedTransport``, so a reply's head and body leave in one
  ``send``.
- A request whose path is a seat command (``command_route``) is answered by a
  ``CommandCycle`` instead of uvicorn's ASGI cycle: no scope, no message dicts, one
  write. Everything else about the connection (keep-alive, ``Connection: close``,
  HTTP/1.0, pipelined requests answered in order, ``Expect: 100-continue``, the
  keep-alive timeout, graceful shutdown) stays the protocol's own, since the command
  cycle takes the ASGI cycle's place in it. Requests the lean path does not cover go
  through ASGI as before, to the same ``SeatCommands.answer``: a chunked body, a
  percent-encoded path, a WebSocket upgrade, and any request while access logging,
  a ``root_path`` or a concurrency limit is configured.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from booking_service.api.commands import SeatCommands, command_route
from booking_service.app import BookingApp
from booking_service.command_cycle import CommandCycle
from booking_service.corked_transport import CorkedTransport

__all__ = ["HttpProtocol"]


def seat_commands(app: Any) -> SeatCommands | None:
    """The ``SeatCommands`` of the ``BookingApp`` under uvicorn's middleware, if any."""
    while app is not None:
        if isinstance(app, BookingApp):
            return app.commands
        app = getattr(app, "app", None)
    return None


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools HTTP/1.1 protocol, answering seat commands itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lean = not (self.access_log or self.root_path or self.limit_concurrency is not None)
        self._commands = seat_commands(self.app) if lean else None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        corked = CorkedTransport(cast(asyncio.Transport, transport), asyncio.get_running_loop())
        super().connection_made(corked)

    def on_headers_complete(self) -> None:
        cycle = self._command_cycle()
        if cycle is None:
            super().on_headers_complete()
            return
        # As uvicorn does for its own cycles: a request behind one still unanswered
        # waits, with reading paused, until that one's reply is out.
        existing = self.cycle
        self.cycle = cycle  # type: ignore[assignment]
        if existing is None or existing.response_complete:
            self._start_asgi_task(cycle, self.app)  # type: ignore[arg-type]
        else:
            self.flow.pause_reading()
            self.pipeline.appendleft((cycle, self.app))  # type: ignore[arg-type]

    def _command_cycle(self) -> CommandCycle | None:
        """A cycle for this request if it is a seat command the lean path covers."""
        if self._commands is None or self.parser.should_upgrade():
            return None
        raw_path = httptools.parse_url(self.url).path
        if b"%" in raw_path:
            return None
        route = command_route(path := raw_path.decode("ascii"))
        if route is None:
            return None
        headers = dict(self.headers)
        if b"transfer-encoding" in headers:
            return None
        return CommandCycle(
            self._commands,
            route,
            method=self.parser.get_method().decode("ascii"),
            path=path,
            headers=headers,
            transport=cast(CorkedTransport, self.transport),
            flow=self.flow,
            default_headers=self.server_state.default_headers,
            expect_100_continue=self.expect_100_continue,
            keep_alive=self.parser.get_http_version() != "1.0" and self.parser.should_keep_alive(),
            on_response=self.on_response_complete,
        )
