"""Order references and the order JSON the API shows."""

from __future__ import annotations

import orjson
import pytest
from pydantic import ValidationError

from booking_service.api.orders import OrderRequest
from booking_service.orders import REFERENCE_ALPHABET, new_reference, owner_of, public_order


def test_reference_is_eight_unambiguous_characters() -> None:
    """A reference is 8 characters of the alphabet, which has no 0, O, 1, I or L."""
    assert not set(REFERENCE_ALPHABET) & set("0O1IL")
    for _ in range(200):
        reference = new_reference()
        assert len(reference) == 8
        assert set(reference) <= set(REFERENCE_ALPHABET)


def test_reference_is_fresh_each_time() -> None:
    """Two thousand references drawn in a row are all different."""
    assert len({new_reference() for _ in range(2000)}) == 2000


def test_public_order_leaves_the_owner_key_out() -> None:
    """The stored order's owner key decides who may see it but is never shown."""
    raw = orjson.dumps({"total": 30, "owner": "s:123", "reference": "ABCDEFGH", "seats": []})
    shown = public_order(raw)
    assert list(shown) == ["reference", "seats", "total", "buyer"]
    assert shown["buyer"] == {"user_id": None, "name": None, "email": None}
    assert owner_of(raw) == "s:123"


@pytest.mark.parametrize(
    "body",
    [{"name": ""}, {"email": "not-an-address"}, {"name": 3}, {"colour": "red"}],
)
def test_order_request_refuses_bad_fields(body: dict[str, object]) -> None:
    """An empty name, a malformed e-mail, a wrong type or an unknown field is refused."""
    with pytest.raises(ValidationError):
        OrderRequest.model_validate_json(orjson.dumps(body))


def test_order_request_takes_no_fields() -> None:
    """Name and e-mail are optional."""
    assert OrderRequest.model_validate_json(b"{}").name is None
