"""The Lua scripts of ``booking_service/lua``, read once and registered with Redis."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from redis.asyncio import Redis

from booking_service.auto_pipeline import AutoPipeline, BatchedScript

__all__ = ["Scripts"]


def _source(name: str) -> str:
    folder = resources.files("booking_service") / "lua"
    prelude = (folder / "_prelude.lua").read_text(encoding="utf-8")
    return prelude + "\n" + (folder / f"{name}.lua").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Scripts:
    """One registered script per operation; calls use EVALSHA and reload on NOSCRIPT.

    The calls of all scripts share one auto-pipeline: those made in the same event-loop
    turn reach Redis in one round trip.
    """

    select_seat: BatchedScript
    hold_seats: BatchedScript
    read_cart: BatchedScript
    extend_cart: BatchedScript
    book_seat: BatchedScript
    book_cart: BatchedScript
    cancel_order: BatchedScript
    release_seat: BatchedScript
    expire_holds: BatchedScript
    block_seats: BatchedScript
    init_venue: BatchedScript
    read_venue: BatchedScript
    read_version: BatchedScript

    @classmethod
    def register(cls, redis: Redis) -> Scripts:
        """Register every script with this client (no round trip until first use)."""
        pipeline = AutoPipeline(redis)
        return cls(
            **{
                name: BatchedScript(redis.register_script(_source(name)), pipeline)
                for name in cls.__dataclass_fields__
            }
        )
