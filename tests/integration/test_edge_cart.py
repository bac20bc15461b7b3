"""Carts over the WebSocket: cart commands relayed by the edges, and CART kept current."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from shared.messages import BookCartResponse, CartBody, CartResponse, MessageType
from tests.edge import EdgeClient
from tests.stack import EdgeStack

EDGES = pytest.mark.parametrize("edge", [0, 1], ids=["edge1", "edge2"])


async def cart_command(client: EdgeClient, kind: str, **data: Any) -> dict[str, Any]:
    """Send a cart message; the data of its ``…_RESPONSE``."""
    await client.send(kind, data)
    return await client.expect(f"{kind}_RESPONSE")


async def subscribed(client: EdgeClient, **data: Any) -> dict[str, Any]:
    """SUBSCRIBE and wait for the CART that follows the state; that cart."""
    await client.subscribe(**data)
    await client.expect("VENUE_STATE")
    return await client.expect("CART")


def seat_ids(cart: dict[str, Any]) -> list[str]:
    return [seat["id"] for seat in cart["seats"]]


def last_cart(client: EdgeClient) -> dict[str, Any]:
    """The data of the last CART the client received."""
    carts: list[dict[str, Any]] = [f["data"] for f in client.frames if f["type"] == "CART"]
    return carts[-1]


SEAT_UPDATE_TYPES = frozenset({"SEAT_UPDATE", "SEAT_UPDATES"})


def types_after(client: EdgeClient, kind: str) -> list[str]:
    """The types of the frames after the last ``kind`` frame, seat updates left out."""
    types = [frame["type"] for frame in client.frames]
    after = types[len(types) - types[::-1].index(kind) :]
    return [kind for kind in after if kind not in SEAT_UPDATE_TYPES]


@EDGES
async def test_cart_add_answers_with_the_cart_then_sends_cart(
    edge_stack: EdgeStack, edge: int
) -> None:
    """ADD_TO_CART holds every seat; its response carries the cart, then CART repeats it."""
    async with EdgeClient.connect(edge_stack.ws_url(edge)) as client:
        empty = await subscribed(client, user_id="ada")
        assert CartBody.model_validate(empty).seats == []
        assert (empty["event_id"], empty["expires_at"], empty["extended"]) == ("main", None, False)
        seats = [f"A{edge * 3 + 1}", f"A{edge * 3 + 2}"]
        response = await cart_command(client, "ADD_TO_CART", seat_ids=seats)
        CartResponse.model_validate(response)
        assert (response["success"], response["message"]) == (
            True,
            f"Added {', '.join(seats)} to your cart",
        )
        cart = response["data"]["cart"]
        assert seat_ids(cart) == seats
        assert cart["expires_at"] == cart["seats"][0]["expires_at"]
        assert await client.expect("CART") == cart
        assert types_after(client, "ADD_TO_CART_RESPONSE")[:1] == ["CART"]
        await client.wait_for(
            lambda: all(client.statuses()[seat] == 1 for seat in seats), what="held"
        )


async def test_cart_remove_gives_one_seat_back(edge_stack: EdgeStack) -> None:
    """REMOVE_FROM_CART answers with the cart without that seat, and CART follows."""
    async with EdgeClient.connect(edge_stack.ws_url(0)) as client:
        await subscribed(client)
        await cart_command(client, "ADD_TO_CART", seat_ids=["B1", "B2"])
        await client.expect("CART")
        removed = await cart_command(client, "REMOVE_FROM_CART", seat_id="B1")
        assert (removed["success"], removed["message"]) == (True, "Seat B1 removed from your cart")
        assert seat_ids(removed["data"]["cart"]) == ["B2"]
        assert seat_ids(await client.expect("CART")) == ["B2"]
        again = await cart_command(client, "REMOVE_FROM_CART", seat_id="B1")
        assert again["success"] is False
        assert again["message"]
        assert "seat_id" in again["data"]


async def test_cart_refusal_names_the_seat_in_the_way(edge_stack: EdgeStack) -> None:
    """A seat another session holds refuses the whole add, names the seat, sends no CART,
    and leaves the seats already in the cart held."""
    async with (
        EdgeClient.connect(edge_stack.ws_url(0)) as first,
        EdgeClient.connect(edge_stack.ws_url(1)) as second,
    ):
        await subscribed(first)
        await subscribed(second)
        assert (await cart_command(first, "ADD_TO_CART", seat_ids=["C2"]))["success"]
        assert (await cart_command(second, "ADD_TO_CART", seat_ids=["C1"]))["success"]
        await second.expect("CART")
        carts_before = len([f for f in second.frames if f["type"] == "CART"])
        refused = await cart_command(second, "ADD_TO_CART", seat_ids=["C3", "C2"])
        CartResponse.model_validate(refused)
        assert refused["success"] is False
        assert refused["message"] == (
            "Seat C2 was just taken by someone else — your other seats are still held"
        )
        assert refused["data"] == {"seat_id": "C2"}
        assert len([f for f in second.frames if f["type"] == "CART"]) == carts_before
        async with httpx.AsyncClient(base_url=edge_stack.api) as http:
            seats = {s["id"]: s["status"] for s in (await http.get("/api/seats")).json()}
        assert (seats["C1"], seats["C3"]) == (1, 0)


async def test_cart_checkout_and_book_twice_with_one_key(edge_stack: EdgeStack) -> None:
    """CHECKOUT extends the cart once; BOOK_CART books it as one order, and the same key
    again answers with the same order (created false); CART then shows an empty cart."""
    async with EdgeClient.connect(edge_stack.ws_url(1)) as client:
        await subscribed(client, user_id="dora")
        added = await cart_command(client, "ADD_TO_CART", seat_ids=["D1", "D2"])
        before = added["data"]["cart"]["expires_at_ms"]
        checkout = await cart_command(client, "CHECKOUT")
        CartResponse.model_validate(checkout)
        assert checkout["success"] is True, checkout
        extended = checkout["data"]["cart"]
        assert extended["extended"] is True
        assert extended["expires_at_ms"] > before
        await client.wait_for(lambda: types_after(client, "CHECKOUT_RESPONSE")[:1] == ["CART"])
        twice = await cart_command(client, "CHECKOUT")
        assert twice["success"] is False
        assert twice["message"] == "Your cart has already been extended for checkout"
        key = uuid.uuid4().hex
        booked = await cart_command(
            client, "BOOK_CART", idempotency_key=key, name="Dora", email="dora@example.com"
        )
        BookCartResponse.model_validate(booked)
        assert booked["success"] is True, booked
        order = booked["data"]["order"]
        assert booked["data"]["created"] is True
        assert [seat["id"] for seat in order["seats"]] == ["D1", "D2"]
        assert order["buyer"] == {"user_id": "dora", "name": "Dora", "email": "dora@example.com"}
        assert booked["message"] == f"Order {order['reference']} booked"
        await client.wait_for(lambda: types_after(client, "BOOK_CART_RESPONSE")[:1] == ["CART"])
        assert last_cart(client)["seats"] == []
        again = await cart_command(client, "BOOK_CART", idempotency_key=key)
        assert again["success"] is True, again
        assert (again["data"]["order"], again["data"]["created"]) == (order, False)
        empty = await cart_command(client, "BOOK_CART", idempotency_key=uuid.uuid4().hex)
        assert (empty["success"], empty["message"]) == (False, "Your cart is empty")
        assert empty["data"] == {"seat_id": None}
        await client.wait_for(lambda: client.statuses()["D2"] == 2, what="D2 booked")


@EDGES
async def test_cart_is_sent_again_after_reconnecting(edge_stack: EdgeStack, edge: int) -> None:
    """A page that reconnects with its session token learns its cart right after the state."""
    seats = [f"E{edge * 2 + 1}", f"E{edge * 2 + 2}"]
    async with EdgeClient.connect(edge_stack.ws_url(edge)) as first:
        await subscribed(first)
        token = first.session_token
        cart = (await cart_command(first, "ADD_TO_CART", seat_ids=seats))["data"]["cart"]
    async with EdgeClient.connect(edge_stack.ws_url(1 - edge)) as again:
        resumed = await subscribed(again, session_token=token)
        assert resumed == cart
        # Seat updates may come at any time: the connection watches the default event from
        # the start.
        types = [f["type"] for f in again.frames if f["type"] not in SEAT_UPDATE_TYPES]
        assert types[:4] == ["WELCOME", "SUBSCRIBE_ACK", "VENUE_STATE", "CART"]


async def test_cart_reaches_every_connection_of_the_session(edge_stack: EdgeStack) -> None:
    """Seats added on one connection reach the session's other connection (another edge)
    as CART; a connection of another session gets no CART for them."""
    async with EdgeClient.connect(edge_stack.ws_url(0)) as first:
        await subscribed(first)
        async with (
            EdgeClient.connect(edge_stack.ws_url(1)) as second,
            EdgeClient.connect(edge_stack.ws_url(1)) as stranger,
        ):
            assert (await subscribed(second, session_token=first.session_token))["seats"] == []
            await subscribed(stranger)
            added = await cart_command(first, "ADD_TO_CART", seat_ids=["F1", "F2"])
            assert seat_ids(await second.expect("CART")) == ["F1", "F2"]
            response = await second.command("SELECT_SEAT", "F3")
            assert response["success"] is True
            assert seat_ids(await first.expect("CART")) == seat_ids(added["data"]["cart"])
            assert seat_ids(await first.expect("CART")) == ["F1", "F2", "F3"]
            await stranger.wait_for(lambda: stranger.statuses()["F3"] == 1, what="F3 held")
            assert len([f for f in stranger.frames if f["type"] == "CART"]) == 1


async def test_cart_lapse_sends_an_empty_cart(edge_stack: EdgeStack) -> None:
    """When the cart's holds lapse (HOLD_SECONDS=2), CART says it is empty, in time."""
    async with EdgeClient.connect(edge_stack.ws_url(1)) as client:
        await subscribed(client)
        added = await cart_command(client, "ADD_TO_CART", seat_ids=["G1", "G2"])
        deadline = added["data"]["cart"]["expires_at_ms"] / 1000
        await client.expect("CART")
        lapsed = await client.expect("CART", within=5)
        assert lapsed["seats"] == []
        assert (lapsed["expires_at"], lapsed["expires_at_ms"]) == (None, None)
        assert time.time() - deadline < 1.5


async def test_cart_seed_select_reaches_the_cart(edge_stack: EdgeStack) -> None:
    """A seed SELECT_SEAT adds to the connection's cart, and CART shows it."""
    async with EdgeClient.connect(edge_stack.ws_url(0)) as client:
        await subscribed(client, user_id="seed")
        assert (await client.command("SELECT_SEAT", "H9"))["success"] is True
        assert seat_ids(await client.expect("CART")) == ["H9"]
        assert (await client.command("RELEASE_SEAT", "H9"))["success"] is True
        assert (await client.expect("CART"))["seats"] == []


async def test_cart_bad_fields_get_an_error_sentence(edge_stack: EdgeStack) -> None:
    """A cart message with a bad field gets ERROR naming it, and the connection goes on."""
    async with EdgeClient.connect(edge_stack.ws_url(0)) as client:
        await subscribed(client)
        await client.send("BOOK_CART", {"idempotency_key": "has space"})
        error = await client.expect("ERROR")
        assert (
            error["error"] == "Field 'idempotency_key' is required: 1-64 letters, digits or ._~:-"
        )
        await client.send("BEST_AVAILABLE", {"quantity": 2, "allowSplit": True})
        assert (await client.expect("ERROR"))["error"] == (
            "Unknown field 'allowSplit' in BEST_AVAILABLE"
        )
        assert (await cart_command(client, "CHECKOUT"))["message"] == "Your cart is empty"


async def test_openapi_describes_every_websocket_message(edge_stack: EdgeStack) -> None:
    """/openapi.json's description has a WebSocket protocol section naming every message."""
    async with httpx.AsyncClient(base_url=edge_stack.api) as http:
        description = (await http.get("/openapi.json")).json()["info"]["description"]
    assert "## WebSocket protocol" in description
    missing = [kind.value for kind in MessageType if f"**`{kind.value}`**" not in description]
    assert missing == []


async def test_cart_best_available_picks_seats_together(edge_stack: EdgeStack) -> None:
    """BEST_AVAILABLE holds the best seats side by side in one row; the response names
    them and carries the cart, CART follows; refusals say why and name no seat."""
    async with EdgeClient.connect(edge_stack.ws_url(0)) as client:
        await subscribed(client, user_id="bea")
        best = await cart_command(client, "BEST_AVAILABLE", quantity=3)
        CartResponse.model_validate(best)
        assert best["success"] is True, best
        chosen = best["data"]["seat_ids"]
        assert best["message"] == f"Best available: {', '.join(chosen)} added to your cart"
        assert sorted(seat_ids(best["data"]["cart"])) == sorted(chosen)
        seats = {seat["id"]: seat for seat in best["data"]["cart"]["seats"]}
        rows = {seats[seat_id]["row"] for seat_id in chosen}
        columns = sorted(seats[seat_id]["col"] for seat_id in chosen)
        assert len(rows) == 1
        assert columns == list(range(columns[0], columns[0] + 3))
        await client.wait_for(
            lambda: types_after(client, "BEST_AVAILABLE_RESPONSE")[:1] == ["CART"]
        )
        assert last_cart(client) == best["data"]["cart"]
        too_many = await cart_command(client, "BEST_AVAILABLE", quantity=40)
        assert too_many["success"] is False
        assert too_many["message"] == "Field 'quantity' must be at most 6"
        assert too_many["data"] == {"seat_id": None}
        unknown = await cart_command(client, "BEST_AVAILABLE", quantity=2, category="Balcony")
        assert unknown["success"] is False
        assert "Balcony" in unknown["message"]
        split = await cart_command(client, "BEST_AVAILABLE", quantity=3, allow_split=True)
        assert split["success"] is True, split
        assert len(split["data"]["cart"]["seats"]) == 6
        await client.wait_for(
            lambda: types_after(client, "BEST_AVAILABLE_RESPONSE")[:1] == ["CART"]
        )
        assert last_cart(client) == split["data"]["cart"]
