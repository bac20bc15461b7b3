"""NatsLink: a NATS connection that keeps (re)connecting for as long as it lives.

``servers`` may name several nodes of a NATS cluster: nats-py tries them in random
order, and on losing its server (closed, or silent for ``PING_INTERVAL`` *
(``MAX_OUTSTANDING_PINGS`` + 1) seconds) goes on to the next at once.

A service runs while NATS is away: until the first connection ``client`` is None and
``connected`` is false; after it, nats-py reconnects by itself (and restores
subscriptions). ``on_connect`` prepares each new client (e.g. subscribes) before it
is used; ``on_ready`` runs after the first connection and after every reconnection,
since whatever was published meanwhile was missed. ``close()`` flushes what is
pending when ``drain_on_close`` is set, else drops it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import nats
from nats.aio.client import Client
from nats.errors import Error as NatsError

__all__ = ["NatsError", "NatsLink", "redacted"]

logger = logging.getLogger(__name__)

FIRST_RETRY = 0.1
MAX_RETRY = 2.0
# A server that stops answering (its machine gone, the process hung) leaves the TCP
# connection open: after PING_INTERVAL * (MAX_OUTSTANDING_PINGS + 1) seconds without a
# PONG the client counts it stale and moves to another server of the list. nats-py's
# own default (2 minutes, 2 pings) would leave a service deaf for up to 6 minutes.
PING_INTERVAL = 1
MAX_OUTSTANDING_PINGS = 2
# How long one server may take to accept and greet; a hung one costs this much once
# before the next server is tried.
CONNECT_TIMEOUT = 1


def redacted(url: str) -> str:
    """``url`` without its user and password (``nats://booking:pw@h:4222`` → ``nats://h:4222``)."""
    parts = urlsplit(url)
    if parts.hostname is None or "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


class NatsLink:
    """One NATS connection, established in the background and kept up."""

    def __init__(
        self,
        servers: list[str],
        *,
        name: str,
        on_connect: Callable[[Client], Awaitable[None]] | None = None,
        on_ready: Callable[[], None] | None = None,
        drain_on_close: bool = True,
    ) -> None:
        self._servers = servers
        self._drain_on_close = drain_on_close
        self._name = name
        self._on_connect = on_connect
        self._on_ready = on_ready
        self._client: Client | None = None
        self._connecting: asyncio.Task[None] | None = None

    @property
    def client(self) -> Client | None:
        """The connection once established (it may be reconnecting), else None."""
        return self._client

    @property
    def connected(self) -> bool:
        """Whether NATS is reachable right now."""
        return self._client is not None and self._client.is_connected

    def start(self) -> None:
        """Begin connecting in the background."""
        self._connecting = asyncio.create_task(self._connect_forever(), name=f"nats-{self._name}")

    async def close(self) -> None:
        """Stop connecting; flush what is pending (or drop it) and close the connection."""
        if self._connecting is not None:
            self._connecting.cancel()
            await asyncio.gather(self._connecting, return_exceptions=True)
        client = self._client
        if client is None or client.is_closed:
            return
        if self._drain_on_close:
            try:
                await asyncio.wait_for(client.drain(), timeout=2)
                return
            except (NatsError, TimeoutError) as exc:
                logger.warning("nats drain failed: %s", exc)
        await client.close()

    async def _connect_forever(self) -> None:
        delay = FIRST_RETRY
        while True:
            client: Client | None = None
            try:
                client = await nats.connect(
                    servers=self._servers,
                    name=self._name,
                    connect_timeout=CONNECT_TIMEOUT,
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.25,
                    ping_interval=PING_INTERVAL,
                    max_outstanding_pings=MAX_OUTSTANDING_PINGS,
                    error_cb=self._on_error,
                    disconnected_cb=self._on_disconnected,
                    reconnected_cb=self._on_reconnected,
                )
                if self._on_connect is not None:
                    await self._on_connect(client)
            except (NatsError, OSError, TimeoutError) as exc:
                logger.warning("nats unreachable, retrying: %s", exc)
                if client is not None:
                    await client.close()
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY)
                continue
            self._client = client
            logger.info(
                "nats connected", extra={"servers": [redacted(url) for url in self._servers]}
            )
            if self._on_ready is not None:
                self._on_ready()
            return

    async def _on_error(self, exc: Exception) -> None:
        logger.warning("nats error: %s", exc)

    async def _on_disconnected(self) -> None:
        logger.warning("nats disconnected")

    async def _on_reconnected(self) -> None:
        logger.info("nats reconnected")
        if self._on_ready is not None:
            self._on_ready()
