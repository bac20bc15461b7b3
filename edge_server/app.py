"""The edge server run: its components (``EdgeComponents``) behind one listener.

``run_edge`` starts them in dependency order and, once ``stop`` is set, stops them in
reverse: the listener first (clients get 1001 and reconnect elsewhere), then the feed,
the keepalive, the census and NATS, then the HTTP pool. Every background task is
owned, cancelled and awaited.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from websockets.asyncio.server import ServerConnection

from edge_server.census import edge_name, run_census
from edge_server.components import EdgeComponents
from edge_server.connection import ClientConnection
from edge_server.server import create_server, shed_handshake
from shared.config import EdgeSettings

__all__ = ["run_edge", "run_until_signalled"]

logger = logging.getLogger(__name__)


async def run_edge(settings: EdgeSettings, *, stop: asyncio.Event) -> None:
    """Serve until ``stop`` is set, then shut down gracefully."""
    edge = EdgeComponents.build(settings)

    async def handle(connection: ServerConnection) -> None:
        shed_handshake(connection)
        edge.keepalive.add(connection)
        try:
            await ClientConnection(connection, edge.context).run()
        finally:
            edge.keepalive.discard(connection)

    edge.relay.start()
    feed_task = asyncio.create_task(
        edge.snapshots.run(nats_connected=edge.nats_connected), name="snapshots"
    )
    keepalive_task = asyncio.create_task(edge.keepalive.run(), name="keepalive")
    census_task = asyncio.create_task(
        run_census(
            edge.relay,
            edge=edge_name(settings.port),
            connections=lambda: len(edge.hub),
            watchers=edge.watchers.counts,
            interval=settings.census_seconds,
        ),
        name="census",
    )
    tasks = (feed_task, keepalive_task, census_task)
    try:
        async with create_server(settings, handle, edge.hub, health=edge.health, stats=edge.stats):
            logger.info(
                "edge listening",
                extra={
                    "host": settings.host,
                    "port": settings.port,
                    "booking": settings.booking_service_url,
                },
            )
            await stop.wait()
            logger.info("edge stopping", extra={"clients": len(edge.hub)})
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await edge.relay.close()
        await edge.hub.close()
        await edge.booking.aclose()
        logger.info("edge stopped")


async def run_until_signalled(settings: EdgeSettings) -> None:
    """``run_edge`` until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await run_edge(settings, stop=stop)
