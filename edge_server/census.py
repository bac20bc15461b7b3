"""The edge's census: how many WebSockets it holds, told to the booking service on NATS.

Every ``interval`` seconds, while NATS is up, the edge publishes on ``edges.census``
``{"edge", "connections", "watchers": {event_id: n}, "interval", "timestamp"}``: its
name (host and port), its open client connections, those watching each event, and
the interval, by which the booking service forgets an edge that stops reporting. A
report that cannot go out is skipped; the next one comes on time.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from shared.constants import CENSUS_SUBJECT
from shared.nats_link import NatsError, NatsLink
from shared.timestamps import iso_time

__all__ = ["census_report", "edge_name", "run_census"]

logger = logging.getLogger(__name__)


def edge_name(port: int) -> str:
    """This edge's name in the census: its host name and port (unique per edge)."""
    return f"{socket.gethostname()}:{port}"


def census_report(
    edge: str, connections: int, watchers: Mapping[str, int], *, interval: float
) -> dict[str, Any]:
    """One census report (events without watchers left out)."""
    return {
        "edge": edge,
        "connections": connections,
        "watchers": {event_id: n for event_id, n in watchers.items() if n},
        "interval": interval,
        "timestamp": iso_time(),
    }


async def run_census(
    link: NatsLink,
    *,
    edge: str,
    connections: Callable[[], int],
    watchers: Callable[[], Mapping[str, int]],
    interval: float,
) -> None:
    """Publish this edge's census every ``interval`` seconds, until cancelled."""
    while True:
        client = link.client
        if client is not None and link.connected:
            report = census_report(edge, connections(), watchers(), interval=interval)
            try:
                await client.publish(CENSUS_SUBJECT, orjson.dumps(report))
            except NatsError as exc:
                logger.debug("census report dropped: %s", exc)
        await asyncio.sleep(interval)
