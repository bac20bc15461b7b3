"""Cart commands: each cart message relayed to its booking-service call, and what to answer.

``perform`` makes the call as the session ``token`` on one event and returns the
response's message and data, the cart to send after it as ``CART`` (None for
``BOOK_CART``, whose reply is the order: the caller re-reads the cart), and a renewed
session token if the booking service handed one out. A refusal raises the client's
``BookingCallError``; its ``seat_id`` (``BookingRefused``) names the seat in the way.

=====================  =================================================
message                call
=====================  =================================================
``ADD_TO_CART``        ``POST /api/events/{id}/holds``
``REMOVE_FROM_CART``   ``DELETE /api/events/{id}/holds/{seat_id}``
``BEST_AVAILABLE``     ``POST /api/events/{id}/holds/best``
``CHECKOUT``           ``POST /api/events/{id}/holds/checkout``
``BOOK_CART``          ``POST /api/events/{id}/orders`` + ``Idempotency-Key``
=====================  =================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from edge_server.booking_client import BookingClient
from edge_server.protocol import CartCommand
from shared.messages import MessageType

__all__ = ["CartOutcome", "perform", "without_token"]


@dataclass(frozen=True, slots=True)
class CartOutcome:
    """A cart command that succeeded: the response's ``message`` and ``data``, the cart
    to send next (None: re-read it) and a renewed session token (None: keep the old)."""

    message: str
    data: dict[str, Any]
    cart: dict[str, Any] | None
    session_token: str | None


def without_token(body: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """A reply without its ``session_token``, and that token (None when it has none)."""
    renewed = body.pop("session_token", None)
    return body, renewed if isinstance(renewed, str) else None


async def perform(
    booking: BookingClient, event_id: str, token: str, command: CartCommand
) -> CartOutcome:
    """Relay ``command`` to the booking service as ``token`` on ``event_id``."""
    kind = command.type
    if kind is MessageType.BOOK_CART:
        assert command.idempotency_key is not None
        buyer = {
            key: value
            for key, value in (("name", command.name), ("email", command.email))
            if value is not None
        }
        order, created = await booking.book_cart(
            event_id, token, idempotency_key=command.idempotency_key, buyer=buyer
        )
        reference = order.get("reference")
        message = (
            f"Order {reference} booked" if created else f"Order {reference} was booked already"
        )
        return CartOutcome(message, {"order": order, "created": created}, None, None)
    if kind is MessageType.ADD_TO_CART:
        reply = await booking.add_holds(event_id, command.seat_ids, token)
        message = f"Added {', '.join(command.seat_ids)} to your cart"
    elif kind is MessageType.REMOVE_FROM_CART:
        assert command.seat_id is not None
        reply = await booking.remove_hold(event_id, command.seat_id, token)
        message = f"Seat {command.seat_id} removed from your cart"
    elif kind is MessageType.BEST_AVAILABLE:
        reply = await booking.best_available(event_id, _best_request(command), token)
    else:
        reply = await booking.checkout(event_id, token)
        message = "Your cart is held for checkout"
    cart, renewed = without_token(reply)
    data: dict[str, Any] = {}
    if kind is MessageType.BEST_AVAILABLE:
        chosen = cart.pop("seat_ids", [])
        data["seat_ids"] = chosen
        message = f"Best available: {', '.join(map(str, chosen))} added to your cart"
    data["cart"] = cart
    return CartOutcome(message, data, cart, renewed)


def _best_request(command: CartCommand) -> dict[str, Any]:
    """The body of ``POST …/holds/best`` for a ``BEST_AVAILABLE``."""
    request: dict[str, Any] = {
        "quantity": command.quantity,
        "accessible": command.accessible,
        "allow_split": command.allow_split,
    }
    if command.category is not None:
        request["category"] = command.category
    return request
