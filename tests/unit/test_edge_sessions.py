"""EdgeSessions: sessions an edge signs are the booking service's, and its verdicts too."""

from __future__ import annotations

import pytest

from booking_service.session_signer import SessionSigner
from edge_server.booking_client import BookingRefused
from edge_server.sessions import EdgeSessions

SECRET = b"edge-sessions-secret-0123456789-0123456789"


async def test_sessions_started_at_the_edge_verify_at_the_booking_service() -> None:
    """A session the edge starts is one the booking service's signer accepts, with the
    holder tag it would give."""
    session = await EdgeSessions(SECRET, ttl_seconds=60).start_session("dana")
    identity = SessionSigner(SECRET, ttl_seconds=60).verify(session.token)
    assert (session.user_id, session.holder) == ("dana", identity.holder)
    assert identity.user_id == "dana"


async def test_sessions_without_a_user_id_get_a_made_up_one() -> None:
    session = await EdgeSessions(SECRET, ttl_seconds=60).start_session(None)
    assert session.user_id.startswith("user-")


async def test_sessions_resume_renews_the_same_session() -> None:
    """Resuming keeps the session (user, holder) under a freshly signed token."""
    signed = SessionSigner(SECRET, ttl_seconds=60).issue("erin")
    resumed = await EdgeSessions(SECRET, ttl_seconds=60).resume_session(signed.token)
    assert (resumed.user_id, resumed.holder) == ("erin", signed.identity.holder)


@pytest.mark.parametrize("secret", [SECRET, b"another-secret-0123456789-0123456789-xx"])
async def test_sessions_refuse_a_token_that_does_not_verify_as_the_booking_service_would(
    secret: bytes,
) -> None:
    """A forged token, or one signed with another secret, is a 400 refusal."""
    token = SessionSigner(secret, ttl_seconds=60).issue("frank").token
    if secret == SECRET:
        token = token[:-2] + "xx"
    with pytest.raises(BookingRefused) as refused:
        await EdgeSessions(SECRET, ttl_seconds=60).resume_session(token)
    assert refused.value.status == 400
