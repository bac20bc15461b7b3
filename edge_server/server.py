"""The edge's listening socket: WebSocket on ``/ws``; ``/health``, ``/stats`` and
``/metrics`` (Prometheus) answered during the handshake hook, on the same port.

A WebSocket upgrade on ``/ws`` without ``Sec-WebSocket-Version: 13`` is answered 426
Upgrade Required with ``Sec-WebSocket-Version: 13`` (RFC 6455 section 4.4); left to
the websockets library it would be a plain-text 400.

Connections are configured for many small messages to many clients: no compression
(it triples memory per connection), a small ``max_size`` (bigger frames close with
1009), no keepalive task per connection (``edge_server.keepalive`` pings them all from
one), and a write limit past which the hub considers a client slow.
Closing the server closes every connection with 1001 (going away), so clients
reconnect elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.typing import Origin

from edge_server.hub import Hub
from shared.config import EdgeSettings

__all__ = ["WS_PATHS", "WS_VERSION", "create_server", "shed_handshake", "version_refusal"]

logger = logging.getLogger(__name__)

WS_PATHS = frozenset({"/ws", "/ws/"})
CLOSE_TIMEOUT = 2.0
WS_VERSION = "13"

Handler = Callable[[ServerConnection], Awaitable[None]]
Report = Callable[[], dict[str, Any]]
Exposition = Callable[[], bytes]


def _json_response(status: HTTPStatus, body: dict[str, Any]) -> Response:
    payload = orjson.dumps(body)
    headers = Headers(
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            ("Cache-Control", "no-store"),
            ("Connection", "close"),
        ]
    )
    return Response(status.value, status.phrase, headers, payload)


def version_refusal(request: Request) -> Response | None:
    """426 for a WebSocket upgrade that does not ask for version 13, else None.

    Requests that do not ask for an upgrade to ``websocket`` are left to the library,
    which already answers them 426 with ``Upgrade: websocket``.
    """
    headers = request.headers
    upgrades = {
        token.strip().lower() for value in headers.get_all("Upgrade") for token in value.split(",")
    }
    if "websocket" not in upgrades or headers.get_all("Sec-WebSocket-Version") == [WS_VERSION]:
        return None
    response = _json_response(
        HTTPStatus.UPGRADE_REQUIRED,
        {"error": f"WebSocket upgrades need the header Sec-WebSocket-Version: {WS_VERSION}"},
    )
    response.headers["Sec-WebSocket-Version"] = WS_VERSION
    return response


def shed_handshake(connection: ServerConnection) -> None:
    """Let go of an open connection's handshake headers, which nothing reads once it is
    open: a few KiB per idle viewer. The request keeps its path (the library expects a
    request once the handshake is done)."""
    if connection.request is not None:
        # Emptied in place: the library's parser holds this Request for the connection's
        # whole life (a local of its suspended generator), so replacing it frees nothing.
        connection.request.headers.clear()
    connection.response = None


def _metrics_response(body: bytes) -> Response:
    headers = Headers(
        [
            ("Content-Type", CONTENT_TYPE_LATEST),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("Connection", "close"),
        ]
    )
    return Response(HTTPStatus.OK.value, HTTPStatus.OK.phrase, headers, body)


def _router(
    health: Report, stats: Report, metrics: Exposition
) -> Callable[[ServerConnection, Request], Response | None]:
    """The handshake hook: answers the HTTP paths, lets ``/ws`` through, 404 for the rest."""

    def process_request(_: ServerConnection, request: Request) -> Response | None:
        path = request.path.partition("?")[0]
        if path in WS_PATHS:
            return version_refusal(request)
        if path == "/health":
            return _json_response(HTTPStatus.OK, health())
        if path == "/stats":
            return _json_response(HTTPStatus.OK, stats())
        if path == "/metrics":
            return _metrics_response(metrics())
        return _json_response(HTTPStatus.NOT_FOUND, {"error": f"No such path: {path[:100]}"})

    return process_request


def create_server(
    settings: EdgeSettings,
    handler: Handler,
    hub: Hub,
    *,
    health: Report,
    stats: Report,
    metrics: Exposition,
) -> Server:
    """The (not yet started) server; use it as ``async with create_server(...) as server``."""
    allowed = settings.origins()
    # None in the list lets clients without an Origin header (not browsers) connect.
    origins = None if allowed is None else [*(Origin(value) for value in allowed), None]
    return serve(
        handler,
        settings.host,
        settings.port,
        origins=origins,
        compression=None,
        process_request=_router(health, stats, metrics),
        server_header=None,
        open_timeout=10,
        # edge_server.keepalive pings every connection (settings.ping_interval / _timeout).
        ping_interval=None,
        close_timeout=CLOSE_TIMEOUT,
        max_size=settings.max_message_bytes,
        max_queue=16,
        write_limit=max(4096, settings.slow_client_bytes // 4),
        create_connection=hub.connection_type(),
    )
