"""The edge's handshake hook: WebSocket upgrades without version 13 get 426 (RFC 6455 4.4);
handshake headers are let go of once a connection is open."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import orjson
import pytest
from websockets.datastructures import Headers
from websockets.http11 import Request
from websockets.server import ServerProtocol

from edge_server.server import shed_handshake, version_refusal

UPGRADE = [("Host", "edge"), ("Upgrade", "websocket"), ("Connection", "Upgrade")]


def request(*extra: tuple[str, str]) -> Request:
    return Request("/ws", Headers([*UPGRADE, ("Sec-WebSocket-Key", "dGhlIHNhbXBsZQ=="), *extra]))


@pytest.mark.parametrize("version", [[], [("Sec-WebSocket-Version", "8")]])
def test_server_upgrade_without_version_13_gets_426(version: list[tuple[str, str]]) -> None:
    """No (or another) Sec-WebSocket-Version: 426 naming version 13, with a JSON error."""
    response = version_refusal(request(*version))
    assert response is not None
    assert response.status_code == 426
    assert response.headers["Sec-WebSocket-Version"] == "13"
    assert response.headers["Content-Type"] == "application/json"
    assert "Sec-WebSocket-Version" in orjson.loads(response.body)["error"]


def test_server_upgrade_with_version_13_goes_through() -> None:
    """A proper handshake is left to the WebSocket layer."""
    assert version_refusal(request(("Sec-WebSocket-Version", "13"))) is None


def test_server_plain_request_is_left_to_the_library() -> None:
    """A request that asks for no upgrade is not this hook's to refuse."""
    assert version_refusal(Request("/ws", Headers([("Host", "edge")]))) is None


def test_server_shed_handshake_empties_the_request_the_parser_holds() -> None:
    """The parsed request keeps its path but loses its headers, also where the library's
    parser still refers to it."""
    protocol = ServerProtocol()
    key = ("Sec-WebSocket-Key", "dGhlIHNhbXBsZQ==")
    lines = [f"{name}: {value}" for name, value in [*UPGRADE, key, ("Sec-WebSocket-Version", "13")]]
    protocol.receive_data("\r\n".join(["GET /ws HTTP/1.1", *lines, "", ""]).encode())
    [parsed] = protocol.events_received()
    assert isinstance(parsed, Request)
    held: Any = protocol.parser
    assert held.gi_frame.f_locals["request"] is parsed
    connection = SimpleNamespace(request=parsed, response=protocol.accept(parsed))
    shed_handshake(cast(Any, connection))
    assert connection.request is parsed
    assert (parsed.path, list(parsed.headers.raw_items())) == ("/ws", [])
    assert connection.response is None
