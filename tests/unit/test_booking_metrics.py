"""The booking service's metrics: outcomes of statuses, and the workers' metric files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from booking_service.metrics import outcome
from booking_service.metrics_files import metrics_directory
from shared.config import BookingSettings


@pytest.fixture
def no_metrics_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PROMETHEUS_MULTIPROC_DIR during the test, and whatever it sets undone after."""
    # setenv first, so that monkeypatch restores the variable's state at the start.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, "success"),
        (201, "success"),
        (409, "conflict"),
        (400, "invalid"),
        (401, "invalid"),
        (404, "invalid"),
        (413, "invalid"),
        (503, "unavailable"),
        (500, "error"),
    ],
)
def test_metrics_outcome_of_each_status(status: int, expected: str) -> None:
    """Each status counts under the outcome it means to an operator."""
    assert outcome(status) == expected


@pytest.mark.usefixtures("no_metrics_dir")
def test_metrics_one_worker_keeps_its_figures_in_memory() -> None:
    """One worker and no PROMETHEUS_MULTIPROC_DIR: no directory, nothing in the environment."""
    with metrics_directory(BookingSettings(workers=1)) as directory:
        assert directory is None
        assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ


@pytest.mark.usefixtures("no_metrics_dir")
def test_metrics_workers_get_a_fresh_directory_removed_afterwards() -> None:
    """Several workers and no directory given: a new empty one, named to the workers, gone
    once the service has stopped."""
    with metrics_directory(BookingSettings(workers=2)) as directory:
        assert directory is not None
        assert directory.is_dir()
        assert not any(directory.iterdir())
        assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(directory)
    assert not directory.exists()


@pytest.mark.usefixtures("no_metrics_dir")
def test_metrics_given_directory_is_emptied_of_an_earlier_run(tmp_path: Path) -> None:
    """A PROMETHEUS_MULTIPROC_DIR from the settings loses the metric files of an earlier
    run before any worker starts, and is kept afterwards."""
    given = tmp_path / "metrics"
    given.mkdir()
    (given / "counter_1234.db").write_bytes(b"stale")
    (given / "notes.txt").write_text("kept")
    settings = BookingSettings(workers=2, prometheus_multiproc_dir=given)
    with metrics_directory(settings) as directory:
        assert directory == given
        assert sorted(path.name for path in given.iterdir()) == ["notes.txt"]
        assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(given)
    assert given.is_dir()
