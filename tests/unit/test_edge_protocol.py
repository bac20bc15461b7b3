"""Parsing client frames and writing server frames at the edge."""

from __future__ import annotations

import orjson
import pytest

from edge_server.protocol import Command, ProtocolError, error_frame, parse_command, response_frame
from shared.messages import MessageType


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
    assert (command.event_id, command.compact) == ("rock-1a2b", True)
    seed = parse_command('{"type": "SUBSCRIBE", "data": {"user_id": "u1"}}')
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
