"""Validation errors described as sentences a client developer can act on."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from booking_service.api.bodies import describe
from shared.messages import SeatRequest


def _first_error(body: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        SeatRequest.model_validate_json(body)
    return describe(caught.value.errors()[0])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "Request body is not valid JSON"),
        (b"", "Request body is not valid JSON"),
        (b"[]", "Request body must be a JSON object"),
        (b'"A1"', "Request body must be a JSON object"),
        (b"null", "Request body must be a JSON object"),
        (b'{"user_id": "u1"}', "Field 'seat_id' is required"),
        (b'{"seat_id": "A1", "extra": 1}', "Unknown field 'extra'"),
        (b'{"seat_id": 5}', "Field 'seat_id' must be a string"),
        (b'{"seat_id": null}', "Field 'seat_id' must be a string"),
        (b'{"seat_id": "A1", "user_id": []}', "Field 'user_id' must be a string"),
        (b'{"seat_id": "../../etc"}', "Field 'seat_id' has an invalid format"),
        (b'{"seat_id": "A1", "user_id": "<b>"}', "Field 'user_id' has an invalid format"),
    ],
)
def test_describe_names_the_problem(body: bytes, message: str) -> None:
    """Each kind of invalid body yields its own sentence naming the field."""
    assert _first_error(body) == message


def test_describe_falls_back_to_field_and_pydantic_message() -> None:
    """Other errors still name the field, followed by pydantic's own explanation."""
    message = _first_error(b'{"seat_id": "A1", "session_token": ""}')
    assert message.startswith("Field 'session_token': ")
    assert "at least 1 character" in message
