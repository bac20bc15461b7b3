"""Per-connection rate limit: a token bucket, plus a count of refusals in a row.

A client may send ``burst`` messages at once and ``rate`` per second on average. The
first message refused after an allowed one is worth telling the client about; the ones
after it in the same streak are dropped silently (answering a flood would amplify it),
and ``strikes`` refusals in a row mark the client as abusive.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["Admission", "RateLimiter"]


class Admission(Enum):
    """What to do with one incoming message."""

    ALLOWED = "allowed"
    REFUSED = "refused"  # first refusal of a streak: answer with an ERROR
    DROPPED = "dropped"  # a later refusal of the same streak: ignore it
    ABUSIVE = "abusive"  # the streak reached the limit: close the connection


class RateLimiter:
    """A token bucket of ``burst`` tokens refilled at ``rate`` per second."""

    __slots__ = ("_burst", "_rate", "_stamp", "_streak", "_strikes", "_tokens")

    def __init__(self, *, rate: float, burst: int, strikes: int, now: float) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._strikes = strikes
        self._tokens = float(burst)
        self._stamp = now
        self._streak = 0

    def admit(self, now: float) -> Admission:
        """Take a token for a message arriving at ``now`` (monotonic seconds)."""
        elapsed = now - self._stamp
        if elapsed > 0:
            self._tokens = min(self._burst, self._tokens + elapsed * self._rate)
            self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            self._streak = 0
            return Admission.ALLOWED
        self._streak += 1
        if self._streak >= self._strikes:
            return Admission.ABUSIVE
        return Admission.REFUSED if self._streak == 1 else Admission.DROPPED
