"""EdgeStack: Redis, NATS, one booking service and edge servers as real processes.

Used by the edge tests and the fan-out benchmark. Every process logs under the
stack's directory; ``stop()`` stops them all, edges first.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from tests.servers import BookingProcess, EdgeProcess, NatsServer, RedisServer

__all__ = ["SECRET", "EdgeStack"]

SECRET = "edge-test-secret-0123456789-0123456789"


class EdgeStack:
    """The whole back end, with ``edge_count`` edges relaying to one booking service."""

    def __init__(
        self,
        directory: Path,
        *,
        edge_count: int = 2,
        booking_env: Mapping[str, str] | None = None,
        edge_env: Mapping[str, str] | None = None,
    ) -> None:
        self.directory = directory
        self.redis = RedisServer(directory / "redis", appendonly=True)
        self.nats = NatsServer(directory / "nats")
        self._booking_env = dict(booking_env or {})
        self._edge_env = dict(edge_env or {})
        self._edge_count = edge_count
        self.booking: BookingProcess | None = None
        self.edges: list[EdgeProcess] = []

    @property
    def api(self) -> str:
        """The booking service's base URL."""
        assert self.booking is not None
        return self.booking.url

    def ws_url(self, edge: int) -> str:
        """The WebSocket URL of edge number ``edge``."""
        return self.edges[edge].url.replace("http://", "ws://") + "/ws"

    def start(self) -> EdgeStack:
        """Start everything and wait until each process is ready."""
        self.redis.start()
        self.nats.start()
        self.booking = BookingProcess(
            self.directory / "logs", self._booking_settings(), name="booking"
        )
        self.booking.start()
        for index in range(self._edge_count):
            edge = EdgeProcess(
                self.directory / "logs", self._edge_settings(), name=f"edge-{index + 1}"
            )
            self.edges.append(edge)
            edge.start()
        return self

    def stop(self) -> None:
        """Stop every process, edges first. Idempotent."""
        for edge in self.edges:
            edge.stop()
        if self.booking is not None:
            self.booking.stop()
        self.nats.stop()
        self.redis.stop()

    def _booking_settings(self) -> dict[str, str]:
        return {
            "REDIS_URL": self.redis.url,
            "NATS_URL": self.nats.url,
            "DATA_DIR": str(self.directory / "data"),
            "SESSION_SECRET": SECRET,
            "LOG_LEVEL": "warning",
            **self._booking_env,
        }

    def _edge_settings(self) -> dict[str, str]:
        return {
            "BOOKING_SERVICE_URL": self.api,
            "NATS_URL": self.nats.edge_url,
            "LOG_LEVEL": "info",
            **self._edge_env,
        }
