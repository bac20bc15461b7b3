"""The seat commands over a real socket keep every HTTP/1.1 promise of the server.

A booking process answers these requests on its own lean path rather than through
ASGI; these tests speak raw HTTP to one, so that keep-alive, pipelining, HTTP/1.0,
``Expect: 100-continue``, chunked and oversized bodies and a client that leaves
mid-request are checked on the wire, where a client sees them.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import BookingProcess, NatsServer, RedisServer

SECRET = "wire-test-secret-0123456789-0123456789"


class Reply:
    """One HTTP response as read off the socket."""

    def __init__(self, head: bytes, body: bytes) -> None:
        status_line, *lines = head.decode("latin-1").split("\r\n")
        self.version, status, *_ = status_line.split(" ")
        self.status = int(status)
        self.headers = dict(
            (name.lower(), value.strip()) for name, _, value in (x.partition(":") for x in lines)
        )
        self.body = body

    def json(self) -> dict[str, object]:
        return json.loads(self.body)  # type: ignore[no-any-return]


class Wire:
    """A raw client connection: send bytes, read replies framed by Content-Length."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self._buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self._buffer += chunk
        return bool(chunk)

    def reply(self, *, head_only: bool = False) -> Reply:
        """The next reply; with ``head_only`` (to HEAD), no body is read whatever its
        Content-Length says."""
        while b"\r\n\r\n" not in self._buffer:
            assert self._fill(), f"connection closed before a reply; got {self._buffer!r}"
        head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        reply = Reply(head, b"")
        length = 0 if head_only else int(reply.headers.get("content-length", "0"))
        while len(self._buffer) < length:
            assert self._fill(), "connection closed mid-body"
        reply.body, self._buffer = self._buffer[:length], self._buffer[length:]
        return reply

    def closed_by_server(self) -> bool:
        """Whether the server closes the connection with nothing more sent."""
        return not self._buffer and not self._fill()

    def close(self) -> None:
        self.sock.close()


def command(
    action: str,
    body: bytes | dict[str, str],
    *,
    version: str = "1.1",
    headers: dict[str, str] | None = None,
    method: str = "POST",
) -> bytes:
    """A seat command request as bytes; the body a JSON object unless given raw."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    fields = {"host": "test", "content-type": "application/json", "content-length": str(len(raw))}
    fields.update(headers or {})
    head = "".join(f"{name}: {value}\r\n" for name, value in fields.items() if value)
    return f"{method} /api/seats/{action} HTTP/{version}\r\n{head}\r\n".encode() + raw


def seat(seat_id: str, user: str = "wire") -> dict[str, str]:
    return {"seat_id": seat_id, "user_id": user}


@pytest.fixture(scope="module")
def booking(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BookingProcess]:
    """One booking process (tokenless writes allowed) shared by the module's tests."""
    directory: Path = tmp_path_factory.mktemp("wire")
    redis, nats = RedisServer(directory / "redis"), NatsServer(directory / "nats")
    redis.start()
    nats.start()
    env = {
        "REDIS_URL": redis.url,
        "NATS_URL": nats.url,
        "DATA_DIR": str(directory / "data"),
        "SESSION_SECRET": SECRET,
        "ALLOW_TOKENLESS_WRITES": "true",
        "LOG_LEVEL": "info",
    }
    process = BookingProcess(directory / "logs", env, name="booking")
    try:
        process.start()
        yield process
    finally:
        process.stop()
        nats.stop()
        redis.stop()


@pytest.fixture
def wire(booking: BookingProcess) -> Iterator[Wire]:
    connection = Wire(booking.port)
    yield connection
    connection.close()


def test_reply_keeps_the_connection_and_its_headers(wire: Wire) -> None:
    """Two commands on one connection: both answered, the connection kept open, and
    each reply framed and dated as uvicorn frames its own."""
    wire.send(command("select", seat("A1")))
    selected = wire.reply()
    wire.send(command("release", seat("A1")))
    released = wire.reply()
    assert (selected.status, released.status) == (200, 200)
    assert released.json()["message"] == "Seat A1 released successfully"
    for reply in (selected, released):
        assert reply.version == "HTTP/1.1"
        assert reply.headers["content-type"] == "application/json"
        assert int(reply.headers["content-length"]) == len(reply.body)
        assert reply.headers["server"] == "uvicorn"
        assert reply.headers["date"].endswith(" GMT")
        assert "connection" not in reply.headers


def test_pipelined_commands_are_answered_in_order(wire: Wire) -> None:
    """Three commands sent in one write get three replies, in the order sent."""
    wire.send(
        command("select", seat("A2"))
        + command("select", seat("A3"))
        + command("release", seat("A2"))
    )
    replies = [wire.reply() for _ in range(3)]
    assert [r.status for r in replies] == [200, 200, 200]
    assert [r.json()["message"] for r in replies] == [
        "Seat A2 selected successfully",
        "Seat A3 selected successfully",
        "Seat A2 released successfully",
    ]
    wire.send(command("release", seat("A3")))
    assert wire.reply().status == 200


def test_pipelined_commands_and_other_calls_keep_their_order(wire: Wire) -> None:
    """A request served through the framework between two commands is answered between
    them."""
    health = b"GET /health HTTP/1.1\r\nhost: test\r\n\r\n"
    wire.send(command("select", seat("A4")) + health + command("release", seat("A4")))
    first, second, third = (wire.reply() for _ in range(3))
    assert [first.status, second.status, third.status] == [200, 200, 200]
    assert first.json()["seat_id"] == "A4"
    assert "seat_id" not in second.json()
    assert third.json()["message"] == "Seat A4 released successfully"


def test_connection_close_is_honoured(wire: Wire) -> None:
    """``Connection: close`` gets its reply, marked so, and then the server closes."""
    wire.send(command("select", seat("A5"), headers={"connection": "close"}))
    reply = wire.reply()
    assert reply.status == 200
    assert reply.headers["connection"] == "close"
    assert wire.closed_by_server()
    other = Wire(wire.sock.getpeername()[1])
    other.send(command("release", seat("A5")))
    assert other.reply().status == 200
    other.close()


def test_http_1_0_request_is_answered_and_closed(wire: Wire) -> None:
    """An HTTP/1.0 command is answered, with ``connection: close``, and the connection ends."""
    wire.send(command("select", seat("A6"), version="1.0"))
    reply = wire.reply()
    assert reply.status == 200
    assert reply.headers["connection"] == "close"
    assert wire.closed_by_server()


def test_expect_100_continue_invites_the_body(wire: Wire) -> None:
    """With ``Expect: 100-continue`` the server sends 100 Continue before the body comes,
    then the reply."""
    request = command("select", seat("A7"), headers={"expect": "100-continue"})
    head, _, body = request.partition(b"\r\n\r\n")
    wire.send(head + b"\r\n\r\n")
    assert wire.reply().status == 100
    wire.send(body)
    assert wire.reply().status == 200
    wire.send(command("release", seat("A7")))
    assert wire.reply().status == 200


def test_expect_100_continue_refused_without_asking_for_the_body(wire: Wire) -> None:
    """A request refused on its headers alone (not JSON) is answered 415 at once, with
    no 100 Continue, and the connection stays usable."""
    request = command(
        "select", seat("A8"), headers={"expect": "100-continue", "content-type": "text/plain"}
    )
    wire.send(request.partition(b"\r\n\r\n")[0] + b"\r\n\r\n")
    reply = wire.reply()
    assert reply.status == 415
    assert reply.json() == {"error": "Content-Type must be application/json"}


def test_chunked_body_is_accepted(wire: Wire) -> None:
    """A body sent in chunks, without Content-Length, is read whole."""
    body = json.dumps(seat("A9")).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:5], body[5:]))
    request = command("select", b"", headers={"content-length": "", "transfer-encoding": "chunked"})
    wire.send(request + chunks + b"0\r\n\r\n")
    reply = wire.reply()
    assert reply.status == 200, reply.body
    assert reply.json()["seat_id"] == "A9"
    wire.send(command("release", seat("A9")))
    assert wire.reply().status == 200


def test_oversized_body_is_413_before_it_is_read(wire: Wire) -> None:
    """A declared length over MAX_BODY_BYTES is answered 413 without waiting for the body."""
    request = command("select", b"", headers={"content-length": str(1 << 20)})
    wire.send(request)
    reply = wire.reply()
    assert reply.status == 413
    assert reply.json() == {"error": "Request body is larger than 4096 bytes"}


def test_bad_json_is_400(wire: Wire) -> None:
    """A body that is not JSON is answered 400 with the sentence the API uses."""
    wire.send(command("select", b'{"seat_id": '))
    reply = wire.reply()
    assert reply.status == 400
    assert reply.json() == {"error": "Request body is not valid JSON"}


@pytest.mark.parametrize("method", ["GET", "PUT", "HEAD"])
def test_wrong_method_is_405_with_allow(wire: Wire, method: str) -> None:
    """A seat command path with another method than POST is 405 naming POST in Allow
    (for HEAD, with the headers only)."""
    wire.send(command("select", b"", method=method, headers={"content-length": ""}))
    reply = wire.reply(head_only=method == "HEAD")
    assert reply.status == 405
    assert reply.headers["allow"] == "POST"
    assert reply.headers["content-length"] == "40"
    if method != "HEAD":
        assert reply.json() == {"error": "Method not allowed; use POST"}
    # Nothing follows the reply: the next one is the next request's.
    wire.send(command("release", seat("A1")))
    assert wire.reply().status == 409


def test_client_leaving_mid_body_changes_nothing(booking: BookingProcess) -> None:
    """A client that closes before its body is complete gets nothing done; the process
    goes on serving."""
    request = command("select", seat("B1"))
    leaving = Wire(booking.port)
    leaving.send(request[: request.index(b"\r\n\r\n") + 10])
    leaving.close()
    wire = Wire(booking.port)
    wire.send(command("select", seat("B1", user="other")))
    assert wire.reply().status == 200
    wire.send(command("release", seat("B1", user="other")))
    assert wire.reply().status == 200
    wire.close()
    booking.ensure_alive()


def test_commands_are_counted_in_the_metrics(booking: BookingProcess, wire: Wire) -> None:
    """Each command answered on the wire is one request in the request metrics, by
    command and outcome."""

    def count(operation: str, outcome: str) -> float:
        text = httpx.get(f"{booking.url}/metrics").text
        wanted = (
            f'booking_request_duration_seconds_count{{operation="{operation}",outcome="{outcome}"}}'
        )
        return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(wanted))

    before = count("select", "success"), count("release", "conflict")
    wire.send(command("select", seat("B2")) + command("release", seat("B3")))
    assert [wire.reply().status for _ in range(2)] == [200, 409]
    assert (count("select", "success"), count("release", "conflict")) == (
        before[0] + 1,
        before[1] + 1,
    )
    wire.send(command("release", seat("B2")))
    assert wire.reply().status == 200
