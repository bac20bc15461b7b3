"""Parsing client frames and writing server frames at the edge."""

from __future__ import annotations

import orjson
import pytest

from edge_server.protocol import (
    CartCommand,
    Command,
    ProtocolError,
    error_frame,
    parse_command,
    response_frame,
)
from shared.messages import CART_CLIENT_FRAMES, MessageType


def test_protocol_parses_seed_commands() -> None:
    """The seed's SUBSCRIBE and seat commands parse into commands."""
    assert parse_command('{"type": "SUBSCRIBE", "data": {"user_id": "u1"}}') == Command(
        MessageType.SUBSCRIBE, user_id="u1"
    )
    command = parse_command(b'{"type": "BOOK_SEAT", "data": {"seat_id": "J10", "user_id": "u1"}}')
    assert command == Command(MessageType.BOOK_SEAT, seat_id="J10", user_id="u1")


def test_protocol_subscribe_names_an_event_and_the_compact_form() -> None:
    """SUBSCRIBE's event_id and compact are read; without them, the default event in full."""
    command = parse_command(
        '{"type": "SUBSCRIBE", "data": {"event_id": "rock-1a2b", "compact": true}}'
    )
    assert isinstance(command, Command)
    assert (command.event_id, command.compact) == ("rock-1a2b", True)
    seed = parse_command('{"type": "SUBSCRIBE", "data": {"user_id": "u1"}}')
    assert isinstance(seed, Command)
    assert (seed.event_id, seed.compact) == (None, False)


def test_protocol_subscribe_without_data_is_fine() -> None:
    """SUBSCRIBE with no data (or null data) asks for a fresh session."""
    assert parse_command('{"type": "SUBSCRIBE"}').type is MessageType.SUBSCRIBE
    assert parse_command('{"type": "SUBSCRIBE", "data": null}').user_id is None


def test_protocol_invalid_claimed_user_id_on_a_command_is_ignored() -> None:
    """A seat command's user_id is only a hint: an invalid one is dropped, not an error."""
    command = parse_command('{"type": "SELECT_SEAT", "data": {"seat_id": "A1", "user_id": "a b"}}')
    assert command.user_id is None


@pytest.mark.parametrize(
    ("raw", "sentence"),
    [
        ("{", "not valid JSON"),
        ("null", "must be a JSON object"),
        ('{"type": ["SUBSCRIBE"]}', "'type' is required"),
        ('{"type": "SEAT_UPDATE"}', "Unknown message type 'SEAT_UPDATE'"),
        ('{"type": "SUBSCRIBE", "data": "x"}', "'data' must be a JSON object"),
        ('{"type": "RELEASE_SEAT", "data": {"seat_id": "a 1"}}', "invalid format"),
        ('{"type": "SELECT_SEAT", "data": {"seat_id": "A1\\n"}}', "'seat_id' has an invalid"),
        ('{"type": "BOOK_SEAT", "data": {"seat_id": "A1 "}}', "'seat_id' has an invalid"),
        ('{"type": "SUBSCRIBE", "data": {"user_id": "u1\\n"}}', "'user_id' has an invalid"),
        ('{"type": "SELECT_SEAT", "data": {"seat_id": "A1", "user_id": 3}}', "'user_id' must be"),
        ('{"type": "SUBSCRIBE", "data": {"session_token": ""}}', "'session_token' must be"),
        ('{"type": "SUBSCRIBE", "data": {"event_id": "Rock"}}', "'event_id' has an invalid"),
        ('{"type": "SUBSCRIBE", "data": {"event_id": "a.b"}}', "'event_id' has an invalid"),
        ('{"type": "SUBSCRIBE", "data": {"event_id": 7}}', "'event_id' must be"),
        ('{"type": "SUBSCRIBE", "data": {"compact": "yes"}}', "'compact' must be true or false"),
    ],
)
def test_protocol_rejects_malformed_frames_with_a_sentence(raw: str, sentence: str) -> None:
    """Every malformed frame raises ProtocolError whose text says what is wrong."""
    with pytest.raises(ProtocolError, match=sentence.replace("[", r"\[")):
        parse_command(raw)


def test_protocol_frames_are_one_json_object_each() -> None:
    """ERROR and …_RESPONSE frames have the SPEC's shape."""
    assert orjson.loads(error_frame("Nope")) == {"type": "ERROR", "data": {"error": "Nope"}}
    frame = response_frame(
        MessageType.SELECT_SEAT_RESPONSE, success=True, message="ok", data={"seat_id": "A1"}
    )
    assert orjson.loads(frame) == {
        "type": "SELECT_SEAT_RESPONSE",
        "data": {"success": True, "message": "ok", "data": {"seat_id": "A1"}},
    }


def test_protocol_parses_cart_messages() -> None:
    """Each cart message parses into a CartCommand with its own fields."""
    add = parse_command('{"type": "ADD_TO_CART", "data": {"seat_ids": ["A1", "A2"]}}')
    assert add == CartCommand(MessageType.ADD_TO_CART, seat_ids=("A1", "A2"))
    remove = parse_command('{"type": "REMOVE_FROM_CART", "data": {"seat_id": "A2"}}')
    assert remove == CartCommand(MessageType.REMOVE_FROM_CART, seat_id="A2")
    best = parse_command(
        '{"type": "BEST_AVAILABLE", "data": {"quantity": 4, "category": "Stalls",'
        ' "accessible": true, "allow_split": true}}'
    )
    assert best == CartCommand(
        MessageType.BEST_AVAILABLE, quantity=4, category="Stalls", accessible=True, allow_split=True
    )
    plain = parse_command('{"type": "BEST_AVAILABLE", "data": {"quantity": 2}}')
    assert isinstance(plain, CartCommand)
    assert (plain.category, plain.accessible, plain.allow_split) == (None, False, False)
    assert parse_command('{"type": "CHECKOUT"}') == CartCommand(MessageType.CHECKOUT)
    book = parse_command(
        '{"type": "BOOK_CART", "data": {"idempotency_key": "k:1.a_b~c-d", "name": "Ann",'
        ' "email": "ann@example.com", "user_id": "ann"}}'
    )
    assert book == CartCommand(
        MessageType.BOOK_CART,
        user_id="ann",
        idempotency_key="k:1.a_b~c-d",
        name="Ann",
        email="ann@example.com",
    )


@pytest.mark.parametrize(
    "raw",
    [
        '{"type": "ADD_TO_CART", "data": {"seat_ids": ["A1"], "user_id": "u1"}}',
        '{"type": "REMOVE_FROM_CART", "data": {"seat_id": "A1"}}',
        '{"type": "BEST_AVAILABLE", "data": {"quantity": 3, "allow_split": true}}',
        '{"type": "CHECKOUT", "data": {}}',
        '{"type": "BOOK_CART", "data": {"idempotency_key": "abc", "email": "a@b.co"}}',
    ],
)
def test_protocol_cart_messages_that_parse_fit_their_models(raw: str) -> None:
    """A cart message the edge accepts is valid by its model in shared.messages."""
    command = parse_command(raw)
    assert isinstance(command, CartCommand)
    frame = orjson.loads(raw)
    CART_CLIENT_FRAMES[command.type].model_validate(frame["data"])


@pytest.mark.parametrize(
    ("raw", "sentence"),
    [
        ('{"type": "ADD_TO_CART", "data": {}}', "'seat_ids' is required"),
        ('{"type": "ADD_TO_CART", "data": {"seat_ids": []}}', "'seat_ids' is required"),
        ('{"type": "ADD_TO_CART", "data": {"seat_ids": "A1"}}', "must be a list of seat ids"),
        ('{"type": "ADD_TO_CART", "data": {"seat_ids": ["A1", 2]}}', "'seat_ids' must hold"),
        ('{"type": "ADD_TO_CART", "data": {"seat_ids": ["A 1"]}}', "'seat_ids' must hold"),
        ('{"type": "ADD_TO_CART", "data": {"seat_ids": ["A1", "A1"]}}', "more than once"),
        ('{"type": "ADD_TO_CART", "data": {"seat_ids": ["A1"], "x": 1}}', "Unknown field 'x' in"),
        ('{"type": "REMOVE_FROM_CART", "data": {}}', "'seat_id' is required"),
        ('{"type": "REMOVE_FROM_CART", "data": {"seat_id": "A1;"}}', "'seat_id' has an invalid"),
        ('{"type": "BEST_AVAILABLE", "data": {}}', "'quantity' is required"),
        ('{"type": "BEST_AVAILABLE", "data": {"quantity": 0}}', "1 or more"),
        ('{"type": "BEST_AVAILABLE", "data": {"quantity": 2.5}}', "whole number"),
        ('{"type": "BEST_AVAILABLE", "data": {"quantity": true}}', "whole number"),
        ('{"type": "BEST_AVAILABLE", "data": {"quantity": "4"}}', "whole number"),
        ('{"type": "BEST_AVAILABLE", "data": {"quantity": 2, "category": ""}}', "'category'"),
        ('{"type": "BEST_AVAILABLE", "data": {"quantity": 2, "category": 7}}', "'category'"),
        ('{"type": "BEST_AVAILABLE", "data": {"quantity": 2, "accessible": 1}}', "true or false"),
        ('{"type": "BEST_AVAILABLE", "data": {"quantity": 2, "allow_split": "y"}}', "true or"),
        ('{"type": "BEST_AVAILABLE", "data": {"quantity": 2, "allowSplit": true}}', "'allowSplit'"),
        ('{"type": "CHECKOUT", "data": {"seat_id": "A1"}}', "Unknown field 'seat_id' in CHECKOUT"),
        ('{"type": "BOOK_CART", "data": {}}', "'idempotency_key' is required"),
        ('{"type": "BOOK_CART", "data": {"idempotency_key": ""}}', "'idempotency_key'"),
        ('{"type": "BOOK_CART", "data": {"idempotency_key": "a b"}}', "'idempotency_key'"),
        ('{"type": "BOOK_CART", "data": {"idempotency_key": "k\\n"}}', "'idempotency_key'"),
        (f'{{"type": "BOOK_CART", "data": {{"idempotency_key": "{"k" * 65}"}}}}', "1-64"),
        ('{"type": "BOOK_CART", "data": {"idempotency_key": "k", "name": ""}}', "'name' must be"),
        ('{"type": "BOOK_CART", "data": {"idempotency_key": "k", "email": "no"}}', "'email'"),
        ('{"type": "BOOK_CART", "data": {"idempotency_key": "k", "email": 3}}', "'email'"),
    ],
)
def test_protocol_rejects_bad_cart_fields_with_a_sentence(raw: str, sentence: str) -> None:
    """Every bad field of a cart message raises ProtocolError naming the field."""
    with pytest.raises(ProtocolError, match=sentence):
        parse_command(raw)
