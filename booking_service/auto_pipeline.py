"""AutoPipeline: the Redis commands issued in one event-loop turn go to Redis in one round trip.

Under load many requests reach their Redis call in the same turn of the event loop.
Sent one by one, each pays a write, a read and two timeouts of its own, and Redis (its
AOF fsynced on every write) syncs once per command it finishes a loop with. Here the
first call of a turn schedules a flush; every call made before the flush runs joins it;
the flush sends them all as one non-transactional pipeline on one connection and hands
each caller its own reply.

Promises:

- Each call gets exactly its own reply, or its own error: a command Redis refuses
  (an error reply such as NOSCRIPT, READONLY or OOM) fails only that call, the others
  of the batch still get their replies.
- A failure of the batch as a whole (connection lost, timeout) fails every call of it
  with that error, as each would have failed alone.
- Calls reach Redis in the order they were made within a batch; a batch is written in
  one piece on one connection, so Redis runs its commands back to back in that order.
- Nothing is retried here beyond what the client's own retry policy does for a
  pipeline; a caller cancelled while its batch is in flight just loses its reply, and
  a flush cancelled (at shutdown) cancels every call of its batch.

``_send`` is the one place a batch meets Redis: a step that must follow writes on the
same connection (``WAIT`` for replicas after write scripts) belongs at its end, where
it covers every write of the batch at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError
from redis.typing import EncodableT

__all__ = ["AutoPipeline", "BatchedScript"]


@dataclass(slots=True)
class _Call:
    args: tuple[EncodableT, ...]
    reply: asyncio.Future[Any] = field(repr=False)


class AutoPipeline:
    """Batches the commands of one event-loop turn into one pipeline round trip."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._pending: list[_Call] = []
        # Flushes in flight, kept so none is garbage-collected before it finishes.
        self._flushes: set[asyncio.Task[None]] = set()

    @property
    def redis(self) -> Redis:
        """The client whose connections carry the batches."""
        return self._redis

    async def execute(self, *args: EncodableT) -> Any:
        """Run one command (``"EVALSHA", sha, 2, key, key, arg``) in this turn's batch."""
        loop = asyncio.get_running_loop()
        call = _Call(args, loop.create_future())
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
        try:
            replies = await self._send(batch)
        except asyncio.CancelledError:
            for call in batch:
                call.reply.cancel()
            raise
        except Exception as exc:
            for call in batch:
                if not call.reply.done():
                    call.reply.set_exception(exc)
            return
        for call, reply in zip(batch, replies, strict=True):
            if call.reply.done():
                continue
            if isinstance(reply, Exception):
                call.reply.set_exception(reply)
            else:
                call.reply.set_result(reply)

    async def _send(self, batch: Sequence[_Call]) -> list[Any]:
        """The batch's replies in order; an error reply stands in the list as its exception."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for call in batch:
                pipe.execute_command(*call.args)
            replies: list[Any] = await pipe.execute(raise_on_error=False)
        return replies


class BatchedScript:
    """A registered Lua script whose calls run as EVALSHA in the auto-pipeline's batches.

    Called like redis-py's ``AsyncScript`` (``script(keys=[...], args=[...])``). When
    Redis does not know the script (NOSCRIPT: restarted, flushed), it is loaded and the
    call made once more.
    """

    def __init__(self, script: AsyncScript, pipeline: AutoPipeline) -> None:
        self._script = script
        self._pipeline = pipeline

    async def __call__(
        self, keys: Sequence[EncodableT] | None = None, args: Sequence[EncodableT] | None = None
    ) -> Any:
        keys, args = keys or (), args or ()
        command = ("EVALSHA", self._script.sha, len(keys), *keys, *args)
        try:
            return await self._pipeline.execute(*command)
        except NoScriptError:
            await self._pipeline.redis.script_load(self._script.script)
            return await self._pipeline.execute(*command)
