"""The edge server assembled: hub, mirror, feed, NATS relay, booking client, listener.

``run_edge`` starts them in dependency order and, once ``stop`` is set, stops them in
reverse: the listener first (clients get 1001 and reconnect elsewhere), then the feed
and NATS, then the HTTP pool. Every background task is owned, cancelled and awaited.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from websockets.asyncio.server import ServerConnection

from edge_server.booking_client import BookingClient
from edge_server.feed import VenueFeed
from edge_server.hub import Hub
from edge_server.mirror import VenueMirror
from edge_server.relay import NatsRelay
from edge_server.server import CLOSE_TIMEOUT, create_server
from edge_server.session import ClientSession, SessionContext
from edge_server.stats import Stats
from shared.config import EdgeSettings

__all__ = ["run_edge", "run_until_signalled"]

logger = logging.getLogger(__name__)


async def run_edge(settings: EdgeSettings, *, stop: asyncio.Event) -> None:
    """Serve until ``stop`` is set, then shut down gracefully."""
    stats = Stats()
    hub = Hub(
        stats,
        slow_client_bytes=settings.slow_client_bytes,
        close_timeout=CLOSE_TIMEOUT,
        send_buffer_bytes=settings.send_buffer_bytes,
    )
    mirror = VenueMirror(gap_timeout=settings.gap_timeout)
    booking = BookingClient(settings.booking_service_url, timeout=settings.booking_timeout)
    relay: NatsRelay | None = None
    feed = VenueFeed(
        mirror,
        hub,
        stats,
        fetch_snapshot=booking.venue,
        nats_connected=lambda: relay is not None and relay.connected,
        poll_interval=settings.poll_interval,
    )
    relay = NatsRelay(
        settings.nats_servers(),
        on_message=feed.on_nats_message,
        on_reconnected=feed.request_resync,
    )
    context = SessionContext(
        hub=hub,
        mirror=mirror,
        booking=booking,
        stats=stats,
        rate_per_second=settings.rate_limit_per_second,
        rate_burst=settings.rate_limit_burst,
        rate_strikes=settings.rate_limit_strikes,
    )

    async def handle(connection: ServerConnection) -> None:
        await ClientSession(connection, context).run()

    def report() -> dict[str, Any]:
        return stats.report(
            clients=len(hub),
            version=mirror.version,
            nats_connected=relay is not None and relay.connected,
        )

    def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "service": "edge-server",
            "nats": "ok" if relay is not None and relay.connected else "down",
            "venue_version": mirror.version,
            "clients_connected": len(hub),
        }

    relay.start()
    feed_task = asyncio.create_task(feed.run(), name="venue-feed")
    try:
        async with create_server(settings, handle, hub, health=health, stats=report):
            logger.info(
                "edge listening",
                extra={
                    "host": settings.host,
                    "port": settings.port,
                    "booking": settings.booking_service_url,
                },
            )
            await stop.wait()
            logger.info("edge stopping", extra={"clients": len(hub)})
    finally:
        feed_task.cancel()
        await asyncio.gather(feed_task, return_exceptions=True)
        await relay.close()
        await hub.close()
        await booking.aclose()
        logger.info("edge stopped")


async def run_until_signalled(settings: EdgeSettings) -> None:
    """``run_edge`` until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await run_edge(settings, stop=stop)
