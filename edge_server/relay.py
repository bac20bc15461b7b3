"""NatsRelay: this edge's subscriptions to ``seats.>`` (the default event) and ``events.>``
(every other event).

The relay connects in the background and keeps reconnecting for as long as it lives;
the edge works without NATS meanwhile (the feed polls snapshots). Messages are handed
to ``on_message`` one at a time, in the order NATS delivered them; ``on_reconnected``
runs after every (re)connection that follows an outage, since changes may have been
missed while away.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from nats.aio.client import Client
from nats.aio.msg import Msg

from shared.constants import EVENTS_SUBJECT_ALL, SUBJECT_ALL
from shared.nats_link import NatsLink

__all__ = ["NatsRelay"]

logger = logging.getLogger(__name__)

MessageHandler = Callable[[str, bytes], None]


class NatsRelay(NatsLink):
    """A NATS link subscribed to every event's seat subjects; pending messages are dropped on
    close. Each event publishes on one of the two subscriptions, so its messages are handed
    on in the order NATS delivered them."""

    def __init__(
        self,
        servers: list[str],
        *,
        on_message: MessageHandler,
        on_reconnected: Callable[[], None],
        name: str = "edge-server",
    ) -> None:
        self._on_message = on_message
        super().__init__(
            servers,
            name=name,
            on_connect=self._subscribe,
            on_ready=on_reconnected,
            drain_on_close=False,
        )

    async def _subscribe(self, client: Client) -> None:
        for subject in (SUBJECT_ALL, EVENTS_SUBJECT_ALL):
            await client.subscribe(subject, cb=self._deliver)
        await client.flush(timeout=2)
        logger.info("nats subscribed", extra={"subjects": [SUBJECT_ALL, EVENTS_SUBJECT_ALL]})

    async def _deliver(self, msg: Msg) -> None:
        self._on_message(msg.subject, msg.data)
