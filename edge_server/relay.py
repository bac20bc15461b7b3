"""NatsRelay: this edge's one subscription to ``seats.>``.

The relay connects in the background and keeps reconnecting for as long as it lives;
the edge works without NATS meanwhile (the feed polls snapshots). Messages are handed
to ``on_message`` one at a time, in the order NATS delivered them; ``on_reconnected``
runs after every (re)connection that follows an outage, since events may have been
missed while away.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError

from shared.constants import SUBJECT_ALL

__all__ = ["NatsRelay"]

logger = logging.getLogger(__name__)

MessageHandler = Callable[[str, bytes], None]


class NatsRelay:
    """A NATS connection subscribed to every seat subject."""

    def __init__(
        self,
        servers: list[str],
        *,
        on_message: MessageHandler,
        on_reconnected: Callable[[], None],
        name: str = "edge-server",
    ) -> None:
        self._servers = servers
        self._name = name
        self._on_message = on_message
        self._on_reconnected = on_reconnected
        self._client: Client | None = None
        self._connecting: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        """Whether events are flowing right now."""
        return self._client is not None and self._client.is_connected

    def start(self) -> None:
        """Begin connecting in the background."""
        self._connecting = asyncio.create_task(self._connect_forever(), name="nats-relay")

    async def close(self) -> None:
        """Stop connecting and close the connection (pending messages are dropped)."""
        if self._connecting is not None:
            self._connecting.cancel()
            await asyncio.gather(self._connecting, return_exceptions=True)
        if self._client is not None and not self._client.is_closed:
            await self._client.close()

    async def _connect_forever(self) -> None:
        delay = 0.1
        while True:
            client: Client | None = None
            try:
                client = await nats.connect(
                    servers=self._servers,
                    name=self._name,
                    connect_timeout=1,
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.25,
                    error_cb=self._on_error,
                    disconnected_cb=self._on_disconnected,
                    reconnected_cb=self._on_reconnect,
                )
                await client.subscribe(SUBJECT_ALL, cb=self._deliver)
                await client.flush(timeout=2)
            except (NatsError, OSError, TimeoutError) as exc:
                logger.warning("nats unreachable, retrying: %s", exc)
                if client is not None:
                    await client.close()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            self._client = client
            logger.info("nats subscribed", extra={"servers": self._servers, "subject": SUBJECT_ALL})
            # Whatever happened before this first connection was missed.
            self._on_reconnected()
            return

    async def _deliver(self, msg: Msg) -> None:
        self._on_message(msg.subject, msg.data)

    async def _on_error(self, exc: Exception) -> None:
        logger.warning("nats error: %s", exc)

    async def _on_disconnected(self) -> None:
        logger.warning("nats disconnected")

    async def _on_reconnect(self) -> None:
        logger.info("nats reconnected")
        self._on_reconnected()
