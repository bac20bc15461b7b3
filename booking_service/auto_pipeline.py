"""AutoPipeline: the Redis commands issued in one event-loop turn go to Redis in one round trip.

Under load many requests reach their Redis call in the same turn of the event loop.
Sent one by one, each pays a write, a read and two timeouts of its own, and Redis (its
AOF fsynced on every write) syncs once per command it finishes a loop with. Here the
first call of a turn schedules a flush; every call made before the flush runs joins it;
the flush sends them all as one non-transactional pipeline on one connection and hands
each caller its own reply. On a Redis Cluster the batch is split by the master of each
call's key: one pipeline per master, all sent at once.

Promises:

- Each call gets exactly its own reply, or its own error: a command Redis refuses
  (an error reply such as NOSCRIPT, READONLY, OOM or MOVED) fails only that call, the
  others of the batch still get their replies.
- A failure of a pipeline as a whole (connection lost, timeout) fails every call it
  carried with that error, as each would have failed alone; on a cluster, the calls
  to the other masters are not touched.
- Calls reach Redis in the order they were made within a batch; a pipeline is written
  in one piece on one connection, so Redis runs its commands back to back in that order.
- With ``wait`` (replicas, timeout in ms), every pipeline ends with ``WAIT`` on its
  connection, and each call learns WAIT's answer (``Outcome.confirmed``): how many
  replicas have everything the pipeline wrote, its own write included.
- On a cluster, a reply or failure that shows the map of slots to masters is out of
  date (MOVED, ASK, a lost connection, a slot nobody serves mid-failover) has the map
  read again before the flush ends, so a call sent again goes where its slot now is.
- Nothing is retried here; ``run_script`` sends a script again only when Redis refused
  it before it ran. A caller cancelled while its batch is in flight just loses its
  reply, and a flush cancelled (at shutdown) cancels every call of its batch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from redis.asyncio import RedisCluster
from redis.asyncio.cluster import ClusterNode, PipelineCommand
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

from booking_service.redis_client import RedisClient

__all__ = ["AutoPipeline", "BatchedScript", "Outcome", "run_script"]

logger = logging.getLogger(__name__)

# Replies after which a cluster's map of slots to masters is out of date.
_STALE_TOPOLOGY = (ConnectionError, TimeoutError, ClusterDownError, MovedError, AskError)
# Sends of a script refused before it ran (not loaded there yet, its slot moved to
# another master, TRYAGAIN): the first and up to two more. An ASK (the slot migrating,
# during a resharding) is not followed: that call fails.
_ATTEMPTS = 3


class Outcome(NamedTuple):
    """One call's reply (an error reply stands as its exception) and, with ``wait``,
    WAIT's answer for the pipeline that carried it (a count, or the error it gave)."""

    reply: Any
    confirmed: Any = None


@dataclass(slots=True)
class _Call:
    key: str | None
    args: tuple[EncodableT, ...]
    reply: asyncio.Future[Outcome] = field(repr=False)


class AutoPipeline:
    """Batches the commands of one event-loop turn into one round trip (per master)."""

    def __init__(self, redis: RedisClient, *, wait: tuple[int, int] | None = None) -> None:
        self._redis = redis
        self._wait = None if wait is None else ("WAIT", *wait)
        self._pending: list[_Call] = []
        # Flushes in flight, kept so none is garbage-collected before it finishes.
        self._flushes: set[asyncio.Task[None]] = set()

    @property
    def redis(self) -> RedisClient:
        """The client whose connections carry the batches."""
        return self._redis

    async def execute(self, *args: EncodableT, key: str | None = None) -> Any:
        """Run one command (``"EVALSHA", sha, 2, key, key, arg``) in this turn's batch; its
        reply, or its error raised. ``key`` (any key it touches) routes it on a cluster."""
        reply = (await self.run(*args, key=key)).reply
        if isinstance(reply, Exception):
            raise reply
        return reply

    async def run(self, *args: EncodableT, key: str | None = None) -> Outcome:
        """Like ``execute``, but an error reply is returned in the outcome, not raised, and
        the outcome has WAIT's answer."""
        loop = asyncio.get_running_loop()
        call = _Call(key, args, loop.create_future())
        self._pending.append(call)
        if len(self._pending) == 1:
            # The task's first step runs after every callback ready now: calls made
            # during the rest of this turn join the batch.
            task = loop.create_task(self._flush())
            self._flushes.add(task)
            task.add_done_callback(self._flushes.discard)
        return await call.reply

    async def _flush(self) -> None:
        batch, self._pending = self._pending, []
        outcomes: Sequence[Outcome | Exception]
        try:
            if isinstance(self._redis, RedisCluster):
                outcomes = await self._send_by_master(self._redis, batch)
            else:
                outcomes = await self._send(batch)
        except asyncio.CancelledError:
            for call in batch:
                call.reply.cancel()
            raise
        except Exception as exc:
            outcomes = [exc] * len(batch)
        for call, outcome in zip(batch, outcomes, strict=True):
            if call.reply.done():
                continue
            if isinstance(outcome, Exception):
                call.reply.set_exception(outcome)
            else:
                call.reply.set_result(outcome)

    def _with_wait(self, commands: list[tuple[EncodableT, ...]]) -> list[tuple[EncodableT, ...]]:
        return commands if self._wait is None else [*commands, self._wait]

    def _outcomes(self, replies: list[Any]) -> list[Outcome]:
        """Each command's outcome from a pipeline's replies (WAIT's last, if sent)."""
        if self._wait is None:
            return [Outcome(reply) for reply in replies]
        confirmed = replies[-1]
        return [Outcome(reply, confirmed) for reply in replies[:-1]]

    async def _send(self, batch: Sequence[_Call]) -> list[Outcome]:
        """One Redis: the batch as one pipeline."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for command in self._with_wait([call.args for call in batch]):
                pipe.execute_command(*command)
            replies: list[Any] = await pipe.execute(raise_on_error=False)
        return self._outcomes(replies)

    async def _send_by_master(
        self, cluster: RedisCluster, batch: Sequence[_Call]
    ) -> list[Outcome | Exception]:
        """A cluster: one pipeline per master of the calls' slots, sent concurrently."""
        await cluster.initialize()
        outcomes: dict[int, Outcome | Exception] = {}
        groups: dict[str, tuple[ClusterNode, list[int]]] = {}
        stale = False
        for index, call in enumerate(batch):
            try:
                node = (
                    cluster.get_random_node()
                    if call.key is None
                    else cluster.get_node_from_key(call.key)
                )
            except RedisClusterException as exc:
                # No master serves the slot right now (mid-failover): as unavailable as down.
                outcomes[index] = ClusterDownError(str(exc))
                stale = True
                continue
            assert node is not None
            groups.setdefault(node.name, (node, []))[1].append(index)
        results = await asyncio.gather(
            *(
                self._send_to(node, [batch[i] for i in indexes])
                for node, indexes in groups.values()
            ),
            return_exceptions=True,
        )
        for (_, indexes), result in zip(groups.values(), results, strict=True):
            if isinstance(result, Exception):
                stale = stale or isinstance(result, _STALE_TOPOLOGY)
                outcomes.update(dict.fromkeys(indexes, result))
            elif isinstance(result, BaseException):
                raise result
            else:
                outcomes.update(zip(indexes, result, strict=True))
                stale = stale or any(
                    isinstance(reply, _STALE_TOPOLOGY)
                    for outcome in result
                    for reply in (outcome.reply, outcome.confirmed)
                )
        if stale:
            await self._refresh(cluster)
        return [outcomes[index] for index in range(len(batch))]

    async def _send_to(self, node: ClusterNode, calls: Sequence[_Call]) -> list[Outcome]:
        commands = [
            PipelineCommand(position, *args)
            for position, args in enumerate(self._with_wait([call.args for call in calls]))
        ]
        await node.execute_pipeline(commands)
        return self._outcomes([command.result for command in commands])

    async def _refresh(self, cluster: RedisCluster) -> None:
        """Re-read which master serves which slot.

        Mid-failover the cluster may not cover every slot yet; the old map is kept and
        the next failing call reads it again.
        """
        try:
            await cluster.nodes_manager.initialize()
        except (RedisError, RedisClusterException, OSError) as exc:
            logger.info("cluster map not refreshed", extra={"error": str(exc)})


async def run_script(
    pipeline: AutoPipeline,
    script: AsyncScript,
    keys: Sequence[str],
    args: Sequence[EncodableT],
) -> Outcome:
    """The script's call as EVALSHA in the pipeline's batch, routed by its first key.

    When Redis does not know the script (NOSCRIPT: restarted, flushed, a promoted
    replica), it is loaded and the call sent again; so is a call whose slot moved
    (MOVED, TRYAGAIN), after the pipeline re-read the cluster's map. Up to three sends.
    """
    command = ("EVALSHA", script.sha, len(keys), *keys, *args)
    key = keys[0] if keys else None
    for _ in range(_ATTEMPTS):
        outcome = await pipeline.run(*command, key=key)
        if isinstance(outcome.reply, NoScriptError):
            await pipeline.redis.script_load(script.script)
        elif not isinstance(outcome.reply, MovedError | TryAgainError):
            break
    return outcome


class BatchedScript:
    """A registered Lua script whose calls run as EVALSHA in the auto-pipeline's batches.

    Called like redis-py's ``AsyncScript`` (``script(keys=[...], args=[...])``); sent again
    as ``run_script`` says.
    """

    def __init__(self, script: AsyncScript, pipeline: AutoPipeline) -> None:
        self._script = script
        self._pipeline = pipeline

    async def __call__(
        self, keys: Sequence[str] | None = None, args: Sequence[EncodableT] | None = None
    ) -> Any:
        reply = (await run_script(self._pipeline, self._script, keys or (), args or ())).reply
        if isinstance(reply, Exception):
            raise reply
        return reply
