"""HiredisPackedConnection: a Redis connection that packs commands with hiredis.

redis-py's asyncio connections encode every command in Python, argument by argument:
about 14 µs for a seat script's EVALSHA, a tenth of the service's CPU per seat
command. hiredis (which redis-py already uses to parse replies) packs the same
command into the same bytes in C, in about 2 µs. A command hiredis cannot pack (an
argument of a type Redis does not take) goes to redis-py's packer, which raises the
error redis-py always raised for it.
"""

from __future__ import annotations

import hiredis
from redis.asyncio.connection import Connection
from redis.typing import EncodableT

__all__ = ["HiredisPackedConnection"]


class HiredisPackedConnection(Connection):
    """A TCP connection to Redis whose commands hiredis packs."""

    def pack_command(self, *args: EncodableT) -> list[bytes]:
        # redis-py splits a first argument such as "CONFIG GET" into its words.
        first = args[0]
        if (b" " if isinstance(first, bytes) else " ") in first:  # type: ignore[operator]
            return super().pack_command(*args)
        try:
            return [hiredis.pack_command(args)]  # type: ignore[arg-type]
        except TypeError:
            return super().pack_command(*args)
