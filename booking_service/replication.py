"""Replication: a write is acknowledged only once enough replicas have it.

Redis replicates asynchronously: a master answers a write before any replica has it. If
the master dies in that moment, a replica without the write takes over, and the write —
already confirmed to the buyer — is gone. So every write the service confirms is sent
together with ``WAIT <replicas> <timeout ms>`` on the same connection, in one round trip:
WAIT answers how many replicas have everything that connection wrote, and the write
counts only if that is at least ``REDIS_WAIT_REPLICAS``. On a cluster both go to the
master of the write's slot over one connection of that node.

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
from redis.asyncio.cluster import PipelineCommand
from redis.commands.core import AsyncScript
from redis.exceptions import (
    AskError,
    ClusterDownError,
    ConnectionError,
    MovedError,
    NoScriptError,
    RedisClusterException,
    RedisError,
    TimeoutError,
    TryAgainError,
)
from redis.typing import EncodableT

from booking_service.errors import NotReplicated
from booking_service.redis_client import RedisClient

__all__ = ["Replication"]

logger = logging.getLogger(__name__)

# Replies after which the cluster's map of slots to masters is out of date.
_STALE_TOPOLOGY = (ConnectionError, TimeoutError, ClusterDownError, MovedError, AskError)
# Sends of a write refused before it ran (its slot moved to another master, its script
# not loaded there yet, TRYAGAIN): the first and up to two more. An ASK (the slot
# migrating, during a resharding) is not followed: that write is answered 503.
_ATTEMPTS = 3
# How long the health check's WAIT gives a master's replicas to show they are there.
PROBE_TIMEOUT_MS = 50


class Replication:
    """Runs writes and returns only once ``replicas`` replicas confirmed them (WAIT)."""

    def __init__(self, redis: RedisClient, *, replicas: int, timeout_ms: int) -> None:
        self._redis = redis
        self._replicas = replicas
        self._timeout_ms = timeout_ms

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
        for _ in range(_ATTEMPTS):
            reply, confirmed = await self._with_wait(
                keys[0], ("EVALSHA", script.sha, len(keys), *keys, *args)
            )
            if isinstance(reply, NoScriptError):
                # A promoted replica or a restarted Redis has no scripts loaded yet.
                script.sha = await self._redis.script_load(script.script)
                continue
            if isinstance(reply, MovedError | TryAgainError):
                continue
            break
        if isinstance(reply, Exception):
            raise reply
        if wrote(reply):
            self._check(confirmed, keys[0])
        return reply

    async def command(self, key: str, *command: EncodableT) -> Any:
        """Run one write command on ``key``; its reply once the replicas confirmed it."""
        if not self._replicas:
            return await self._redis.execute_command(*command)
        reply, confirmed = await self._with_wait(key, command)
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

    async def _with_wait(self, key: str, command: Sequence[EncodableT]) -> tuple[Any, Any]:
        """``command`` and WAIT on one connection to ``key``'s master: both replies, each
        a value or the error it raised."""
        wait = ("WAIT", self._replicas, self._timeout_ms)
        if not isinstance(self._redis, RedisCluster):
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.execute_command(*command)
                pipe.execute_command(*wait)
                reply, confirmed = await pipe.execute(raise_on_error=False)
            return reply, confirmed
        cluster = self._redis
        sent = [PipelineCommand(0, *command), PipelineCommand(1, *wait)]
        try:
            await cluster.initialize()
            node = cluster.get_node_from_key(key)
            assert node is not None
            await node.execute_pipeline(sent)
        except _STALE_TOPOLOGY:
            await self._refresh()
            raise
        except RedisClusterException as exc:
            # No master serves the slot right now (mid-failover): as unavailable as down.
            await self._refresh()
            raise ClusterDownError(str(exc)) from exc
        reply, confirmed = sent[0].result, sent[1].result
        if isinstance(reply, _STALE_TOPOLOGY) or isinstance(confirmed, _STALE_TOPOLOGY):
            await self._refresh()
        return reply, confirmed

    async def _refresh(self) -> None:
        """Re-read which master serves which slot (concurrent callers share one reading).

        Mid-failover the cluster may not cover every slot yet; the old map is kept and
        the next failing write reads it again.
        """
        assert isinstance(self._redis, RedisCluster)
        try:
            await self._redis.nodes_manager.initialize()
        except (RedisError, RedisClusterException, OSError) as exc:
            logger.info("cluster map not refreshed", extra={"error": str(exc)})
