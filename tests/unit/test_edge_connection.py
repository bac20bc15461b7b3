"""ClientConnection's sessions and watched events, against a fake booking service and a
fake socket."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection
from typing import Any, cast

import orjson

from edge_server.booking_client import (
    BookingClient,
    BookingRefused,
    BookingUnavailable,
    NewSession,
)
from edge_server.connection import ClientConnection, ConnectionContext
from edge_server.feed import VenueFeed
from edge_server.hub import Hub
from edge_server.mirror import VenueMirror
from edge_server.snapshots import SnapshotKeeper
from edge_server.stats import Stats
from edge_server.watchers import Watchers
from shared.session_tokens import encode_claims

INVALID = "The session token is not valid; start a new session"
# Well-formed claims for a session that exists nowhere, with a made-up signature.
FORGED = encode_claims({"sid": "s-stolen", "uid": "mallory", "iat": 1}) + ".c2lnbmF0dXJl"


class FakeBooking:
    """Verifies only the tokens it issued; renews on every command when asked to; keeps a
    cart per event and holder, whose seats are A1, A2, … in the order added."""

    def __init__(self, *, renew: bool = False, down: bool = False, old: bool = False) -> None:
        self.sessions: dict[str, NewSession] = {}
        self.commands: list[tuple[str, str, str, str]] = []
        self.events = {"main": venue("main", 4), "rock-1a2b": venue("rock-1a2b", 7)}
        self.renew = renew
        self.down = down
        self.old = old
        self.carts: dict[tuple[str, str], list[str]] = {}
        self.orders: dict[str, dict[str, Any]] = {}

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

    async def venue(self, event_id: str) -> dict[str, Any]:
        if event_id not in self.events:
            raise BookingRefused(f"No such event: {event_id}", status=404)
        return self.events[event_id]

    async def seat_command(
        self, event_id: str, action: str, seat_id: str, token: str
    ) -> dict[str, Any]:
        if token not in self.sessions:
            raise BookingRefused(INVALID, status=400)
        self.commands.append((event_id, action, seat_id, token))
        reply: dict[str, Any] = {"message": f"Seat {seat_id} {action}ed", "version": 1}
        if self.renew:
            reply["session_token"] = self.issue(self.sessions[token].user_id).token
        return reply

    def _holder(self, token: str) -> str:
        if self.down:
            raise BookingUnavailable("The booking service is unavailable")
        session = self.sessions.get(token)
        if session is None or session.holder is None:
            raise BookingRefused(INVALID, status=400)
        return session.holder

    def _cart(self, event_id: str, token: str) -> dict[str, Any]:
        holder = self._holder(token)
        seats = [
            {"id": seat_id, "row": 0, "col": 0, "status": 1, "holder": holder, "expires_at": 99}
            for seat_id in self.carts.get((event_id, holder), [])
        ]
        deadline = 99 if seats else None
        return {
            "event_id": event_id,
            "seats": seats,
            "expires_at": deadline,
            "expires_at_ms": None if deadline is None else deadline * 1000,
            "extended": False,
        }

    async def cart(self, event_id: str, token: str) -> dict[str, Any]:
        return self._cart(event_id, token)

    async def add_holds(self, event_id: str, seat_ids: list[str], token: str) -> dict[str, Any]:
        holder = self._holder(token)
        for (event, other), held in self.carts.items():
            taken = [seat_id for seat_id in seat_ids if event == event_id and seat_id in held]
            if taken and other != holder:
                raise BookingRefused(
                    f"Seat {taken[0]} was just taken by someone else; nothing was held",
                    status=409,
                    seat_id=taken[0],
                )
        self.carts.setdefault((event_id, holder), []).extend(seat_ids)
        return self._cart(event_id, token)

    async def book_cart(
        self, event_id: str, token: str, *, idempotency_key: str, buyer: dict[str, str]
    ) -> tuple[dict[str, Any], bool]:
        holder = self._holder(token)
        if idempotency_key in self.orders:
            return self.orders[idempotency_key], False
        seats = self.carts.pop((event_id, holder), [])
        if not seats:
            raise BookingRefused("Your cart is empty", status=409)
        order = {"reference": f"R{len(self.orders) + 1}", "seats": seats, **buyer}
        self.orders[idempotency_key] = order
        return order, True


def venue(event_id: str, version: int) -> dict[str, Any]:
    """A snapshot of a three-seat event whose A1 is booked."""
    seats = [{"id": f"A{col + 1}", "row": 0, "col": col, "status": 0} for col in range(3)]
    seats[0] = {**seats[0], "status": 2, "booked_by": "u0"}
    return {"event_id": event_id, "version": version, "hold_seconds": 30, "seats": seats}


Step = dict[str, Any] | Callable[[], None]


class FakeSocket:
    """Replays the client's messages, running the callables among them in between, then
    ends; records what the server sent, broadcasts included."""

    def __init__(self, *steps: Step) -> None:
        self.steps = steps
        self.sent: list[dict[str, Any]] = []

    async def send(self, frame: bytes, *, text: bool) -> None:
        self.sent.append(orjson.loads(frame))

    async def __aiter__(self) -> AsyncIterator[str]:
        for step in self.steps:
            if callable(step):
                step()
            else:
                yield orjson.dumps(step).decode()

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [frame["data"] for frame in self.sent if frame["type"] == kind]


class DeliveringHub(Hub):
    """Hands each broadcast frame straight to the fake sockets it is meant for."""

    def broadcast_frames(self, frames: list[bytes], *groups: Any) -> None:
        for frame in frames:
            self.broadcast(frame, *groups)

    def broadcast(self, frame: bytes, *groups: Collection[Any]) -> None:
        for group in groups:
            for socket in group:
                socket.sent.append(orjson.loads(frame))


class FakeEdge:
    """An edge's parts around a fake booking service, fed by hand-made NATS messages; the
    default event's first snapshot is in, as an edge fetches it when it starts."""

    def __init__(self, booking: FakeBooking) -> None:
        stats = Stats()
        hub = DeliveringHub(stats, slow_client_bytes=1 << 20, close_timeout=1.0)
        self.watchers = Watchers(default_event="main", linger=60.0, make_mirror=VenueMirror)
        self.watchers.default.mirror.apply_snapshot(booking.events["main"], 0.0)
        snapshots = SnapshotKeeper(
            self.watchers, hub, stats, fetch_snapshot=booking.venue, poll_interval=1.0
        )
        self.feed = VenueFeed(self.watchers, hub, stats, wake=snapshots.wake)
        self.context = ConnectionContext(
            hub=hub,
            watchers=self.watchers,
            snapshots=snapshots,
            booking=cast(BookingClient, booking),
            stats=stats,
            rate_per_second=100.0,
            rate_burst=100,
            rate_strikes=100,
        )

    def change(self, event_id: str, version: int, seat_id: str = "A2") -> Callable[[], None]:
        """A step: the booking service publishes a hold of ``seat_id`` on ``event_id``."""
        seat = {"id": seat_id, "row": 0, "col": int(seat_id[1:]) - 1, "status": 1}
        payload = {"event_type": "held", "seat_id": seat_id, "user_id": "u9", "status": 1}
        data = orjson.dumps({**payload, "version": version, "seat": seat, "event_id": event_id})
        subject = "seats.held" if event_id == "main" else f"events.{event_id}.held"
        return lambda: self.feed.on_nats_message(subject, data)

    async def converse(self, *steps: Step) -> FakeSocket:
        """Run one connection through ``steps``; the socket with every frame sent."""
        socket = FakeSocket(*steps)
        await ClientConnection(cast(Any, socket), self.context).run()
        return socket


async def converse(booking: FakeBooking, *steps: Step) -> FakeSocket:
    """Run one connection through ``steps`` on a fresh edge; the socket."""
    return await FakeEdge(booking).converse(*steps)


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
    assert booking.commands == [("main", "select", "A1", "token-1")]


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
    assert booking.commands == [("main", "select", "A2", "token-1-resumed")]


async def test_connection_keeps_a_token_renewed_in_a_command_reply() -> None:
    """A renewed token in a reply is used from then on and passed to the client."""
    booking = FakeBooking(renew=True)
    socket = await converse(booking, subscribe(user_id="bob"), select("A1"), select("A2"))
    first, second = socket.of_type("SELECT_SEAT_RESPONSE")
    assert first["data"]["session_token"] == "token-2"
    assert second["data"]["session_token"] == "token-3"
    assert [token for *_, token in booking.commands] == ["token-1", "token-2"]


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
    assert booking.commands == [("main", "select", "A3", "token-1")]


def kinds(socket: FakeSocket) -> list[tuple[str, str | None]]:
    """Each frame's type with the event it names (None for frames that name none)."""
    named = []
    for frame in socket.sent:
        data = frame["data"]
        event_id = data.get("event_id", (data.get("data") or {}).get("event_id"))
        named.append((frame["type"], event_id))
    return named


async def test_connection_without_event_id_watches_the_default_event() -> None:
    """A seed SUBSCRIBE gets the default event's full state, its updates, and commands act
    on it."""
    booking = FakeBooking()
    edge = FakeEdge(booking)
    socket = await edge.converse(subscribe(user_id="ann"), edge.change("main", 5), select("A3"))
    (state,) = socket.of_type("VENUE_STATE")
    assert state["event_id"] == "main"
    assert [seat["id"] for seat in state["seats"]] == ["A1", "A2", "A3"]
    assert "compact" not in state
    assert socket.of_type("SEAT_UPDATE")[0]["version"] == 5
    assert booking.commands == [("main", "select", "A3", "token-1")]


async def test_connection_before_subscribe_gets_the_default_events_updates() -> None:
    """A client that never subscribes still receives the default event's updates."""
    booking = FakeBooking()
    edge = FakeEdge(booking)
    socket = await edge.converse(edge.change("main", 5), edge.change("rock-1a2b", 8))
    assert kinds(socket)[1:] == [("SEAT_UPDATE", "main")]


async def test_connection_switches_events_with_a_later_subscribe() -> None:
    """A second SUBSCRIBE moves the connection: ACK and state of the new event, its updates
    and commands from then on, and none of the old event's."""
    booking = FakeBooking()
    edge = FakeEdge(booking)
    socket = await edge.converse(
        subscribe(),
        edge.change("main", 5),
        subscribe(event_id="rock-1a2b"),
        edge.change("main", 6, "A3"),
        edge.change("rock-1a2b", 8),
        select("A3"),
    )
    assert kinds(socket) == [
        ("WELCOME", None),
        ("SUBSCRIBE_ACK", "main"),
        ("VENUE_STATE", "main"),
        ("CART", "main"),
        ("SEAT_UPDATE", "main"),
        ("SUBSCRIBE_ACK", "rock-1a2b"),
        ("VENUE_STATE", "rock-1a2b"),
        ("CART", "rock-1a2b"),
        ("SEAT_UPDATE", "rock-1a2b"),
        ("SELECT_SEAT_RESPONSE", None),
    ]
    assert socket.of_type("VENUE_STATE")[1]["version"] == 7
    assert booking.commands == [("rock-1a2b", "select", "A3", "token-1")]
    assert edge.watchers.counts() == {"main": 0, "rock-1a2b": 0}


async def test_connection_unknown_event_is_refused_and_changes_nothing() -> None:
    """SUBSCRIBE to an event the booking service does not know: success false, "No such
    event: X", no state, no mirror kept, and the connection stays on its event."""
    booking = FakeBooking()
    edge = FakeEdge(booking)
    socket = await edge.converse(
        subscribe(event_id="rock-1a2b"),
        subscribe(event_id="gone-0000"),
        edge.change("rock-1a2b", 8),
        lambda: edge.watchers.get("gone-0000") is None or socket_failed(),
    )
    acks = socket.of_type("SUBSCRIBE_ACK")
    assert (acks[1]["success"], acks[1]["message"]) == (False, "No such event: gone-0000")
    assert acks[1]["data"]["event_id"] == "rock-1a2b"
    assert len(socket.of_type("VENUE_STATE")) == 1
    assert socket.of_type("SEAT_UPDATE")[0]["event_id"] == "rock-1a2b"


def socket_failed() -> None:
    raise AssertionError("a mirror was kept for an unknown event")


async def test_connection_compact_subscribe_gets_only_taken_seats() -> None:
    """SUBSCRIBE with compact: true gets the compact state (booked A1 only), then updates."""
    booking = FakeBooking()
    edge = FakeEdge(booking)
    socket = await edge.converse(
        subscribe(event_id="rock-1a2b", compact=True), edge.change("rock-1a2b", 8)
    )
    (state,) = socket.of_type("VENUE_STATE")
    assert state == {
        "event_id": "rock-1a2b",
        "version": 7,
        "compact": True,
        "hold_seconds": 30,
        "seats": [],
        "booked": ["A1"],
        "blocked": [],
    }
    assert socket.of_type("SEAT_UPDATE")[0]["version"] == 8


def cart_message(kind: str, **data: Any) -> dict[str, Any]:
    return {"type": kind, "data": data}


async def test_connection_subscribe_sends_the_cart_after_the_state() -> None:
    """A fresh session gets an empty CART without a call; a resumed one gets its cart."""
    booking = FakeBooking()
    edge = FakeEdge(booking)
    fresh = await edge.converse(subscribe())
    assert [frame["type"] for frame in fresh.sent][-2:] == ["VENUE_STATE", "CART"]
    assert fresh.of_type("CART") == [
        {
            "event_id": "main",
            "seats": [],
            "expires_at": None,
            "expires_at_ms": None,
            "extended": False,
        }
    ]
    assert edge.context.stats.cart_reads == 0
    booking.carts[("main", "holder-made-up")] = ["A2"]
    resumed = await edge.converse(subscribe(session_token="token-1"))
    (cart,) = resumed.of_type("CART")
    assert [seat["id"] for seat in cart["seats"]] == ["A2"]
    assert edge.context.stats.cart_reads == 1


async def test_connection_add_to_cart_answers_then_sends_the_cart() -> None:
    """ADD_TO_CART's response carries the cart, and CART follows it with the same cart."""
    booking = FakeBooking()
    socket = await converse(
        booking, subscribe(user_id="ann"), cart_message("ADD_TO_CART", seat_ids=["A2", "A3"])
    )
    assert [frame["type"] for frame in socket.sent][-2:] == ["ADD_TO_CART_RESPONSE", "CART"]
    (response,) = socket.of_type("ADD_TO_CART_RESPONSE")
    assert (response["success"], response["message"]) == (True, "Added A2, A3 to your cart")
    assert response["data"]["cart"] == socket.of_type("CART")[-1]
    assert [seat["id"] for seat in response["data"]["cart"]["seats"]] == ["A2", "A3"]


async def test_connection_refused_cart_command_names_the_seat_and_sends_no_cart() -> None:
    """A refusal answers success false with the seat in the way, and no CART follows."""
    booking = FakeBooking()
    booking.carts[("main", "holder-other")] = ["A3"]
    socket = await converse(
        booking, subscribe(), cart_message("ADD_TO_CART", seat_ids=["A2", "A3"])
    )
    (response,) = socket.of_type("ADD_TO_CART_RESPONSE")
    assert response["success"] is False
    assert response["message"] == "Seat A3 was just taken by someone else; nothing was held"
    assert response["data"] == {"seat_id": "A3"}
    assert socket.sent[-1]["type"] == "ADD_TO_CART_RESPONSE"
    assert len(socket.of_type("CART")) == 1


async def test_connection_cart_command_before_subscribe_starts_a_session() -> None:
    """A cart command as the first message starts a session, whose token it passes on."""
    booking = FakeBooking()
    socket = await converse(booking, cart_message("ADD_TO_CART", seat_ids=["A2"], user_id="bo"))
    (response,) = socket.of_type("ADD_TO_CART_RESPONSE")
    assert response["success"] is True
    assert response["data"]["session_token"] == "token-1"
    assert booking.carts == {("main", "holder-bo"): ["A2"]}
    assert socket.sent[-1]["type"] == "CART"


async def test_connection_book_cart_answers_with_the_order_once_per_key() -> None:
    """BOOK_CART answers with the order and created, then the cart as it is now; the same
    key again answers with the same order, created false."""
    booking = FakeBooking()
    book = cart_message("BOOK_CART", idempotency_key="k-1", name="Ann")
    socket = await converse(
        booking, subscribe(), cart_message("ADD_TO_CART", seat_ids=["A2"]), book, book
    )
    first, again = socket.of_type("BOOK_CART_RESPONSE")
    assert first["data"] == {
        "order": {"reference": "R1", "seats": ["A2"], "name": "Ann"},
        "created": True,
    }
    assert first["message"] == "Order R1 booked"
    assert (again["data"]["order"], again["data"]["created"]) == (first["data"]["order"], False)
    assert again["message"] == "Order R1 was booked already"
    types = [frame["type"] for frame in socket.sent]
    assert types[-4:] == ["BOOK_CART_RESPONSE", "CART", "BOOK_CART_RESPONSE", "CART"]
    assert socket.of_type("CART")[-1]["seats"] == []
