"""The servers a benchmark runs against, started for it in a temporary directory."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

from tests.servers import BookingProcess, NatsServer, RedisServer

__all__ = ["booking_stack"]


@contextmanager
def booking_stack(settings: Mapping[str, str]) -> Iterator[BookingProcess]:
    """Redis (append-only), NATS and a booking service configured with ``settings``, all
    running until the block ends, then stopped and their files removed."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, ExitStack() as stack:
        root = Path(tmp)
        redis_server = RedisServer(root / "redis", appendonly=True)
        nats_server = NatsServer(root / "nats")
        booking = BookingProcess(
            root,
            {
                "REDIS_URL": redis_server.url,
                "NATS_URL": nats_server.url,
                "DATA_DIR": str(root / "data"),
                "LOG_LEVEL": "warning",
                **settings,
            },
            name="booking",
        )
        for server in (redis_server, nats_server, booking):
            stack.callback(server.stop)
            server.start()
        yield booking
