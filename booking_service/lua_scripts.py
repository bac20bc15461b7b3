"""The Lua scripts of ``booking_service/lua``, read once and registered with Redis."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol

from redis.commands.core import AsyncScript
from redis.typing import EncodableT

from booking_service.auto_pipeline import AutoPipeline, BatchedScript
from booking_service.redis_client import RedisClient
from booking_service.replication import Replication

__all__ = ["ScriptCall", "Scripts"]


def _source(name: str) -> str:
    folder = resources.files("booking_service") / "lua"
    prelude = (folder / "_prelude.lua").read_text(encoding="utf-8")
    return prelude + "\n" + (folder / f"{name}.lua").read_text(encoding="utf-8")


class ScriptCall(Protocol):
    """A script as the stores call it: its KEYS and ARGV in, its reply out."""

    def __call__(
        self, keys: Sequence[str] | None = None, args: Sequence[EncodableT] | None = None
    ) -> Awaitable[Any]: ...


def _ok(reply: Any) -> bool:
    return bool(reply[0] == b"ok")


def _order_made(reply: Any) -> bool:
    # An order found by its idempotency key is confirmed again: the retry of a write that
    # was not confirmed must not be acknowledged before a replica has it.
    return bool(reply[0] in (b"ok", b"existing"))


def _seats_created(reply: Any) -> bool:
    return bool(int(reply[0]) > 0)


# The scripts whose changes a caller is told about, and how each reply says it changed
# something. The sweep (expire_holds) is not among them: nobody is told of its releases
# before they are published, and a release lost in a failover is swept again. Nor is
# read_order_counts: the counts it may write are made again from the orders if lost.
_WRITES: dict[str, Callable[[Any], bool]] = {
    "select_seat": _ok,
    "hold_seats": _ok,
    "extend_cart": _ok,
    "book_seat": _ok,
    "book_cart": _order_made,
    "cancel_order": _ok,
    "release_seat": _ok,
    "block_seats": _ok,
    "init_venue": _seats_created,
}


@dataclass(frozen=True)
class _Replicated:
    """A write script whose call returns once the replicas have what it wrote."""

    script: AsyncScript
    replication: Replication
    wrote: Callable[[Any], bool]

    async def __call__(
        self, keys: Sequence[str] | None = None, args: Sequence[EncodableT] | None = None
    ) -> Any:
        return await self.replication.script(self.script, keys or [], args or [], wrote=self.wrote)


@dataclass(frozen=True)
class Scripts:
    """One registered script per operation; calls use EVALSHA and reload on NOSCRIPT.

    The calls of all scripts share one auto-pipeline: those made in the same event-loop
    turn reach Redis in one round trip (one per master on a cluster). With a
    ``Replication`` that asks for replicas, each write script's call returns only once
    they confirmed its write (see ``booking_service.replication``), in batches of its own.
    """

    select_seat: ScriptCall
    hold_seats: ScriptCall
    read_cart: ScriptCall
    extend_cart: ScriptCall
    book_seat: ScriptCall
    book_cart: ScriptCall
    cancel_order: ScriptCall
    release_seat: ScriptCall
    expire_holds: ScriptCall
    block_seats: ScriptCall
    init_venue: ScriptCall
    read_venue: ScriptCall
    read_version: ScriptCall
    read_overdue: ScriptCall
    read_order_counts: ScriptCall

    @classmethod
    def register(cls, redis: RedisClient, replication: Replication | None = None) -> Scripts:
        """Register every script with this client (no round trip until first use)."""
        pipeline = AutoPipeline(redis)
        calls: dict[str, ScriptCall] = {}
        for name in cls.__dataclass_fields__:
            script = redis.register_script(_source(name))
            wrote = _WRITES.get(name)
            if replication is not None and replication.replicas > 0 and wrote is not None:
                calls[name] = _Replicated(script, replication, wrote)
            else:
                calls[name] = BatchedScript(script, pipeline)
        return cls(**calls)
