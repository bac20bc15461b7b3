"""ClientConnection's sessions, against a fake booking service and a fake socket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import orjson

from edge_server.booking_client import (
    BookingClient,
    BookingRefused,
    BookingUnavailable,
    NewSession,
)
from edge_server.connection import ClientConnection, ConnectionContext
from edge_server.hub import Hub
from edge_server.mirror import VenueMirror
from edge_server.stats import Stats
from shared.session_tokens import encode_claims

INVALID = "The session token is not valid; start a new session"
# Well-formed claims for a session that exists nowhere, with a made-up signature.
FORGED = encode_claims({"sid": "s-stolen", "uid": "mallory", "iat": 1}) + ".c2lnbmF0dXJl"


class FakeBooking:
    """Verifies only the tokens it issued; renews on every command when asked to."""

    def __init__(self, *, renew: bool = False, down: bool = False, old: bool = False) -> None:
        self.sessions: dict[str, NewSession] = {}
        self.commands: list[tuple[str, str, str]] = []
        self.renew = renew
        self.down = down
        self.old = old

    def issue(self, user_id: str) -> NewSession:
        number = len(self.sessions) + 1
        session = NewSession(f"token-{number}", user_id, f"holder-{user_id}")
        self.sessions[session.token] = session
        return session

    async def start_session(self, user_id: str | None) -> NewSession:
        return self.issue(user_id or "made-up")

    async def resume_session(self, token: str) -> NewSession:
        if self.down:
            raise BookingUnavailable("The booking service is unavailable")
        if self.old:
            raise BookingRefused("No such path: /api/session/resume", status=404)
        session = self.sessions.get(token)
        if session is None:
            raise BookingRefused(INVALID, status=400)
        renewed = NewSession(token + "-resumed", session.user_id, session.holder)
        self.sessions[renewed.token] = renewed
        return renewed

    async def seat_command(self, action: str, seat_id: str, token: str) -> dict[str, Any]:
        if token not in self.sessions:
            raise BookingRefused(INVALID, status=400)
        self.commands.append((action, seat_id, token))
        reply: dict[str, Any] = {"message": f"Seat {seat_id} {action}ed", "version": 1}
        if self.renew:
            reply["session_token"] = self.issue(self.sessions[token].user_id).token
        return reply


class FakeSocket:
    """Replays the client's messages, then ends; records what the server sent."""

    def __init__(self, *messages: dict[str, Any]) -> None:
        self.incoming = [orjson.dumps(message).decode() for message in messages]
        self.sent: list[dict[str, Any]] = []

    async def send(self, frame: bytes, *, text: bool) -> None:
        self.sent.append(orjson.loads(frame))

    async def __aiter__(self) -> AsyncIterator[str]:
        for message in self.incoming:
            yield message

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [frame["data"] for frame in self.sent if frame["type"] == kind]


async def converse(booking: FakeBooking, *messages: dict[str, Any]) -> FakeSocket:
    """Run one connection through ``messages``; the socket with every frame sent."""
    stats = Stats()
    context = ConnectionContext(
        hub=Hub(stats, slow_client_bytes=1 << 20, close_timeout=1.0),
        mirror=VenueMirror(),
        booking=cast(BookingClient, booking),
        stats=stats,
        rate_per_second=100.0,
        rate_burst=100,
        rate_strikes=100,
    )
    socket = FakeSocket(*messages)
    await ClientConnection(cast(Any, socket), context).run()
    return socket


def subscribe(**data: Any) -> dict[str, Any]:
    return {"type": "SUBSCRIBE", "data": data}


def select(seat_id: str) -> dict[str, Any]:
    return {"type": "SELECT_SEAT", "data": {"seat_id": seat_id}}


async def test_connection_forged_token_gets_a_fresh_session_that_works() -> None:
    """A token the booking service does not verify is replaced by a new session's token."""
    booking = FakeBooking()
    socket = await converse(booking, subscribe(session_token=FORGED), select("A1"))
    (ack,) = socket.of_type("SUBSCRIBE_ACK")
    assert ack["success"] is True
    assert ack["message"] == "Session token not recognised; started a new session"
    assert ack["data"]["session_token"] == "token-1"
    assert ack["data"]["user_id"] == "made-up"
    assert ack["data"]["holder"] == "holder-made-up"
    (response,) = socket.of_type("SELECT_SEAT_RESPONSE")
    assert response["success"] is True
    assert booking.commands == [("select", "A1", "token-1")]


async def test_connection_verified_token_is_resumed_with_its_renewed_token() -> None:
    """A verified token resumes its session, and the re-signed token is the one kept."""
    booking = FakeBooking()
    booking.issue("alice")
    socket = await converse(booking, subscribe(session_token="token-1"), select("A2"))
    (ack,) = socket.of_type("SUBSCRIBE_ACK")
    assert ack["success"] is True
    assert ack["message"] == "Subscribed to seat updates"
    assert ack["data"]["user_id"] == "alice"
    assert ack["data"]["holder"] == "holder-alice"
    assert ack["data"]["session_token"] == "token-1-resumed"
    assert booking.commands == [("select", "A2", "token-1-resumed")]


async def test_connection_keeps_a_token_renewed_in_a_command_reply() -> None:
    """A renewed token in a reply is used from then on and passed to the client."""
    booking = FakeBooking(renew=True)
    socket = await converse(booking, subscribe(user_id="bob"), select("A1"), select("A2"))
    first, second = socket.of_type("SELECT_SEAT_RESPONSE")
    assert first["data"]["session_token"] == "token-2"
    assert second["data"]["session_token"] == "token-3"
    assert [token for _, _, token in booking.commands] == ["token-1", "token-2"]


async def test_connection_unverifiable_token_is_not_reported_as_success() -> None:
    """With the booking service down, SUBSCRIBE with a token fails instead of echoing it."""
    booking = FakeBooking(down=True)
    socket = await converse(booking, subscribe(session_token="token-9"))
    (ack,) = socket.of_type("SUBSCRIBE_ACK")
    assert ack["success"] is False
    assert ack["data"]["session_token"] == "token-9"
    assert ack["data"]["holder"] is None


async def test_connection_token_a_booking_service_cannot_check_is_kept_not_replaced() -> None:
    """A booking service without /resume (404) is no verdict: the token is kept, unverified."""
    booking = FakeBooking(old=True)
    booking.issue("carol")
    socket = await converse(booking, subscribe(session_token="token-1"), select("A3"))
    (ack,) = socket.of_type("SUBSCRIBE_ACK")
    assert ack["success"] is False
    assert ack["data"]["session_token"] == "token-1"
    assert booking.commands == [("select", "A3", "token-1")]
