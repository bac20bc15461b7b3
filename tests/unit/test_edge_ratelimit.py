"""The edge's per-connection token bucket and its refusal streaks."""

from __future__ import annotations

from edge_server.ratelimit import Admission, RateLimiter


def test_ratelimit_allows_the_burst_then_refuses_once_then_drops() -> None:
    """A burst passes; the first message over it is refused (ERROR), the next ones dropped."""
    limiter = RateLimiter(rate=20, burst=40, strikes=40, now=0.0)
    assert all(limiter.admit(0.0) is Admission.ALLOWED for _ in range(40))
    assert limiter.admit(0.0) is Admission.REFUSED
    assert limiter.admit(0.0) is Admission.DROPPED


def test_ratelimit_sustained_flood_becomes_abusive() -> None:
    """The strikes-th refusal in a row marks the client abusive."""
    limiter = RateLimiter(rate=20, burst=2, strikes=5, now=0.0)
    results = [limiter.admit(0.0) for _ in range(7)]
    assert results[:2] == [Admission.ALLOWED] * 2
    assert results[2:6] == [Admission.REFUSED, *[Admission.DROPPED] * 3]
    assert results[6] is Admission.ABUSIVE


def test_ratelimit_refills_at_the_rate_and_resets_the_streak() -> None:
    """Tokens come back at ``rate`` per second; an allowed message ends a refusal streak."""
    limiter = RateLimiter(rate=10, burst=1, strikes=3, now=0.0)
    assert limiter.admit(0.0) is Admission.ALLOWED
    assert limiter.admit(0.05) is Admission.REFUSED
    assert limiter.admit(0.1) is Admission.ALLOWED
    assert limiter.admit(0.1) is Admission.REFUSED
    assert limiter.admit(0.1) is Admission.DROPPED
    assert limiter.admit(0.2) is Admission.ALLOWED


def test_ratelimit_never_saves_more_than_the_burst() -> None:
    """A long quiet spell refills the bucket to ``burst`` and no further."""
    limiter = RateLimiter(rate=20, burst=3, strikes=10, now=0.0)
    assert [limiter.admit(100.0) for _ in range(4)][-1] is Admission.REFUSED


def test_ratelimit_steady_client_under_the_rate_is_never_refused() -> None:
    """A client sending 15 messages/s against a 20/s limit is always allowed."""
    limiter = RateLimiter(rate=20, burst=1, strikes=10, now=0.0)
    assert all(limiter.admit(i / 15) is Admission.ALLOWED for i in range(300))
