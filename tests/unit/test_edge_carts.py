"""CartIndex and CartFollower: which changes re-read which carts, and what is sent."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

from edge_server.booking_client import BookingUnavailable
from edge_server.carts import CartFollower, CartIndex, empty_cart


def held(seat_id: str, holder: str, expires_at: int = 99) -> dict[str, Any]:
    return {
        "id": seat_id,
        "row": 0,
        "col": 0,
        "status": 1,
        "holder": holder,
        "expires_at": expires_at,
    }


def free(seat_id: str) -> dict[str, Any]:
    return {"id": seat_id, "row": 0, "col": 0, "status": 0}


def change(seat: dict[str, Any]) -> dict[str, Any]:
    return {"seat_id": seat["id"], "seat": seat}


def cart_of(*seats: dict[str, Any]) -> dict[str, Any]:
    return {**empty_cart("main"), "seats": list(seats), "expires_at": 99 if seats else None}


class Session:
    """A follower whose booking service answers with ``cart``, recording reads and frames."""

    def __init__(self, index: CartIndex, holder: str | None, cart: dict[str, Any]) -> None:
        self.cart = cart
        self.reads = 0
        self.sent: list[dict[str, Any]] = []
        self.gate: asyncio.Event | None = None
        self.follower = CartFollower(read=self.read, send=self.send)
        self.follower.follow(index, holder)

    async def read(self) -> dict[str, Any]:
        self.reads += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.cart.get("down"):
            raise BookingUnavailable("The booking service is unavailable")
        return dict(self.cart)

    async def send(self, frame: bytes) -> None:
        decoded = orjson.loads(frame)
        assert decoded["type"] == "CART"
        self.sent.append(decoded["data"])


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_cart_index_ignores_changes_no_cart_is_concerned_with() -> None:
    """A change of a seat nobody's cart holds, by a holder nobody follows, reads nothing."""
    index = CartIndex()
    alice = Session(index, "h-alice", cart_of())
    await alice.follower.deliver(cart_of())
    index.on_change(change(held("B1", "h-bob")))
    index.on_change(change(free("B2")))
    await settle()
    assert alice.reads == 0
    assert len(alice.sent) == 1


async def test_cart_index_change_by_the_sessions_holder_re_reads_its_carts() -> None:
    """A hold taken by the session elsewhere makes each of its connections re-read and
    receive the new cart; another session's connection reads nothing."""
    index = CartIndex()
    first = Session(index, "h-alice", cart_of(held("A1", "h-alice")))
    second = Session(index, "h-alice", cart_of(held("A1", "h-alice")))
    other = Session(index, "h-bob", cart_of())
    for session in (first, second, other):
        await session.follower.deliver(cart_of())
    index.on_change(change(held("A1", "h-alice")))
    await settle()
    assert (first.reads, second.reads, other.reads) == (1, 1, 0)
    assert first.sent[-1]["seats"] == [held("A1", "h-alice")]
    assert second.sent[-1] == first.sent[-1]


async def test_cart_index_lapse_of_a_seat_in_a_cart_re_reads_it() -> None:
    """A seat of the cart released (lapse, booking) re-reads the cart; CART says so."""
    index = CartIndex()
    session = Session(index, "h-alice", cart_of())
    await session.follower.deliver(cart_of(held("A1", "h-alice")))
    index.on_change(change(free("A1")))
    await settle()
    assert session.reads == 1
    assert session.sent[-1]["seats"] == []
    index.on_change(change(free("A1")))
    await settle()
    assert session.reads == 1


async def test_cart_follower_skips_changes_its_last_cart_shows() -> None:
    """A change the last CART already shows (its own command's reply) costs no read."""
    index = CartIndex()
    session = Session(index, "h-alice", cart_of())
    async with session.follower.exclusive():
        index.on_change(change(held("A1", "h-alice")))
        await session.follower.deliver(cart_of(held("A1", "h-alice")))
    await settle()
    assert session.reads == 0
    assert len(session.sent) == 1


async def test_cart_follower_sends_only_a_cart_that_differs() -> None:
    """A re-read that finds the cart last sent sends nothing."""
    index = CartIndex()
    session = Session(index, "h-alice", cart_of(held("A1", "h-alice")))
    await session.follower.deliver(cart_of(held("A1", "h-alice", expires_at=50)))
    session.cart = cart_of(held("A1", "h-alice", expires_at=50))
    index.on_change(change(held("A1", "h-alice", expires_at=80)))
    await settle()
    assert session.reads == 1
    assert len(session.sent) == 1


async def test_cart_follower_coalesces_re_reads() -> None:
    """Changes arriving during a re-read lead to one more read after it, not one each."""
    index = CartIndex()
    session = Session(index, "h-alice", cart_of(held("A1", "h-alice"), held("A2", "h-alice")))
    await session.follower.deliver(cart_of())
    session.gate = asyncio.Event()
    index.on_change(change(held("A1", "h-alice")))
    await settle()
    for seat_id in ("A2", "A3", "A4"):
        index.on_change(change(held(seat_id, "h-alice")))
    session.gate.set()
    await settle()
    assert session.reads == 2


async def test_cart_follower_waits_for_a_command_before_sending() -> None:
    """A re-read due during a command sends its CART only after the command is done."""
    index = CartIndex()
    session = Session(index, "h-alice", cart_of(held("A1", "h-alice"), held("B1", "h-alice")))
    await session.follower.deliver(cart_of())
    async with session.follower.exclusive():
        index.on_change(change(held("B1", "h-alice")))
        await settle()
        assert session.reads == 0
        await session.follower.deliver(cart_of(held("A1", "h-alice")))
    await settle()
    assert session.reads == 1
    assert [len(cart["seats"]) for cart in session.sent] == [0, 1, 2]


async def test_cart_follower_reconcile_re_reads_only_carts_that_disagree() -> None:
    """After a snapshot, only the carts whose seats differ from it are re-read."""
    index = CartIndex()
    right = Session(index, "h-alice", cart_of(held("A1", "h-alice")))
    wrong = Session(index, "h-bob", cart_of())
    await right.follower.deliver(cart_of(held("A1", "h-alice")))
    await wrong.follower.deliver(cart_of(held("B1", "h-bob")))
    index.reconcile([held("A1", "h-alice"), free("B1"), held("C1", "h-carol")])
    await settle()
    assert (right.reads, wrong.reads) == (0, 1)
    assert wrong.sent[-1]["seats"] == []


async def test_cart_follower_unavailable_booking_service_sends_nothing() -> None:
    """A re-read the booking service cannot answer sends nothing and does not retry."""
    index = CartIndex()
    session = Session(index, "h-alice", {"down": True})
    await session.follower.deliver(cart_of(held("A1", "h-alice")))
    index.on_change(change(free("A1")))
    await settle()
    assert session.reads == 1
    assert len(session.sent) == 1


async def test_cart_follower_close_leaves_the_index_empty() -> None:
    """Closing a follower forgets it: the index holds nobody and later changes read nothing."""
    index = CartIndex()
    session = Session(index, "h-alice", cart_of())
    await session.follower.deliver(cart_of(held("A1", "h-alice")))
    assert index
    await session.follower.close()
    assert not index
    index.on_change(change(free("A1")))
    await settle()
    assert session.reads == 0


async def test_cart_follower_follow_again_follows_the_new_session_only() -> None:
    """After the connection's session changes, the old holder's changes concern it no more."""
    index = CartIndex()
    session = Session(index, "h-old", cart_of(held("A1", "h-new")))
    session.follower.follow(index, "h-new")
    index.on_change(change(held("A9", "h-old")))
    await settle()
    assert session.reads == 0
    index.on_change(change(held("A1", "h-new")))
    await settle()
    assert session.reads == 1


async def test_cart_follower_moved_to_another_event_drops_a_read_in_flight() -> None:
    """A re-read that was under way when the connection switched events sends nothing."""
    index, other = CartIndex(), CartIndex()
    session = Session(index, "h-alice", cart_of(held("A1", "h-alice")))
    await session.follower.deliver(cart_of())
    session.gate = asyncio.Event()
    index.on_change(change(held("A1", "h-alice")))
    await settle()
    session.follower.follow(other, "h-alice")
    session.gate.set()
    await settle()
    assert session.reads == 1
    assert len(session.sent) == 1
    assert not index
