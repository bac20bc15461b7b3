"""Session tokens: issue, verify, reject anything not signed with our secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat
from pathlib import Path

import pytest

from booking_service.errors import InvalidSession
from booking_service.session_signer import Identity, SessionSigner, load_or_create_secret

SECRET = b"unit-test-secret-0123456789"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signed(payload: bytes, secret: bytes = SECRET) -> str:
    """A token whose signature is valid for ``payload``, whatever the payload holds."""
    encoded = _b64(payload)
    signature = _b64(hmac.new(secret, encoded.encode(), hashlib.sha256).digest())
    return f"{encoded}.{signature}"


def test_session_issue_verify_round_trip() -> None:
    """A token verifies to the identity it was issued with."""
    signer = SessionSigner(SECRET)
    token, identity = signer.issue("u1")
    assert signer.verify(token) == identity
    assert identity.user_id == "u1"
    assert identity.owner == f"s:{identity.session_id}"


def test_session_owner_differs_from_tokenless_owner() -> None:
    """Two sessions of one user, and that user without a token, are three owners."""
    signer = SessionSigner(SECRET)
    _, first = signer.issue("u1")
    _, second = signer.issue("u1")
    owners = {first.owner, second.owner, Identity.tokenless("u1").owner}
    assert len(owners) == 3


def test_session_tampered_token_is_invalid() -> None:
    """Changing any character of the payload or signature invalidates the token."""
    signer = SessionSigner(SECRET)
    token, _ = signer.issue("u1")
    for index in (0, len(token) // 2, token.index(".") + 1, len(token) - 1):
        flipped = "A" if token[index] != "A" else "B"
        tampered = token[:index] + flipped + token[index + 1 :]
        with pytest.raises(InvalidSession):
            signer.verify(tampered)


def test_session_forged_user_id_is_invalid() -> None:
    """A payload rewritten to another user, keeping the old signature, is refused."""
    signer = SessionSigner(SECRET)
    token, _ = signer.issue("u1")
    _, signature = token.split(".")
    forged = _b64(b'{"sid":"0","uid":"admin","iat":0}')
    with pytest.raises(InvalidSession):
        signer.verify(f"{forged}.{signature}")


@pytest.mark.parametrize(
    "garbage",
    ["", ".", "abc", "abc.", ".abc", "a.b.c", "x" * 600, "é.é", "abc.\u00e9", "\x00.\x00"],
)
def test_session_garbage_is_invalid(garbage: str) -> None:
    """Anything that is not a token we issued raises InvalidSession, nothing else."""
    with pytest.raises(InvalidSession):
        SessionSigner(SECRET).verify(garbage)


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]", b'{"sid": "x"}', b"null", b"\xff"])
def test_session_signed_nonsense_payload_is_invalid(payload: bytes) -> None:
    """A correctly signed payload that is not a session raises InvalidSession."""
    with pytest.raises(InvalidSession):
        SessionSigner(SECRET).verify(_signed(payload))


def test_session_wrong_secret_is_invalid() -> None:
    """A token from a signer with another secret is refused."""
    token, _ = SessionSigner(b"another-secret-0123456789").issue("u1")
    with pytest.raises(InvalidSession):
        SessionSigner(SECRET).verify(token)


def test_session_secret_created_once_and_reused(tmp_path: Path) -> None:
    """The first call creates a private secret file; later calls return the same secret."""
    data_dir = tmp_path / "data"
    first = load_or_create_secret(data_dir)
    second = load_or_create_secret(data_dir)
    assert first == second
    assert len(first) >= 32
    files = list(data_dir.iterdir())
    assert len(files) == 1
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600


def test_session_secret_differs_between_data_dirs(tmp_path: Path) -> None:
    """Each data directory gets its own random secret."""
    assert load_or_create_secret(tmp_path / "a") != load_or_create_secret(tmp_path / "b")
