"""``python -m edge_server``: settings → logging → the edge server on uvloop."""

from __future__ import annotations

import gc
import logging

import uvloop

from edge_server.app import run_until_signalled
from shared.config import EdgeSettings
from shared.logging import configure_logging


def tune_gc() -> None:
    """Keep start-up objects out of every collection and make collections rarer.

    With 10,000 connections the heap holds millions of objects; the default thresholds
    would walk them all often enough to stall every client for tens of milliseconds.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def main() -> None:
    settings = EdgeSettings()
    configure_logging(settings.log_level, service="edge-server")
    # A line per HTTP call or per connection would cost more than the work it describes.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("websockets.server").setLevel(logging.WARNING)
    tune_gc()
    uvloop.run(run_until_signalled(settings))


if __name__ == "__main__":
    main()
