"""BookingClient: the booking service's REST API as the edge uses it, over one pooled client.

Every call is bounded by timeouts. Failures come back as two exceptions::

    BookingCallError
     ├── BookingUnavailable   the service cannot be reached, timed out or answered 5xx
     └── BookingRefused       it answered 4xx; ``str(error)`` is its ``error`` sentence

Calls about a concert event go to its routes, ``/api/events/<id>/…``, except for the
default event's seat commands and snapshot, which go to the seed's routes
(``/api/venue``, ``/api/seats/…``) that act on it, so an edge also works with a booking
service that predates events. Cart and order calls exist only under
``/api/events/<id>/…`` and go there for every event; they send the session token in
the ``X-Session-Token`` header.

A reply may carry a renewed ``session_token`` (the booking service renews a token past
half its lifetime); success bodies keep it, a refusal carries it as ``session_token``,
and the seat in the way a refusal names as ``seat_id``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import httpx
import orjson

__all__ = [
    "BookingCallError",
    "BookingClient",
    "BookingRefused",
    "BookingUnavailable",
    "NewSession",
]

logger = logging.getLogger(__name__)

UNAVAILABLE = "The booking service is unavailable; please try again shortly"


class BookingCallError(Exception):
    """A call to the booking service did not succeed."""


class BookingUnavailable(BookingCallError):
    """The booking service could not answer."""


class BookingRefused(BookingCallError):
    """The booking service refused the request (4xx)."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        session_token: str | None = None,
        seat_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.session_token = session_token
        self.seat_id = seat_id


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session the booking service issued or re-signed; ``holder`` is its holder tag
    (None from a booking service that does not name one)."""

    token: str
    user_id: str
    holder: str | None = None


class BookingClient:
    """One ``httpx.AsyncClient`` (keep-alive pool, timeouts) for every call of this edge."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        default_event: str,
        max_connections: int = 64,
    ) -> None:
        self._default_event = default_event
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 1.0)),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
        )

    async def aclose(self) -> None:
        """Close the pool's connections."""
        await self._http.aclose()

    async def start_session(self, user_id: str | None) -> NewSession:
        """A new session for ``user_id`` (or a made-up one)."""
        body = await self._call("POST", "/api/session", {"user_id": user_id} if user_id else {})
        return _session_of(body)

    async def resume_session(self, token: str) -> NewSession:
        """The session ``token`` grants, with a freshly signed token; BookingRefused (400)
        when the token does not verify or has expired."""
        body = await self._call("POST", "/api/session/resume", {"session_token": token})
        return _session_of(body)

    async def seat_command(
        self, event_id: str, action: str, seat_id: str, token: str
    ) -> dict[str, Any]:
        """``POST …/seats/<action>`` on the event as the session ``token``; the success body."""
        return await self._call(
            "POST",
            f"{self._routes(event_id)}/seats/{action}",
            {"seat_id": seat_id, "session_token": token},
        )

    async def venue(self, event_id: str) -> dict[str, Any]:
        """The event's versioned snapshot (``GET …/venue``); BookingRefused (404) for an
        event the booking service does not know."""
        body = await self._call("GET", f"{self._routes(event_id)}/venue", None)
        seats = body.get("seats")
        if not isinstance(body.get("version"), int) or not isinstance(seats, list):
            raise BookingUnavailable("The booking service sent an unexpected venue snapshot")
        if not all(isinstance(seat, dict) and isinstance(seat.get("id"), str) for seat in seats):
            raise BookingUnavailable("The booking service sent an unexpected venue snapshot")
        return body

    async def add_holds(self, event_id: str, seat_ids: Sequence[str], token: str) -> dict[str, Any]:
        """``POST …/holds``: the seats added to the session's cart, all or none; the cart."""
        body = {"seat_ids": list(seat_ids)}
        return await self._call("POST", f"/api/events/{event_id}/holds", body, token=token)

    async def remove_hold(self, event_id: str, seat_id: str, token: str) -> dict[str, Any]:
        """``DELETE …/holds/<seat>``: one seat of the cart given back; the cart."""
        return await self._call(
            "DELETE", f"/api/events/{event_id}/holds/{seat_id}", None, token=token
        )

    async def best_available(
        self, event_id: str, request: dict[str, Any], token: str
    ) -> dict[str, Any]:
        """``POST …/holds/best``: the best seats for ``request`` added to the cart; the cart
        and the ``seat_ids`` chosen."""
        return await self._call("POST", f"/api/events/{event_id}/holds/best", request, token=token)

    async def checkout(self, event_id: str, token: str) -> dict[str, Any]:
        """``POST …/holds/checkout``: the cart's deadline extended once; the cart."""
        return await self._call("POST", f"/api/events/{event_id}/holds/checkout", None, token=token)

    async def cart(self, event_id: str, token: str) -> dict[str, Any]:
        """``GET …/holds``: the session's cart as it is now."""
        return await self._call("GET", f"/api/events/{event_id}/holds", None, token=token)

    async def book_cart(
        self, event_id: str, token: str, *, idempotency_key: str, buyer: dict[str, str]
    ) -> tuple[dict[str, Any], bool]:
        """``POST …/orders`` with ``Idempotency-Key``: the cart booked as one order; the
        order and whether this call made it (False: the key's earlier order)."""
        status, order = await self._request(
            "POST",
            f"/api/events/{event_id}/orders",
            buyer,
            token=token,
            headers={"idempotency-key": idempotency_key},
        )
        return order, status == HTTPStatus.CREATED

    def _routes(self, event_id: str) -> str:
        """Where the event's seed-style routes start; ``event_id`` is a valid event id."""
        return "/api" if event_id == self._default_event else f"/api/events/{event_id}"

    async def _call(
        self, method: str, path: str, body: dict[str, Any] | None, *, token: str | None = None
    ) -> dict[str, Any]:
        return (await self._request(method, path, body, token=token))[1]

    async def _request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """The status and JSON object of a successful call; raises BookingCallError."""
        content = orjson.dumps(body) if body is not None else None
        sent = dict(headers or {})
        if body is not None:
            sent["content-type"] = "application/json"
        if token is not None:
            sent["x-session-token"] = token
        try:
            response = await self._http.request(method, path, content=content, headers=sent)
        except httpx.HTTPError as exc:
            logger.warning(
                "booking service call failed: %s", type(exc).__name__, extra={"path": path}
            )
            raise BookingUnavailable(UNAVAILABLE) from exc
        try:
            parsed = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            parsed = None
        reply: dict[str, Any] = parsed if isinstance(parsed, dict) else {}
        if response.status_code >= 500 or not reply:
            logger.warning(
                "booking service answered %s", response.status_code, extra={"path": path}
            )
            raise BookingUnavailable(str(reply.get("error") or UNAVAILABLE))
        if response.status_code >= 400:
            renewed, seat_id = reply.get("session_token"), reply.get("seat_id")
            raise BookingRefused(
                str(reply.get("error") or "Request refused"),
                status=response.status_code,
                session_token=renewed if isinstance(renewed, str) else None,
                seat_id=seat_id if isinstance(seat_id, str) else None,
            )
        return response.status_code, reply


def _session_of(body: dict[str, Any]) -> NewSession:
    """The session a ``POST /api/session`` or ``/resume`` reply describes."""
    token, shown, holder = body.get("session_token"), body.get("user_id"), body.get("holder")
    if not isinstance(token, str) or not isinstance(shown, str):
        raise BookingUnavailable("The booking service sent an unexpected session reply")
    return NewSession(token, shown, holder if isinstance(holder, str) else None)
