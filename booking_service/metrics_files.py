"""The directory where a multi-worker service's processes keep their metric files.

prometheus-client's multiprocess mode has each worker write its figures to memory-mapped
files in ``PROMETHEUS_MULTIPROC_DIR``, which ``/metrics`` in any worker adds up. Files
left from an earlier run would be added too, so the directory must be empty before the
first worker starts.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shared.config import BookingSettings

__all__ = ["metrics_directory"]


@contextmanager
def metrics_directory(settings: BookingSettings) -> Iterator[Path | None]:
    """An empty directory for the workers' metric files, named to them in the environment.

    ``PROMETHEUS_MULTIPROC_DIR`` if set (created, or emptied of earlier metric files);
    else, with ``WORKERS`` > 1, a new temporary directory, removed on leaving; else
    None: one process keeps its figures in memory. Yields the directory.
    """
    given = settings.prometheus_multiproc_dir
    if given is None and settings.workers == 1:
        yield None
        return
    path = given if given is not None else Path(tempfile.mkdtemp(prefix="booking-metrics-"))
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    # Read by prometheus-client in each worker, and by the workers' settings.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    try:
        yield path
    finally:
        if given is None:
            shutil.rmtree(path, ignore_errors=True)
