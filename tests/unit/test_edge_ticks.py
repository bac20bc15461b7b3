"""Tick: at once after a quiet period, together within the window, the window following
what a send cost; the time is passed in."""

from __future__ import annotations

import pytest

from edge_server.ticks import Tick


def tick() -> Tick:
    return Tick(min_window=0.002, max_window=0.025, cost_factor=1.0)


def test_tick_first_change_goes_at_once() -> None:
    """Nothing sent before: the first change is due now, and taken with its version."""
    pending = tick()
    assert pending.add([b"c1"], 1, now=10.0) == 0
    assert pending.take() == ([b"c1"], 1, [])
    assert pending.take() is None
    assert not pending


def test_tick_changes_within_the_window_wait_and_go_together_in_order() -> None:
    """After a send, changes that come within the window wait for its end, gathered."""
    pending = tick()
    pending.add([b"c1"], 1, now=10.0)
    pending.take()
    pending.sent(10.0, cost=0.001)
    assert pending.add([b"c2"], 2, now=10.0005) == pytest.approx(0.0015)
    assert pending.add([b"c3", b"c4"], 4, now=10.001) == pytest.approx(0.001)
    assert pending.take() == ([b"c2", b"c3", b"c4"], 4, [])


def test_tick_after_a_quiet_window_a_change_goes_at_once() -> None:
    """Once the window after the last send has passed, there is no wait again."""
    pending = tick()
    pending.sent(10.0, cost=0.0)
    assert pending.add([b"c1"], 1, now=10.002) == 0
    assert pending.add([b"c2"], 2, now=10.1) == 0


@pytest.mark.parametrize(
    ("cost", "window"),
    [(0.0, 0.002), (0.001, 0.002), (0.008, 0.008), (0.1, 0.025)],
    ids=["free", "below-min", "cost", "above-max"],
)
def test_tick_window_follows_the_cost_of_the_last_send(cost: float, window: float) -> None:
    """The window is the last send's cost times the factor, within its bounds."""
    pending = tick()
    pending.sent(20.0, cost=cost)
    assert pending.add([b"c"], 1, now=20.0) == pytest.approx(window)
    assert pending.add([b"c"], 2, now=20.0 + window) == 0


def test_tick_cost_factor_scales_the_window() -> None:
    """A factor of 2 leaves the loop two thirds of its time for everything else."""
    pending = Tick(min_window=0.0, max_window=1.0, cost_factor=2.0)
    pending.sent(0.0, cost=0.01)
    assert pending.add([b"c"], 1, now=0.0) == pytest.approx(0.02)
