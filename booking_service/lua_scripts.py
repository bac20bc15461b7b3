"""The Lua scripts of ``booking_service/lua``, read once and registered with Redis."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

__all__ = ["Scripts"]


def _source(name: str) -> str:
    folder = resources.files("booking_service") / "lua"
    prelude = (folder / "_prelude.lua").read_text(encoding="utf-8")
    return prelude + "\n" + (folder / f"{name}.lua").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Scripts:
    """One registered script per operation; calls use EVALSHA and reload on NOSCRIPT."""

    select_seat: AsyncScript
    hold_seats: AsyncScript
    read_cart: AsyncScript
    extend_cart: AsyncScript
    book_seat: AsyncScript
    book_cart: AsyncScript
    cancel_order: AsyncScript
    release_seat: AsyncScript
    expire_holds: AsyncScript
    block_seats: AsyncScript
    init_venue: AsyncScript
    read_venue: AsyncScript
    read_version: AsyncScript

    @classmethod
    def register(cls, redis: Redis) -> Scripts:
        """Register every script with this client (no round trip until first use)."""
        return cls(
            **{name: redis.register_script(_source(name)) for name in cls.__dataclass_fields__}
        )
