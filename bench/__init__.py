"""Benchmarks: each module starts the real servers it measures and prints its figures."""
