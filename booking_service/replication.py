"""Replication: a write is acknowledged only once enough replicas have it.

Redis replicates asynchronously: a master answers a write before any replica has it. If
the master dies in that moment, a replica without the write takes over, and the write —
already confirmed to the buyer — is gone. So every write the service confirms is sent
together with ``WAIT <replicas> <timeout ms>`` on the same connection, in one round trip:
WAIT answers how many replicas have everything that connection wrote, and the write
counts only if that is at least ``REDIS_WAIT_REPLICAS``. On a cluster both go to the
master of the write's slot over one connection of that node. The writes of one
event-loop turn share that round trip and that WAIT (one per master on a cluster:
``booking_service.auto_pipeline``), so confirming costs a round trip per batch, not
per write.

With 0 replicas asked (a single Redis), writes run exactly as they would without this.
A write that WAIT cannot confirm in time has still happened on the master: the caller
gets ``NotReplicated`` (a 503), and a retry is safe — an order with the same
Idempotency-Key is made once, a seat already held by its caller stays held.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from redis.asyncio import RedisCluster
from redis.commands.core import AsyncScript
from redis.typing import EncodableT

from booking_service.auto_pipeline import AutoPipeline, run_script
from booking_service.errors import NotReplicated
from booking_service.redis_client import RedisClient

__all__ = ["Replication"]

logger = logging.getLogger(__name__)

# How long the health check's WAIT gives a master's replicas to show they are there.
PROBE_TIMEOUT_MS = 50


class Replication:
    """Runs writes and returns only once ``replicas`` replicas confirmed them (WAIT)."""

    def __init__(self, redis: RedisClient, *, replicas: int, timeout_ms: int) -> None:
        self._redis = redis
        self._replicas = replicas
        # The writes of one event-loop turn (per master) share one pipeline and one WAIT.
        self._pipeline = AutoPipeline(redis, wait=(replicas, timeout_ms))

    @property
    def replicas(self) -> int:
        """How many replicas must confirm a write (0: writes are not waited for)."""
        return self._replicas

    async def script(
        self,
        script: AsyncScript,
        keys: Sequence[str],
        args: Sequence[EncodableT],
        *,
        wrote: Callable[[Any], bool],
    ) -> Any:
        """The script's reply; when ``wrote(reply)`` says it changed something, only once
        the replicas confirmed it (else NotReplicated). Every key shares one slot."""
        if not self._replicas:
            return await script(keys=keys, args=args)
        reply, confirmed = await run_script(self._pipeline, script, keys, args)
        if isinstance(reply, Exception):
            raise reply
        if wrote(reply):
            self._check(confirmed, keys[0])
        return reply

    async def command(self, key: str, *command: EncodableT) -> Any:
        """Run one write command on ``key``; its reply once the replicas confirmed it."""
        if not self._replicas:
            return await self._redis.execute_command(*command)
        reply, confirmed = await self._pipeline.run(*command, key=key)
        if isinstance(reply, Exception):
            raise reply
        self._check(confirmed, key)
        return reply

    async def missing_replicas(self) -> list[str]:
        """The masters (``host:port``; ``redis`` for a single one) with fewer replicas in
        sync than writes wait for: writes there are answered 503 until one is back."""
        if not self._replicas:
            return []
        if not isinstance(self._redis, RedisCluster):
            confirmed = await self._redis.wait(self._replicas, PROBE_TIMEOUT_MS)
            return [] if int(confirmed) >= self._replicas else ["redis"]
        nodes = self._redis.get_primaries()
        counts = await asyncio.gather(
            *(
                self._redis.wait(self._replicas, PROBE_TIMEOUT_MS, target_nodes=node)
                for node in nodes
            )
        )
        return [
            node.name
            for node, count in zip(nodes, counts, strict=True)
            if int(count) < self._replicas
        ]

    def _check(self, confirmed: Any, key: str) -> None:
        if isinstance(confirmed, Exception):
            raise confirmed
        if int(confirmed) < self._replicas:
            logger.warning(
                "write not confirmed by replicas",
                extra={"key": key, "replicas": int(confirmed), "wanted": self._replicas},
            )
            raise NotReplicated(
                "Your change was made but no replica confirmed it in time, so it could "
                "still be lost; try again (an order retried with the same Idempotency-Key "
                "is made only once)"
            )
