"""Seat commands — select, book, release — answered outside the web framework.

Each is served on two paths: the seed's ``/api/seats/<action>`` acts on the default
event, ``/api/events/{id}/seats/<action>`` on event ``id`` (an unknown one is a 404).
These calls are the service's hot path, so they skip the framework's per-request
machinery (routing, dependency solving, middleware layers): ``SeatCommands.answer``
turns a method, headers and body into a reply, and two carriers share it, ASGI
(``SeatCommands.serve``, which in-process tests drive) and the HTTP protocol's own
path for these requests (``booking_service.command_cycle``). The validation, identity
and domain code is the same the rest of the API uses. Their OpenAPI description is
``openapi_paths()``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

import orjson
from starlette.types import Receive, Scope, Send

from booking_service.api.bodies import check_length, documented_body, parse_body, require_json
from booking_service.errors import BookingError, InvalidRequest, SessionRequired
from booking_service.metrics import count_refusal, observe_request
from booking_service.seats import Change, SeatStore
from booking_service.services import Services
from booking_service.session_signer import Identity
from shared.messages import SeatRequest

__all__ = [
    "CONTENT_TYPE",
    "BodyReader",
    "Reply",
    "SeatCommands",
    "asgi_body_reader",
    "command_route",
    "identify",
    "identity_of",
    "openapi_paths",
]

logger = logging.getLogger(__name__)

# An operation returns its changes in commit order; the last one is the reply's.
Operation = Callable[[SeatStore, str, Identity], Awaitable[Sequence[Change]]]


async def _select(store: SeatStore, seat_id: str, who: Identity) -> Sequence[Change]:
    return await store.select(seat_id, user_id=who.user_id, owner=who.owner, holder=who.holder)


async def _book(store: SeatStore, seat_id: str, who: Identity) -> Sequence[Change]:
    return (await store.book(seat_id, owner=who.owner),)


async def _release(store: SeatStore, seat_id: str, who: Identity) -> Sequence[Change]:
    return (await store.release(seat_id, owner=who.owner),)


# action → (operation, past participle for the message, OpenAPI summary)
_COMMANDS: dict[str, tuple[Operation, str, str]] = {
    "select": (_select, "selected", "Add a seat to your cart until the cart's deadline"),
    "book": (_book, "booked", "Book a seat you hold; a booking is final"),
    "release": (_release, "released", "Release a seat you hold"),
}
_ERROR_405 = orjson.dumps({"error": "Method not allowed; use POST"})
_ERROR_500 = orjson.dumps({"error": "Internal error; it has been logged"})
_SEED_PREFIX = "/api/seats/"
_EVENT_PREFIX = "/api/events/"
_EVENT_SEATS = "/seats/"


def command_route(path: str) -> tuple[str | None, str] | None:
    """``(event id or None for the default event, action)`` if ``path`` is a seat command."""
    if path.startswith(_SEED_PREFIX):
        event_id, action = None, path[len(_SEED_PREFIX) :]
    elif path.startswith(_EVENT_PREFIX):
        event_id, found, action = path[len(_EVENT_PREFIX) :].partition(_EVENT_SEATS)
        if not found or "/" in event_id:
            return None
    else:
        return None
    return (event_id, action) if action in _COMMANDS else None


class CallerBody(Protocol):
    """A request body that may name its caller: a session token, else a user id."""

    @property
    def session_token(self) -> str | None: ...

    @property
    def user_id(self) -> str | None: ...


def identity_of(services: Services, body: CallerBody, header_token: str | bytes | None) -> Identity:
    """Who the request acts as: the body's session token, else the ``X-Session-Token``
    header's, else the body's user id."""
    if isinstance(header_token, bytes):
        header_token = header_token.decode("latin-1")
    return identify(services, body.session_token or header_token, body.user_id)


def identify(services: Services, token: str | None, user_id: str | None) -> Identity:
    """The session of ``token`` if given, else the tokenless ``user_id`` (if allowed)."""
    if token:
        return services.signer.verify(token)
    if not services.settings.allow_tokenless_writes:
        raise SessionRequired("A session token is required; get one from POST /api/session")
    if user_id is None:
        raise InvalidRequest("Field 'user_id' is required without a session token")
    return Identity.tokenless(user_id)


# A seat command's answer: status, JSON body and headers beyond content-type and -length.
Reply = tuple[int, bytes, list[tuple[bytes, bytes]]]
# Reads the request's whole body; raises PayloadTooLarge past ``limit`` bytes.
BodyReader = Callable[[int], Awaitable[bytes]]

CONTENT_TYPE = b"application/json"


def asgi_body_reader(receive: Receive) -> BodyReader:
    """A ``BodyReader`` over an ASGI ``receive``."""

    async def read(limit: int) -> bytes:
        body = b""
        while True:
            message = await receive()
            chunk: bytes = message.get("body", b"")
            body += chunk
            check_length(None, len(body), limit=limit)
            if not message.get("more_body", False):
                return body

    return read


class SeatCommands:
    """Answers ``POST`` on the paths ``command_route`` recognises.

    ``answer`` is the whole of it, whatever carries the request: ``serve`` over ASGI,
    and the HTTP protocol's own lean path (``booking_service.command_cycle``).
    """

    def __init__(self, services: Callable[[], Services]) -> None:
        self._services = services

    async def serve(
        self, route: tuple[str | None, str], scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Answer the HTTP request ``scope``, whose path ``command_route`` read as ``route``,
        and count it in the request metrics under the command's name."""
        started = time.perf_counter()
        status, body, extra = await self.answer(
            route,
            scope["method"],
            dict(scope["headers"]),
            asgi_body_reader(receive),
            path=scope["path"],
        )
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", CONTENT_TYPE),
                    (b"content-length", str(len(body)).encode()),
                    *extra,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
        observe_request(route[1], status, time.perf_counter() - started)

    async def answer(
        self,
        route: tuple[str | None, str],
        method: str,
        headers: Mapping[bytes, bytes],
        read: BodyReader,
        *,
        path: str,
    ) -> Reply:
        """The reply to a ``method`` request on ``path`` (read by ``command_route`` as
        ``route``) with these headers (names lowercase), reading the body with ``read``
        only once the method, content type and declared length are acceptable.

        Never raises: a refusal is its error reply (and counted by ``count_refusal``), an
        unexpected error is logged and answered with 500. The caller counts the request
        with ``observe_request`` once it has answered.
        """
        try:
            if method != "POST":
                return 405, _ERROR_405, [(b"allow", b"POST")]
            return 200, await self._perform(route, headers, read), []
        except BookingError as exc:
            count_refusal(exc)
            if exc.status_code >= 500:
                logger.warning("%s: %r", exc, exc.__cause__, extra={"path": path})
            return exc.status_code, orjson.dumps({"error": str(exc)}), []
        except Exception:
            logger.exception("unhandled error", extra={"path": path})
            return 500, _ERROR_500, []

    async def _perform(
        self, route: tuple[str | None, str], headers: Mapping[bytes, bytes], read: BodyReader
    ) -> bytes:
        services = self._services()
        event_id, action = route
        operation, done, _ = _COMMANDS[action]
        require_json(headers.get(b"content-type"))
        limit = services.settings.max_body_bytes
        check_length(headers.get(b"content-length"), 0, limit=limit)
        raw = await read(limit)
        body = parse_body(SeatRequest, raw)
        event = await services.events.get(event_id or services.events.default_id)
        identity = identity_of(services, body, headers.get(b"x-session-token"))
        changes = await operation(event.store, body.seat_id, identity)
        await services.publisher.publish_changes(changes)
        change = changes[-1]
        seat = change.seat
        reply: dict[str, Any] = {
            "success": True,
            "message": f"Seat {change.seat_id} {done} successfully",
            "seat_id": change.seat_id,
            "user_id": change.user_id,
            "version": change.version,
            "expires_at": seat.get("expires_at"),
            "seat": seat,
        }
        # A session in use never expires: past half its lifetime, hand out a new token.
        if services.signer.renewal_due(identity):
            reply["session_token"] = services.signer.renew(identity).token
        return orjson.dumps(reply)


def openapi_paths() -> dict[str, Any]:
    """The OpenAPI ``paths`` entries of the seat commands, seed and per-event paths."""
    error = {
        "description": '{"error": "<sentence>"}',
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
    event_parameter = {
        "name": "event_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    }
    paths: dict[str, Any] = {}
    for action, (_, done, summary) in _COMMANDS.items():
        operation = _openapi_operation(summary, done, error)
        paths[f"{_SEED_PREFIX}{action}"] = {
            "post": {**operation, "summary": f"{summary} (default event)"}
        }
        paths[f"{_EVENT_PREFIX}{{event_id}}{_EVENT_SEATS}{action}"] = {
            "post": {**operation, "tags": ["events"], "parameters": [event_parameter]}
        }
    return paths


def _openapi_operation(summary: str, done: str, error: dict[str, Any]) -> dict[str, Any]:
    return {
        "tags": ["seats"],
        "summary": summary,
        "description": "Send the session token as `session_token` or the "
        "`X-Session-Token` header; without one, `user_id` names the holder. "
        "A reply to a token past half its lifetime carries a renewed `session_token`.",
        **documented_body(SeatRequest),
        "responses": {
            "200": {"description": f"Seat {done}"},
            "400": {**error, "description": "Invalid body or session token"},
            "401": {**error, "description": "A session token is required"},
            "404": {**error, "description": "Unknown seat or event"},
            "409": {
                **error,
                "description": "Refused by the seat's state, the event's sale "
                "state, the hold cap or a cooldown",
            },
            "413": {**error, "description": "Body too large"},
            "415": {**error, "description": "Content-Type is not application/json"},
            "503": {**error, "description": "Redis unreachable"},
        },
    }
