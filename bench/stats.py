"""Latency summaries shared by the benchmarks."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["percentile", "summary"]


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The value below which ``fraction`` of the sorted values fall (nearest rank)."""
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def summary(latencies_s: Sequence[float]) -> str:
    """``p50 / p99 / max`` in milliseconds."""
    ordered = sorted(latencies_s)
    p50, p99 = percentile(ordered, 0.50), percentile(ordered, 0.99)
    top = ordered[-1] if ordered else float("nan")
    return f"p50 {p50 * 1000:.1f} ms  p99 {p99 * 1000:.1f} ms  max {top * 1000:.1f} ms"
