"""ClientConnection: one browser connection, bound to one booking-service session, watching
one concert event at a time.

It promises, per connection:

- ``WELCOME`` first; then one answer per message, in order: ``SUBSCRIBE_ACK`` (followed
  by ``VENUE_STATE`` and ``CART``), the matching ``…_RESPONSE`` (a cart command's success
  followed by ``CART``), or ``ERROR``.
- Every seat command acts as this connection's session (its token goes to the booking
  service), whatever ``user_id`` the message claims. ``SUBSCRIBE`` with a
  ``session_token`` resumes that session once the booking service has verified the
  token (and re-signed it); a token it refuses (400) gets a fresh session instead,
  whose token the ``SUBSCRIBE_ACK`` carries. While it cannot say (unreachable, or
  any other answer), the token is kept unverified and the ACK says ``success: false``.
  Without a token a session is started, also when a seat command comes before any
  ``SUBSCRIBE`` (seed clients expect commands to just work). ``SUBSCRIBE_ACK`` names
  the session's ``holder`` tag.
- A token the booking service renews in a command's reply replaces the old one and is
  passed on in that response's ``data.session_token``.
- The connection watches the default event from the start (a seed client that never
  subscribes still gets its updates). ``SUBSCRIBE`` chooses the event (``event_id``;
  none: the default event) and the form of its state (``compact``); a later one
  switches: the old event's updates stop before the ``SUBSCRIBE_ACK``, and the new
  event's start with its ``VENUE_STATE``. ``batch: true`` asks for the changes as one
  ``SEAT_UPDATES`` frame per tick (``edge_server.ticks``) instead of one
  ``SEAT_UPDATE`` each. An event the booking service does not know
  gets ``SUBSCRIBE_ACK`` ``success: false`` "No such event: X" and changes nothing.
  Seat and cart commands act on the watched event.
- ``CART`` carries the session's cart on the watched event: after ``SUBSCRIBE``'s
  ``VENUE_STATE`` (also an empty one), after each cart command that succeeded, and
  whenever the cart changed otherwise (a lapse, another connection of the session, a
  seed seat command), as ``edge_server.carts`` finds out; never between a cart command
  and its response.
- ``VENUE_STATE`` is taken from the mirror right as the connection joins the event's
  watchers, with no await before it is written, so it includes every update sent
  before it and none after.
- Flooding is answered with one ``ERROR`` per streak and, if it goes on, close 1008.
  Oversized frames are closed with 1009 by the WebSocket layer (``max_size``).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Protocol

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode

from edge_server.booking_client import (
    BookingCallError,
    BookingClient,
    BookingRefused,
    BookingUnavailable,
    NewSession,
)
from edge_server.cart_commands import perform, without_token
from edge_server.carts import CartFollower, empty_cart
from edge_server.hub import Hub
from edge_server.protocol import (
    CART_RESPONSE_TYPES,
    RESPONSE_TYPES,
    CartCommand,
    Command,
    ProtocolError,
    encode,
    error_frame,
    parse_command,
    response_frame,
)
from edge_server.ratelimit import Admission, RateLimiter
from edge_server.snapshots import NoSuchEvent, SnapshotKeeper
from edge_server.stats import Stats
from edge_server.watchers import WatchedEvent, Watchers
from shared.messages import MessageType
from shared.timestamps import iso_time

__all__ = ["ClientConnection", "ConnectionContext"]

logger = logging.getLogger(__name__)

ABUSIVE_CLOSE_TIMEOUT = 0.5
SUBSCRIBED = "Subscribed to seat updates"
NEW_SESSION = "Session token not recognised; started a new session"

_ACTIONS = {
    MessageType.SELECT_SEAT: "select",
    MessageType.BOOK_SEAT: "book",
    MessageType.RELEASE_SEAT: "release",
}


class Sessions(Protocol):
    """Starts and resumes sessions: ``BookingClient`` or ``EdgeSessions``."""

    async def start_session(self, user_id: str | None) -> NewSession: ...

    async def resume_session(self, token: str) -> NewSession: ...


@dataclass(frozen=True, slots=True)
class ConnectionContext:
    """What every connection of this edge shares."""

    hub: Hub
    watchers: Watchers
    snapshots: SnapshotKeeper
    booking: BookingClient
    stats: Stats
    rate_per_second: float
    rate_burst: int
    rate_strikes: int
    # Where sessions are started and resumed: the booking service unless the edge signs.
    sessions: Sessions | None = None


class ClientConnection:
    """Speaks the protocol with one connection until it closes."""

    __slots__ = (
        "_cart",
        "_connection",
        "_context",
        "_event",
        "_holder",
        "_id",
        "_limiter",
        "_token",
        "_user_id",
    )

    def __init__(self, connection: ServerConnection, context: ConnectionContext) -> None:
        self._connection = connection
        self._context = context
        self._id = secrets.token_hex(6)
        self._limiter = RateLimiter(
            rate=context.rate_per_second,
            burst=context.rate_burst,
            strikes=context.rate_strikes,
            now=time.monotonic(),
        )
        self._token: str | None = None
        self._user_id: str | None = None
        self._holder: str | None = None
        self._event: WatchedEvent = context.watchers.default
        self._cart = CartFollower(read=self._read_cart, send=self._send)

    async def run(self) -> None:
        """Welcome the client, then answer its messages until the connection closes."""
        hub = self._context.hub
        self._context.stats.connections_total += 1
        try:
            await self._send(
                encode(
                    MessageType.WELCOME,
                    {
                        "client_id": self._id,
                        "total_clients": len(hub) + 1,
                        "server_time": iso_time(),
                    },
                )
            )
            hub.add(self._connection)
            self._event = self._context.watchers.join(self._event, self._connection, compact=False)
            async for message in self._connection:
                if not await self._receive(message):
                    return
        except ConnectionClosed:
            logger.debug("client went away", extra={"client": self._id})
        finally:
            hub.remove(self._connection)
            self._context.watchers.leave(self._event, self._connection, time.monotonic())
            await self._cart.close()

    async def _send(self, frame: bytes) -> None:
        self._context.stats.messages_out += 1
        await self._connection.send(frame, text=True)

    async def _receive(self, message: str | bytes) -> bool:
        """Handle one message; False once the connection is being closed."""
        stats = self._context.stats
        stats.messages_in += 1
        admission = self._limiter.admit(time.monotonic())
        if admission is not Admission.ALLOWED:
            stats.rate_limited += 1
            if admission is Admission.REFUSED:
                await self._send(error_frame("Too many messages; slow down"))
            elif admission is Admission.ABUSIVE:
                stats.abusive_clients_closed += 1
                logger.info("closing flooding client", extra={"client": self._id})
                await self._close_abusive()
                return False
            return True
        try:
            command = parse_command(message)
        except ProtocolError as exc:
            await self._send(error_frame(str(exc)))
            return True
        if isinstance(command, CartCommand):
            await self._cart_command(command)
        elif command.type is MessageType.SUBSCRIBE:
            await self._subscribe(command)
        else:
            await self._seat_command(command)
        return True

    async def _close_abusive(self) -> None:
        """Close with 1008, waiting only briefly for the closing handshake: the flood's
        unread messages keep reading paused, so the client's close frame may never be read."""
        try:
            async with asyncio.timeout(ABUSIVE_CLOSE_TIMEOUT):
                await self._connection.close(CloseCode.POLICY_VIOLATION, "message rate exceeded")
        except TimeoutError:
            self._connection.transport.abort()

    async def _subscribe(self, command: Command) -> None:
        before = self._token
        success, message = await self._subscribe_session(command)
        # A session started just now holds nothing: its cart needs no call.
        fresh = self._token != before and (command.session_token is None or message == NEW_SESSION)
        watchers = self._context.watchers
        event: WatchedEvent | None = None
        try:
            event = await self._context.snapshots.open(command.event_id or watchers.default_event)
        except NoSuchEvent as exc:
            success, message = False, str(exc)
        if event is not None:
            # Off the old event's broadcasts before the ACK (see module docstring).
            watchers.leave(self._event, self._connection, time.monotonic())
            self._cart.unfollow()
        ack: dict[str, object] = {
            "client_id": self._id,
            "user_id": self._user_id if self._user_id is not None else command.user_id,
            "holder": self._holder,
            "event_id": (self._event if event is None else event).event_id,
        }
        if self._token is not None:
            ack["session_token"] = self._token
        await self._send(
            response_frame(MessageType.SUBSCRIBE_ACK, success=success, message=message, data=ack)
        )
        if event is None:
            return
        self._event = watchers.join(
            event, self._connection, compact=command.compact, batch=command.batch
        )
        self._follow_cart()
        # No await between joining and writing the state (see module docstring). The
        # changes still in the event's tick are in the state already: they go out first.
        self._event.flush(self._context.hub)
        state = self._event.state_for(self._connection)
        if state is not None:
            await self._send(state)
        await self._send_cart(fresh=fresh)

    async def _subscribe_session(self, command: Command) -> tuple[bool, str]:
        """Resume or start the session ``SUBSCRIBE`` asks for; the ACK's success and message."""
        try:
            if command.session_token is not None:
                return True, await self._resume(command.session_token, command.user_id)
            if self._token is None:
                await self._start_session(command.user_id)
        except BookingCallError as exc:
            return False, str(exc)
        return True, SUBSCRIBED

    async def _resume(self, token: str, user_id: str | None) -> str:
        """Take on the session ``token`` grants, as the booking service verifies and renews
        it, or a fresh session if it does not verify; the ``SUBSCRIBE_ACK`` message."""
        try:
            session = await self._sessions().resume_session(token)
        except BookingRefused as exc:
            if exc.status != HTTPStatus.BAD_REQUEST:
                # Not a verdict on the token (e.g. a booking service without /resume).
                self._hold_unverified(token)
                raise
            logger.info("session token not recognised", extra={"client": self._id})
            await self._start_session(user_id)
            return NEW_SESSION
        except BookingUnavailable:
            self._hold_unverified(token)
            raise
        self._adopt(session)
        return SUBSCRIBED

    def _hold_unverified(self, token: str) -> None:
        """Keep a token that could not be checked: the client does not lose its session,
        and every command is verified by the booking service anyway."""
        self._token, self._user_id, self._holder = token, None, None
        self._follow_cart()

    async def _start_session(self, user_id: str | None) -> None:
        session = await self._sessions().start_session(user_id)
        self._adopt(session)
        logger.debug("session started", extra={"client": self._id, "user": session.user_id})

    def _sessions(self) -> Sessions:
        return self._context.sessions or self._context.booking

    def _adopt(self, session: NewSession) -> None:
        self._token, self._user_id, self._holder = session.token, session.user_id, session.holder
        self._follow_cart()

    def _follow_cart(self) -> None:
        """Follow the cart of the connection's session on the event it watches."""
        self._cart.follow(self._event.carts, self._holder)

    def _keep_renewed(self, token: str | None, data: dict[str, object]) -> None:
        """Hold on to a token the booking service renewed, and pass it to the client."""
        if token is not None:
            self._token = token
            data["session_token"] = token

    async def _seat_command(self, command: Command) -> None:
        assert command.seat_id is not None
        kind = RESPONSE_TYPES[command.type]
        data: dict[str, object] = {"seat_id": command.seat_id}
        try:
            if self._token is None:
                await self._start_session(command.user_id)
                self._keep_renewed(self._token, data)
            assert self._token is not None
            reply = await self._context.booking.seat_command(
                self._event.event_id, _ACTIONS[command.type], command.seat_id, self._token
            )
        except BookingCallError as exc:
            data["user_id"] = self._user_id
            if isinstance(exc, BookingRefused):
                self._keep_renewed(exc.session_token, data)
            await self._send(response_frame(kind, success=False, message=str(exc), data=data))
            return
        data["user_id"] = self._user_id
        for key in ("version", "expires_at", "seat"):
            if key in reply:
                data[key] = reply[key]
        renewed = reply.get("session_token")
        self._keep_renewed(renewed if isinstance(renewed, str) else None, data)
        message = str(reply.get("message") or "Done")
        await self._send(response_frame(kind, success=True, message=message, data=data))

    async def _cart_command(self, command: CartCommand) -> None:
        """Relay a cart command; its response, then (on success) ``CART``."""
        kind = CART_RESPONSE_TYPES[command.type]
        data: dict[str, object] = {}
        async with self._cart.exclusive():
            try:
                if self._token is None:
                    await self._start_session(command.user_id)
                    self._keep_renewed(self._token, data)
                assert self._token is not None
                done = await perform(
                    self._context.booking, self._event.event_id, self._token, command
                )
            except BookingCallError as exc:
                data["seat_id"] = exc.seat_id if isinstance(exc, BookingRefused) else None
                if isinstance(exc, BookingRefused):
                    self._keep_renewed(exc.session_token, data)
                await self._send(response_frame(kind, success=False, message=str(exc), data=data))
                return
            data.update(done.data)
            self._keep_renewed(done.session_token, data)
            await self._send(response_frame(kind, success=True, message=done.message, data=data))
            if done.cart is not None:
                await self._cart.deliver(done.cart)
            else:
                await self._cart.resend()

    async def _send_cart(self, *, fresh: bool) -> None:
        """Send the cart after ``SUBSCRIBE``'s state: empty for a session started just now,
        else as the booking service has it."""
        async with self._cart.exclusive():
            if fresh:
                await self._cart.deliver(empty_cart(self._event.event_id))
            else:
                await self._cart.resend()

    async def _read_cart(self) -> dict[str, Any]:
        """The session's cart on the watched event. A renewed token in the reply is left
        for a command's reply to hand out, where the client can pick it up."""
        if self._token is None:
            raise BookingUnavailable("No session yet")
        self._context.stats.cart_reads += 1
        body = await self._context.booking.cart(self._event.event_id, self._token)
        return without_token(body)[0]
