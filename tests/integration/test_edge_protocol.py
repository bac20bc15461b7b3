"""The edge's WebSocket protocol (SPEC.md), message type by message type, on each edge."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from shared.holders import HOLDER_LENGTH
from shared.session_tokens import encode_claims
from tests.edge import EdgeClient
from tests.stack import EdgeStack

EDGES = pytest.mark.parametrize("edge", [0, 1], ids=["edge1", "edge2"])


@EDGES
async def test_welcome_is_the_first_frame(edge_stack: EdgeStack, edge: int) -> None:
    """WELCOME comes first with client_id, total_clients and server_time."""
    async with EdgeClient.connect(edge_stack.ws_url(edge)) as client:
        welcome = await client.expect("WELCOME")
        assert client.frames[0]["type"] == "WELCOME"
        assert isinstance(welcome["client_id"], str)
        assert welcome["client_id"]
        assert welcome["total_clients"] >= 1
        assert welcome["server_time"].endswith("Z")


@EDGES
async def test_subscribe_acks_with_session_then_sends_venue_state(
    edge_stack: EdgeStack, edge: int
) -> None:
    """SUBSCRIBE gets SUBSCRIBE_ACK with a session token, then the whole versioned venue."""
    async with EdgeClient.connect(edge_stack.ws_url(edge)) as client:
        ack = await client.subscribe(user_id="alice")
        assert ack["success"] is True
        assert ack["message"]
        assert ack["data"]["user_id"] == "alice"
        assert ack["data"]["client_id"] == client.frames[0]["data"]["client_id"]
        assert ack["data"]["session_token"]
        state = await client.expect("VENUE_STATE")
        # Seat updates may come before the ACK: a connection watches the default event at once.
        types = [f["type"] for f in client.frames if f["type"] != "SEAT_UPDATE"]
        assert types[:3] == ["WELCOME", "SUBSCRIBE_ACK", "VENUE_STATE"]
        assert (state["rows"], state["cols"]) == (10, 10)
        assert len(state["seats"]) == 100
        assert state["seats"][0]["id"] == "A1"
        assert isinstance(state["version"], int)
        assert state["hold_seconds"] == 2


@EDGES
async def test_subscribe_with_token_resumes_the_session(edge_stack: EdgeStack, edge: int) -> None:
    """A session token from one connection makes a new connection the same session (user,
    holder tag and holds), once the booking service has verified it."""
    seat = f"B{edge + 1}"
    async with EdgeClient.connect(edge_stack.ws_url(0)) as first:
        first_ack = (await first.subscribe(user_id="bob"))["data"]
        token, holder = first_ack["session_token"], first_ack["holder"]
        assert (await first.command("SELECT_SEAT", seat))["success"] is True
    async with EdgeClient.connect(edge_stack.ws_url(edge)) as again:
        ack = await again.subscribe(session_token=token)
        assert ack["success"] is True
        assert ack["message"] == "Subscribed to seat updates"
        assert ack["data"]["user_id"] == "bob"
        assert ack["data"]["holder"] == holder
        assert ack["data"]["session_token"]
        released = await again.command("RELEASE_SEAT", seat)
        assert released["success"] is True, released


@EDGES
async def test_subscribe_with_forged_token_gets_a_fresh_working_session(
    edge_stack: EdgeStack, edge: int
) -> None:
    """A token that does not verify gets a new session whose token and commands work."""
    seat = f"B{edge + 5}"
    forged = encode_claims({"sid": "s-stolen", "uid": "bob", "iat": 1}) + ".c2lnbmF0dXJl"
    async with EdgeClient.connect(edge_stack.ws_url(edge)) as client:
        ack = await client.subscribe(session_token=forged, user_id="eve")
        assert ack["success"] is True
        assert ack["message"] == "Session token not recognised; started a new session"
        assert ack["data"]["user_id"] == "eve"
        assert ack["data"]["session_token"] not in (None, forged)
        assert len(ack["data"]["holder"]) == HOLDER_LENGTH
        assert (await client.command("SELECT_SEAT", seat))["success"] is True
        assert (await client.command("RELEASE_SEAT", seat))["success"] is True
    async with EdgeClient.connect(edge_stack.ws_url(1 - edge)) as again:
        resumed = await again.subscribe(session_token=ack["data"]["session_token"])
        assert resumed["message"] == "Subscribed to seat updates"
        assert resumed["data"]["holder"] == ack["data"]["holder"]


async def test_subscribe_ack_holder_differs_between_sessions_claiming_one_user(
    edge_stack: EdgeStack,
) -> None:
    """Two sessions that claim the same user_id get different holder tags."""
    async with (
        EdgeClient.connect(edge_stack.ws_url(0)) as first,
        EdgeClient.connect(edge_stack.ws_url(1)) as second,
    ):
        one = (await first.subscribe(user_id="same"))["data"]["holder"]
        two = (await second.subscribe(user_id="same"))["data"]["holder"]
    assert len(one) == len(two) == HOLDER_LENGTH
    assert one != two


@EDGES
async def test_select_seat_answers_and_updates_every_edge(edge_stack: EdgeStack, edge: int) -> None:
    """SELECT_SEAT_RESPONSE carries seat and user; a held SEAT_UPDATE reaches both edges."""
    seat = f"C{edge + 1}"
    async with (
        EdgeClient.connect(edge_stack.ws_url(edge)) as actor,
        EdgeClient.connect(edge_stack.ws_url(1 - edge)) as watcher,
    ):
        await watcher.subscribe()
        await watcher.expect("VENUE_STATE")
        await actor.subscribe(user_id="carol")
        response = await actor.command("SELECT_SEAT", seat, user_id="carol")
        assert response["success"] is True
        assert response["message"] == f"Seat {seat} selected successfully"
        assert response["data"]["seat_id"] == seat
        assert response["data"]["user_id"] == "carol"
        for client in (actor, watcher):
            update = await client.expect("SEAT_UPDATE")
            assert update["event_type"] == "held"
            assert update["seat_id"] == seat
            assert update["user_id"] == "carol"
            assert update["status"] == 1
            assert update["seat"]["held_by"] == "carol"
            assert update["expires_at"] == update["seat"]["expires_at"]
            assert update["version"] == response["data"]["version"]
            assert isinstance(update["timestamp"], str)


@EDGES
async def test_book_seat_answers_and_broadcasts_booked(edge_stack: EdgeStack, edge: int) -> None:
    """BOOK_SEAT on a held seat answers success and every client sees it booked."""
    seat = f"D{edge + 1}"
    async with EdgeClient.connect(edge_stack.ws_url(edge)) as client:
        await client.subscribe(user_id="dave")
        assert (await client.command("SELECT_SEAT", seat))["success"] is True
        booked = await client.command("BOOK_SEAT", seat)
        assert booked["success"] is True
        assert "booked" in booked["message"]
        assert booked["data"] == booked["data"] | {"seat_id": seat, "user_id": "dave"}
        await client.wait_for(lambda: client.statuses().get(seat) == 2, what="booked seat")
        again = await client.command("BOOK_SEAT", seat)
        assert again["success"] is False
        assert "already booked" in again["message"]


@EDGES
async def test_release_seat_answers_and_broadcasts_released(
    edge_stack: EdgeStack, edge: int
) -> None:
    """RELEASE_SEAT frees a held seat for every client; releasing it twice fails clearly."""
    seat = f"E{edge + 1}"
    async with EdgeClient.connect(edge_stack.ws_url(edge)) as client:
        await client.subscribe(user_id="erin")
        await client.command("SELECT_SEAT", seat)
        released = await client.command("RELEASE_SEAT", seat)
        assert released["success"] is True
        assert "released" in released["message"]
        await client.expect("SEAT_UPDATE")
        update = await client.expect("SEAT_UPDATE")
        assert (update["event_type"], update["status"]) == ("released", 0)
        twice = await client.command("RELEASE_SEAT", seat)
        assert twice["success"] is False
        assert twice["data"] == {"seat_id": seat, "user_id": "erin"}


@EDGES
async def test_refused_commands_answer_with_success_false(edge_stack: EdgeStack, edge: int) -> None:
    """A taken seat or an unknown seat gets a …_RESPONSE with success false and a sentence."""
    seat = f"F{edge + 1}"
    async with (
        EdgeClient.connect(edge_stack.ws_url(edge)) as holder,
        EdgeClient.connect(edge_stack.ws_url(edge)) as other,
    ):
        await holder.subscribe(user_id="frank")
        await other.subscribe(user_id="grace")
        await holder.command("SELECT_SEAT", seat)
        taken = await other.command("SELECT_SEAT", seat)
        assert taken["success"] is False
        assert "held by another user" in taken["message"]
        unknown = await other.command("SELECT_SEAT", "Z99")
        assert unknown["success"] is False
        assert "does not exist" in unknown["message"]


@EDGES
async def test_command_before_subscribe_starts_a_session(edge_stack: EdgeStack, edge: int) -> None:
    """A seed-style SELECT_SEAT without SUBSCRIBE works, as a new session of that user."""
    seat = f"G{edge + 1}"
    async with EdgeClient.connect(edge_stack.ws_url(edge)) as client:
        response = await client.command("SELECT_SEAT", seat, user_id="heidi")
        assert response["success"] is True
        assert response["data"]["user_id"] == "heidi"


async def test_hold_lapse_reaches_clients_as_auto_released(edge_stack: EdgeStack) -> None:
    """A hold that lapses reaches clients as an auto_released SEAT_UPDATE."""
    async with EdgeClient.connect(edge_stack.ws_url(1)) as client:
        await client.subscribe(user_id="ivan")
        held = await client.command("SELECT_SEAT", "H1")
        started = time.monotonic()
        await client.wait_for(
            lambda: any(
                f["type"] == "SEAT_UPDATE"
                and f["data"]["event_type"] == "auto_released"
                and f["data"]["seat_id"] == "H1"
                for f in client.frames
            ),
            within=5,
            what="auto_released",
        )
        assert time.monotonic() - started < 2.0 + 1.0
        assert client.statuses()["H1"] == 0
        assert client.version is not None
        assert held["data"]["version"] < client.version


async def test_health_and_stats_answer_on_the_same_port(edge_stack: EdgeStack) -> None:
    """/health answers ok and /stats counts clients, messages, broadcasts and the version."""
    async with EdgeClient.connect(edge_stack.ws_url(0)) as client:
        await client.subscribe()
        await client.expect("VENUE_STATE")
        async with httpx.AsyncClient(base_url=edge_stack.edges[0].url) as http:
            health = await http.get("/health")
            stats = (await http.get("/stats")).json()
            missing = await http.get("/nope")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert stats["clients_connected"] >= 1
    for key in ("messages_in", "messages_out", "broadcasts", "slow_clients_dropped"):
        assert isinstance(stats[key], int)
    assert stats["messages_in"] >= 1
    assert stats["messages_out"] >= 3
    assert stats["venue_version"] == client.version
    assert stats["uptime_seconds"] > 0
    assert missing.status_code == 404
    assert "error" in missing.json()


async def test_upgrade_without_websocket_version_gets_426(edge_stack: EdgeStack) -> None:
    """An upgrade to /ws with no Sec-WebSocket-Version is 426 with Sec-WebSocket-Version: 13."""
    headers = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Key": "a2V5"}
    async with httpx.AsyncClient(base_url=edge_stack.edges[0].url) as http:
        response = await http.get("/ws", headers=headers)
    assert response.status_code == 426
    assert response.headers["Sec-WebSocket-Version"] == "13"
    assert response.json()["error"]


async def test_change_through_one_edge_reaches_the_other_within_a_second(
    edge_stack: EdgeStack,
) -> None:
    """A seat selected through edge 1 shows up on a client of edge 2 in under 1 s."""
    async with (
        EdgeClient.connect(edge_stack.ws_url(0)) as actor,
        EdgeClient.connect(edge_stack.ws_url(1)) as watcher,
    ):
        await actor.subscribe()
        await watcher.subscribe()
        await watcher.expect("VENUE_STATE")
        started = time.monotonic()
        await actor.send("SELECT_SEAT", {"seat_id": "I1"})
        await watcher.wait_for(lambda: watcher.statuses().get("I1") == 1, within=1.0, what="I1")
        assert time.monotonic() - started < 1.0
        await asyncio.sleep(0)


async def test_hold_cap_over_websocket_names_the_limit(edge_stack: EdgeStack) -> None:
    """One connection can hold 6 seats; the 7th select fails with a sentence naming the limit,
    while another connection claiming the same user_id still gets a seat."""
    async with (
        EdgeClient.connect(edge_stack.ws_url(0)) as greedy,
        EdgeClient.connect(edge_stack.ws_url(1)) as namesake,
    ):
        await greedy.subscribe(user_id="greedy")
        await namesake.subscribe(user_id="greedy")
        for seat in ("H1", "H2", "H3", "H4", "H5", "H6"):
            assert (await greedy.command("SELECT_SEAT", seat))["success"] is True
        refused = await greedy.command("SELECT_SEAT", "H7")
        assert refused["success"] is False
        assert refused["message"] == "You can hold at most 6 seats at a time"
        assert (await namesake.command("SELECT_SEAT", "H7"))["success"] is True
