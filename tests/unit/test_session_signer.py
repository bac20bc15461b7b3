"""Session tokens: issue, verify, expire, renew, reject anything not signed with our secret."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from booking_service.errors import InvalidSession
from booking_service.session_signer import Identity, SessionSigner
from shared.holders import holder_of

SECRET = b"unit-test-secret-0123456789-0123456789"
TTL = 1000


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signed(payload: bytes, secret: bytes = SECRET) -> str:
    """A token whose signature is valid for ``payload``, whatever the payload holds."""
    encoded = _b64(payload)
    signature = _b64(hmac.new(secret, encoded.encode(), hashlib.sha256).digest())
    return f"{encoded}.{signature}"


class Clock:
    """A settable unix time for signers under test."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _signer(clock: Clock | None = None, secret: bytes = SECRET) -> SessionSigner:
    return SessionSigner(secret, ttl_seconds=TTL, clock=clock or Clock())


def _signed_session(signer: SessionSigner, user_id: str) -> tuple[str, Identity]:
    session = signer.issue(user_id)
    return session.token, session.identity


def test_session_issue_verify_round_trip() -> None:
    """A token verifies to the identity it was issued with, holder tag included."""
    signer = _signer()
    token, identity = _signed_session(signer, "u1")
    assert signer.verify(token) == identity
    assert identity.user_id == "u1"
    assert identity.owner == f"s:{identity.session_id}"
    assert identity.holder == holder_of(identity.owner)


def test_session_describe_names_the_session() -> None:
    """The session reply carries token, session id, user id, holder tag and expiry."""
    clock = Clock()
    session = _signer(clock).issue("u1")
    assert session.describe() == {
        "session_token": session.token,
        "session_id": session.identity.session_id,
        "user_id": "u1",
        "holder": holder_of(f"s:{session.identity.session_id}"),
        "expires_at": int(clock.now) + TTL,
    }


def test_session_token_expires_after_ttl() -> None:
    """A token verifies until its expiry and is refused like a forged one from then on."""
    clock = Clock()
    signer = _signer(clock)
    token, _ = _signed_session(signer, "u1")
    clock.now += TTL - 1
    signer.verify(token)
    clock.now += 1
    with pytest.raises(InvalidSession, match="not valid"):
        signer.verify(token)


def test_session_renewal_due_past_half_lifetime() -> None:
    """Renewal is due from half the token's lifetime on, and never for tokenless callers."""
    clock = Clock()
    signer = _signer(clock)
    token, _ = _signed_session(signer, "u1")
    clock.now += TTL / 2 - 1
    assert not signer.renewal_due(signer.verify(token))
    clock.now += 1
    assert signer.renewal_due(signer.verify(token))
    assert not signer.renewal_due(Identity.tokenless("u1"))


def test_session_renewed_token_is_the_same_session_with_a_new_expiry() -> None:
    """A renewed token names the same session and outlives the old one."""
    clock = Clock()
    signer = _signer(clock)
    token, identity = _signed_session(signer, "u1")
    clock.now += TTL - 10
    renewed = signer.renew(signer.verify(token))
    assert renewed.identity.owner == identity.owner
    assert renewed.identity.holder == identity.holder
    assert renewed.identity.expires_at == int(clock.now) + TTL
    clock.now += 20
    with pytest.raises(InvalidSession):
        signer.verify(token)
    assert signer.verify(renewed.token).session_id == identity.session_id


def test_session_without_expiry_claim_is_invalid() -> None:
    """A correctly signed token that lacks an expiry is refused."""
    with pytest.raises(InvalidSession):
        _signer().verify(_signed(b'{"sid":"abc","uid":"u1","iat":0}'))


def test_session_owner_differs_from_tokenless_owner() -> None:
    """Two sessions of one user, and that user without a token, are three owners."""
    signer = _signer()
    first, second = signer.issue("u1").identity, signer.issue("u1").identity
    owners = {first.owner, second.owner, Identity.tokenless("u1").owner}
    assert len(owners) == 3


def test_session_tampered_token_is_invalid() -> None:
    """Changing any character of the payload or signature invalidates the token."""
    signer = _signer()
    token = signer.issue("u1").token
    for index in (0, len(token) // 2, token.index(".") + 1, len(token) - 1):
        flipped = "A" if token[index] != "A" else "B"
        tampered = token[:index] + flipped + token[index + 1 :]
        with pytest.raises(InvalidSession):
            signer.verify(tampered)


def test_session_forged_user_id_is_invalid() -> None:
    """A payload rewritten to another user, keeping the old signature, is refused."""
    signer = _signer()
    token = signer.issue("u1").token
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
        _signer().verify(garbage)


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]", b'{"sid": "x"}', b"null", b"\xff"])
def test_session_signed_nonsense_payload_is_invalid(payload: bytes) -> None:
    """A correctly signed payload that is not a session raises InvalidSession."""
    with pytest.raises(InvalidSession):
        _signer().verify(_signed(payload))


def test_session_wrong_secret_is_invalid() -> None:
    """A token from a signer with another secret is refused."""
    token = _signer(secret=b"another-secret-0123456789-0123456789").issue("u1").token
    with pytest.raises(InvalidSession):
        _signer().verify(token)
