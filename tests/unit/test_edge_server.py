"""The edge's handshake hook: WebSocket upgrades without version 13 get 426 (RFC 6455 4.4)."""

from __future__ import annotations

import orjson
import pytest
from websockets.datastructures import Headers
from websockets.http11 import Request

from edge_server.server import version_refusal

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
